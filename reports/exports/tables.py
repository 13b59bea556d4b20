"""The tables of a download: totals by area and by period, and the approved reports behind
them, as columns with their HXL tags (docs/api.md)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from gazetteer.models import AdminLevel, Place
from reports import aggregates, figures, publication, selectors
from reports.vocabulary import MEASURE, Cause, Measure, Metric

# Tables
#   areas    one row per area of the breakdown, after a first row with the total of the area
#            asked ("row" says which); the HXL variant leaves that total row out, because its
#            area is one level up from the tagged #admN columns (HXL tools sum the rows).
#   periods  one row per period of the time series.
#   reports  one row per figure of an asked metric in the approved reports behind the numbers
#            (a report with two such figures has two rows); "counted" says whether it is the
#            figure the total uses for its event. Public shape only: sources by their public
#            label (confidential ones by type), never internal notes, submitter or organisation.

# HXL tags (HXL standard 1.1 hashtags and attributes; custom attributes where the standard has
# none, which HXL allows):
#   #date+start / #date+end        first and last day of the period (blank: open-ended)
#   #adm1..#adm4 +code / +name     the breakdown's P-code and name (#country at level 0)
#   #geo+lat / #geo+lon            the area's representative point (the report's public point)
#   #affected+idps+new             people newly displaced (flow)
#   #affected+idps                 people currently displaced (stock: latest figure at the end)
#   #affected+returnees            people returned
#   #affected+killed / +injured    civilians killed / injured
#   #affected+abducted             civilians detained or abducted
#   #indicator+num+<metric>        buildings destroyed or damaged (#affected counts people)
#   +min / +max on a metric's tag  the low and high ends of its range
#   #meta+events/+reports/+sources+<metric>   how many events, reports and sources are behind it
#   #meta+id, #event+code/+name, #description+title, #description, #loc+code/+name/+type,
#   #cause+code/+name, #indicator+code/+name/+type/+text/+num, #meta+counted, #meta+tags,
#   #meta+source, #meta+url, #date+approved    the columns of the reports list.

HXL_METRIC = {
    Metric.NEWLY_DISPLACED: "#affected+idps+new",
    Metric.CURRENTLY_DISPLACED: "#affected+idps",
    Metric.RETURNED: "#affected+returnees",
    Metric.KILLED: "#affected+killed",
    Metric.INJURED: "#affected+injured",
    Metric.DETAINED: "#affected+abducted",
    Metric.HOMES_DESTROYED: "#indicator+num+homes_destroyed",
    Metric.RELIGIOUS_BUILDINGS_DAMAGED: "#indicator+num+religious_buildings_damaged",
    Metric.HEALTH_FACILITIES_DAMAGED: "#indicator+num+health_facilities_damaged",
    Metric.SCHOOLS_DAMAGED: "#indicator+num+schools_damaged",
}
# Report ids per database query when streaming the reports list.
REPORT_BATCH = 500


@dataclass(frozen=True)
class Column:
    name: str
    hxl: str  # "" leaves the column untagged (HXL tools ignore it)
    description: str


@dataclass(frozen=True)
class Table:
    """What a download writes: named columns and rows of plain values (lazy for reports)."""

    kind: str
    columns: list[Column]
    rows: Iterable[list]


def area_tag(level: int | str | None, attribute: str) -> str:
    """#adm1+code ... for an admin level (#country at 0); "N" gives the pattern, for help."""
    if level is None:
        return ""
    return f"#country+{attribute}" if level == 0 else f"#adm{level}+{attribute}"


def breakdown_level(answer) -> int | None:
    """The admin level of the area rows (the engine's default: one below the area asked);
    None below the finest level, where there is no breakdown."""
    if answer.question.level is not None:
        return answer.question.level
    level = answer.area.admin_level + 1 if answer.area is not None else AdminLevel.STATE
    return level if level in AdminLevel.values else None


def representative_points(answer) -> dict[str, tuple[Decimal, Decimal, str]]:
    """P-code -> (latitude, longitude, where the point comes from) for the area rows. The
    gazetteer gives points to towns only; a larger area without a point of its own is placed
    at the average of the points of the places within it, and says so."""
    points = {
        row.pcode: (row.latitude, row.longitude, "gazetteer")
        for row in answer.by_area
        if row.pcode and row.latitude is not None and row.longitude is not None
    }
    missing = {row.pcode for row in answer.by_area if row.pcode and row.pcode not in points}
    level = breakdown_level(answer)
    if not missing or level is None:
        return points
    within: dict[str, list[tuple[Decimal, Decimal]]] = {}
    inside = Place.objects.filter(latitude__isnull=False, admin_level__gt=level)
    if answer.area is not None:
        inside = inside.filter(path__startswith=answer.area.path)
    for path, latitude, longitude in inside.values_list("path", "latitude", "longitude"):
        codes = path.strip("/").split("/")
        if len(codes) > level and codes[level] in missing:
            within.setdefault(codes[level], []).append((latitude, longitude))
    for pcode, found in within.items():
        points[pcode] = (
            round(sum(lat for lat, _ in found) / len(found), 6),
            round(sum(lon for _, lon in found) / len(found), 6),
            f"average of {len(found)} place{'s' if len(found) != 1 else ''} within",
        )
    return points


def area_label(answer) -> str:
    return answer.area.display_name if answer.area is not None else "All areas"


def metric_columns(metrics) -> list[Column]:
    columns = []
    for metric in metrics:
        label, tag = Metric(metric).label, HXL_METRIC[metric]
        how = "latest figure at the period's end" if MEASURE[metric] == Measure.STOCK else "sum"
        columns += [
            Column(metric, tag, f"{label}: best estimate ({how})"),
            Column(f"{metric}_low", f"{tag}+min", f"{label}: low end of the range"),
            Column(f"{metric}_high", f"{tag}+max", f"{label}: high end of the range"),
            Column(f"{metric}_events", f"#meta+events+{metric}", f"{label}: events counted"),
            Column(f"{metric}_reports", f"#meta+reports+{metric}", f"{label}: approved reports"),
            Column(f"{metric}_sources", f"#meta+sources+{metric}", f"{label}: distinct sources"),
        ]
    return columns


def _metric_values(totals, metrics) -> list[int]:
    values = []
    for metric in metrics:
        t = totals[metric]
        values += [t.best, t.low, t.high, t.events, t.reports, t.sources]
    return values


def _coordinate(value):
    return "" if value is None else float(value)


def _point(point) -> list:
    return ["", "", ""] if point is None else [float(point[0]), float(point[1]), point[2]]


def sort_areas(rows, sort: str = ""):
    """The area rows in the order the page shows them: the engine's, or by name or by a
    metric's best estimate ("-" for descending); the "unspecified within" row stays last."""
    areas = [r for r in rows if not r.unspecified]
    rest = [r for r in rows if r.unspecified]
    if sort:
        key, descending = sort.removeprefix("-"), sort.startswith("-")
        if key == "name":
            areas.sort(key=lambda r: r.name.casefold(), reverse=descending)
        else:
            areas.sort(key=lambda r: (r.totals[key].best, r.name), reverse=descending)
    return areas + rest


def area_columns(level) -> list[Column]:
    return [
        Column("row", "", "total (the whole area asked), area, or unspecified"),
        Column("period_start", "#date+start", "first day counted (blank: from the beginning)"),
        Column("period_end", "#date+end", "last day counted (blank: up to today)"),
        Column("area_level", "", "admin level: 0 country, 1 state/region ... 4 town/tract"),
        Column("area_pcode", area_tag(level, "code"), "P-code (blank: unspecified within)"),
        Column("area_name", area_tag(level, "name"), "area name"),
        Column("latitude", "#geo+lat", "representative point of the area"),
        Column("longitude", "#geo+lon", "representative point of the area"),
        Column("point_from", "", "gazetteer, or the average of the points of places within"),
    ]


def period_columns(level) -> list[Column]:
    return [
        Column("period_start", "#date+start", "first day of the period"),
        Column("period_end", "#date+end", "last day of the period"),
        Column("period", "", "the period's label (Nov 2023, 2023-W45, 2023 Q4, 2023)"),
        Column("area_pcode", area_tag(level, "code"), "P-code of the area asked"),
        Column("area_name", area_tag(level, "name"), "name of the area asked"),
    ]


def areas_table(answer, *, with_total: bool = True, sort: str = "") -> Table:
    level = breakdown_level(answer)
    q = answer.question
    columns = area_columns(level) + metric_columns(answer.metrics)
    points = representative_points(answer)
    rows = []
    if with_total:
        area = answer.area
        rows.append(
            [
                "total",
                q.start or "",
                q.end or "",
                area.admin_level if area is not None else "",
                area.pcode if area is not None else "",
                area_label(answer),
                _coordinate(area.latitude if area is not None else None),
                _coordinate(area.longitude if area is not None else None),
                "gazetteer" if area is not None and area.latitude is not None else "",
                *_metric_values(answer.totals, answer.metrics),
            ]
        )
    for row in sort_areas(answer.by_area, sort):
        rows.append(
            [
                "unspecified" if row.unspecified else "area",
                q.start or "",
                q.end or "",
                answer.area.admin_level
                if row.unspecified and answer.area
                else 0
                if row.unspecified
                else level,
                row.pcode or "",
                row.name,
                *_point(points.get(row.pcode)),
                *_metric_values(row.totals, answer.metrics),
            ]
        )
    return Table("areas", columns, rows)


def periods_table(answer) -> Table:
    level = answer.area.admin_level if answer.area is not None else None
    columns = period_columns(level) + metric_columns(answer.metrics)
    pcode = answer.area.pcode if answer.area is not None else ""
    rows = [
        [row.start, row.end, row.label, pcode, area_label(answer)]
        + _metric_values(row.totals, answer.metrics)
        for row in answer.by_period
    ]
    return Table("periods", columns, rows)


REPORT_COLUMNS = [
    Column("report_id", "#meta+id", "the report's stable identifier"),
    Column("event_id", "#event+code", "the event it is linked to (blank: its own event)"),
    Column("event_name", "#event+name", "the event's name"),
    Column("title", "#description+title", "the report's title"),
    Column("start_date", "#date+start", "first day of what it reports"),
    Column("end_date", "#date+end", "last day (blank: one day)"),
    Column("date_precision", "", "day, week, month or year"),
    Column("place_pcode", "#loc+code", "P-code of the report's place"),
    Column("place_name", "#loc+name", "the place's name"),
    Column("place_type", "#loc+type", "what the gazetteer calls the unit (Township, Town ...)"),
    Column("latitude", "#geo+lat", "public point: the place's point unless released"),
    Column("longitude", "#geo+lon", "public point: the place's point unless released"),
    Column("cause", "#cause+code", "cause or means (code)"),
    Column("cause_name", "#cause+name", "cause or means"),
    Column("tags", "#meta+tags", "free tags, separated by semicolons"),
    Column("metric", "#indicator+code", "the figure's metric (code)"),
    Column("metric_name", "#indicator+name", "the figure's metric"),
    Column("measure", "#indicator+type", "flow (summed) or stock (latest figure)"),
    Column("as_reported", "#indicator+text", "the figure as reported, with its qualifier"),
    Column("count_low", "#indicator+num+min", "low count, in people or buildings"),
    Column("count_best", "#indicator+num", "best count, in people or buildings"),
    Column("count_high", "#indicator+num+max", "high count, in people or buildings"),
    Column("counted", "#meta+counted", "yes: the figure the total uses for its event"),
    Column("public_summary", "#description", "the summary a moderator approved"),
    Column("sources", "#meta+source", "public sources; confidential ones by type only"),
    Column("source_urls", "#meta+url", "links of the public sources"),
    Column("approved_at", "#date+approved", "when a moderator approved it"),
]


def reports_behind(question, metrics) -> tuple[set[int], set[tuple[int, str]]]:
    """The approved reports behind the numbers of each metric (engine.evidence), and the
    (report id, metric) pairs whose figure is the one counted for its event."""
    report_ids, counted = set(), set()
    for metric in metrics:
        for event in aggregates.evidence(question, metric):
            report_ids.update(event.report_ids)
            counted.add((event.reference_report_id, metric))
    return report_ids, counted


def public_reports_by_id(report_ids) -> Iterator:
    """Approved reports in id order, REPORT_BATCH per query, never all in memory at once."""
    ordered = sorted(report_ids)
    for start in range(0, len(ordered), REPORT_BATCH):
        batch = ordered[start : start + REPORT_BATCH]
        reports = (
            selectors.public_reports().filter(pk__in=batch).select_related("event").order_by("pk")
        )
        yield from reports.iterator(chunk_size=REPORT_BATCH)


def _report_rows(question, metrics) -> Iterator[list]:
    report_ids, counted = reports_behind(question, metrics)
    for report in public_reports_by_id(report_ids):
        sources = list(report.sources.all())
        latitude, longitude = selectors.public_point(report)
        shown = [publication.source_data(source) for source in sources]
        shared = dict(
            sources="; ".join(source["label"] for source in shown),
            urls=" ".join(source["url"] for source in shown if source["url"]),
            tags="; ".join(sorted(t.name for t in report.tags.all())),
        )
        for figure in report.figures.all():
            if figure.metric not in metrics:
                continue
            yield [
                report.pk,
                report.event_id or "",
                report.event.name if report.event else "",
                report.title,
                report.start_date,
                report.end_date or "",
                report.date_precision,
                report.place.pcode,
                report.place.display_name,
                report.place.kind,
                _coordinate(latitude),
                _coordinate(longitude),
                report.cause,
                str(Cause(report.cause).label) if report.cause else "",
                shared["tags"],
                figure.metric,
                str(Metric(figure.metric).label),
                MEASURE[figure.metric].value,
                figures.describe(figure),
                figure.count_low,
                figure.count_best,
                figure.count_high,
                "yes" if (report.pk, figure.metric) in counted else "no",
                report.public_summary,
                shared["sources"],
                shared["urls"],
                timezone.localtime(report.approved_at).date() if report.approved_at else "",
            ]


def reports_table(answer) -> Table:
    return Table("reports", REPORT_COLUMNS, _report_rows(answer.question, answer.metrics))
