"""The tables of a download: totals by area and by period, and the approved reports behind
them, as columns with their HXL tags (docs/api.md)."""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse

from gazetteer.models import AdminLevel, Place
from reports import aggregates, selectors
from reports.vocabulary import MEASURE, Measure, Metric

# Tables
#   areas    one row per area of the breakdown, after a first row with the total of the area
#            asked ("row" says which); the HXL variant leaves that total row out, because its
#            area is one level up from the tagged #admN columns (HXL tools sum the rows).
#   periods  one row per period of the time series, then the figures longer than one period
#            (counted in the total, in no period row: their metric columns hold what they add,
#            so the period rows and these add up to the total), then the figures spanning
#            beyond the period asked.
#   Spanning rows (DOMAIN.md rule 3) give the figure's own span, and its place, numbers and
#   evidence in the figure_* columns (its place at any level: not in the #admN columns). A
#   metric column always holds what the row contributes to the total: a "spanning beyond" row
#   leaves them blank, since it is not in it, and the areas table ends with those rows.
#   Booleans are written true/false in CSV; a stock's dates are blank for flows (no columns).
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
#   +min / +max on a metric's tag  the low and high ends of its range (+max blank when open)
#   #meta+events/+reports/+sources+<metric>   how many events, reports and sources are behind it
#   #meta+high_open/+approximate/+at_most/+qualifier+<metric>   what qualifies a total (rule 7)
#   #date+as_of+oldest/+newest+<metric>, #status+stale+<metric>   a stock's dates (rule 4)
#   #meta+row                      what a row is: total, area, unspecified, period, spanning
#                                  beyond, longer than a period; by destination also
#                                  "destination outside the area" (its state: area_level 1)
#                                  and "destination unknown"
#   #indicator+code/+name, #indicator+num(+min/+max/+adds), #indicator+qualifier, #event+code,
#   #meta+id, #meta+url            a spanning figure's own numbers and its evidence
#   #meta+id, #event+code/+name, #description+title, #description, #loc+code/+name/+type,
#   #cause+code/+name, #indicator+code/+name/+type/+text/+num, #meta+counted, #meta+tags,
#   #meta+source, #meta+url, #date+approved    the columns of the reports list.
#   #loc+dest+code / #loc+dest+name   where a displacement figure's people went (HXL 1.1's
#                                  +dest attribute, "place of destination", on #loc).

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
REPORT_BATCH = 2000


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
    # True when the rows hold only text, numbers and dates (no booleans or times), which the
    # csv module writes as the files do: CSV skips converting each value (formats.csv_lines).
    plain: bool = False


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
        stock = MEASURE[metric] == Measure.STOCK
        how = "latest figure at the period's end" if stock else "sum"
        columns += [
            Column(metric, tag, f"{label}: best estimate ({how})"),
            Column(f"{metric}_low", f"{tag}+min", f"{label}: low end of the range"),
            Column(
                f"{metric}_high",
                f"{tag}+max",
                f"{label}: high end of the range (blank when high_open: no finite high)",
            ),
            Column(f"{metric}_events", f"#meta+events+{metric}", f"{label}: events counted"),
            Column(f"{metric}_reports", f"#meta+reports+{metric}", f"{label}: approved reports"),
            Column(
                f"{metric}_sources",
                f"#meta+sources+{metric}",
                f"{label}: sources (a confidential one once per report citing it)",
            ),
            Column(
                f"{metric}_high_open",
                f"#meta+high_open+{metric}",
                f'{label}: true when the total rests on an "at least" figure (a lower bound)',
            ),
            Column(
                f"{metric}_approximate",
                f"#meta+approximate+{metric}",
                f'{label}: true when it rests on an "approximately" figure',
            ),
            Column(
                f"{metric}_at_most",
                f"#meta+at_most+{metric}",
                f'{label}: true when an "at most" figure adds to it',
            ),
            Column(
                f"{metric}_qualifier",
                f"#meta+qualifier+{metric}",
                f"{label}: at_least, at_most, approximately or exact",
            ),
        ]
        if stock:
            columns += [
                Column(
                    f"{metric}_as_of_oldest",
                    f"#date+as_of+oldest+{metric}",
                    f"{label}: date of the oldest figure standing",
                ),
                Column(
                    f"{metric}_as_of_newest",
                    f"#date+as_of+newest+{metric}",
                    f"{label}: date of the newest figure standing",
                ),
                Column(
                    f"{metric}_stale",
                    f"#status+stale+{metric}",
                    f"{label}: true when a figure standing is older than the staleness limit "
                    "at the period's end (not current)",
                ),
            ]
    return columns


def total_values(total, metric: str) -> list:
    """The metric_columns of one total, in their order."""
    values = [
        total.best,
        total.low,
        "" if total.high_open else total.high,
        total.events,
        total.reports,
        total.sources,
        total.high_open,
        total.approximate,
        total.at_most,
        total.qualifier,
    ]
    if MEASURE[metric] == Measure.STOCK:
        values += [total.as_of_oldest or "", total.as_of_newest or "", total.stale]
    return values


def _metric_values(totals, metrics) -> list:
    values = []
    for metric in metrics:
        values += total_values(totals[metric], metric)
    return values


def _blank_metric_values(metrics, only: str = "", total=None) -> list:
    """A spanning row's metric columns: what it adds to the total under its own metric (a
    "longer than a period" row), blank elsewhere."""
    values = []
    for metric in metrics:
        if metric == only and total is not None:
            values += total_values(total, metric)
        else:
            values += [""] * (10 + 3 * (MEASURE[metric] == Measure.STOCK))
    return values


SPANNING_COLUMNS = [
    Column("figure_metric", "#indicator+code", "spanning rows: the figure's metric"),
    Column("figure_name", "#indicator+name", "spanning rows: the event's name, or the report's"),
    # Not in the area columns: those are tagged #admN for the breakdown's level N, and a
    # figure's place may be at any level (a state's figure under #adm3+code broke joins).
    Column("figure_pcode", "#loc+code", "spanning rows: P-code of the figure's place (any level)"),
    Column("figure_place", "#loc+name", "spanning rows: the figure's place"),
    Column("figure_level", "", "spanning rows: its admin level (0 country ... 4 town/tract)"),
    Column("event_id", "#event+code", "spanning rows: its event (blank: the report is its own)"),
    Column("figure_best", "#indicator+num", "spanning rows: the figure itself (best)"),
    Column("figure_low", "#indicator+num+min", "spanning rows: its event's lowest figure"),
    Column(
        "figure_high",
        "#indicator+num+max",
        'spanning rows: its event\'s highest figure (blank when it is an "at least" figure)',
    ),
    Column(
        "figure_qualifier",
        "#indicator+qualifier",
        "spanning rows: at_least, at_most, approximately or exact",
    ),
    Column(
        "figure_adds",
        "#indicator+num+adds",
        "spanning rows: what it adds beyond the figures it covers (rule 5)",
    ),
    Column("report_id", "#meta+id", "spanning rows: the report whose figure it is (evidence)"),
    Column("evidence_url", "#meta+url", "spanning rows: the report's public record"),
]
SPANNING_BLANK = [""] * len(SPANNING_COLUMNS)

ROW_BEYOND = "spanning beyond"
ROW_LONGER = "longer than a period"


def _spanning_values(figure, site: str, place) -> list:
    counted = figure.counted
    return [
        figure.metric,
        figure.name,
        figure.pcode,
        figure.place_name,
        place.admin_level if place is not None else "",
        figure.event_id or "",
        counted.best,
        counted.low,
        "" if counted.high_open else counted.high,
        counted.qualifier,
        figure.adds.best,
        figure.report_id,
        site + reverse("api-report-detail", args=[figure.report_id]),
    ]


def spanning_figures(answer, which: str) -> list:
    """(metric, figure) for the answer's `beyond` or `longer` figures, in the metrics' order."""
    by_metric = getattr(answer, which)
    return [(m, f) for m in answer.metrics for f in by_metric.get(m, ())]


def _places(figures) -> dict:
    codes = {f.pcode for _, f in figures if f.pcode}
    if not codes:
        return {}
    return {
        p.pcode: p
        for p in Place.objects.filter(pcode__in=codes).only(
            "pcode", "admin_level", "latitude", "longitude"
        )
    }


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
        Column(
            "row",
            "#meta+row",
            "total (the whole area asked), area, unspecified, or spanning beyond (a figure "
            "reaching outside the period asked: not in the total); by destination also "
            "destination outside the area (its state or region) and destination unknown",
        ),
        Column(
            "period_start",
            "#date+start",
            "first day counted (blank: from the beginning); spanning rows: the figure's first day",
        ),
        Column(
            "period_end",
            "#date+end",
            "last day counted (blank: up to today); spanning rows: the figure's last day",
        ),
        Column("area_level", "", "admin level: 0 country, 1 state/region ... 4 town/tract"),
        Column(
            "area_pcode",
            area_tag(level, "code"),
            "P-code (blank: unspecified within, and spanning rows: see figure_pcode)",
        ),
        Column("area_name", area_tag(level, "name"), "area name"),
        Column("latitude", "#geo+lat", "representative point of the area"),
        Column("longitude", "#geo+lon", "representative point of the area"),
        Column("point_from", "", "gazetteer, or the average of the points of places within"),
    ]


def period_columns(level) -> list[Column]:
    return [
        Column(
            "row",
            "#meta+row",
            "period, longer than a period (in the total, in no period row), or spanning "
            "beyond (reaching outside the period asked: not in the total)",
        ),
        Column(
            "period_start", "#date+start", "first day of the period (spanning rows: of the figure)"
        ),
        Column("period_end", "#date+end", "last day of the period (spanning rows: of the figure)"),
        Column("period", "", "the period's label (Nov 2023, 2023-W45, 2023 Q4, 2023)"),
        Column(
            "area_pcode",
            area_tag(level, "code"),
            "P-code of the area asked (blank on spanning rows: see figure_pcode)",
        ),
        Column(
            "area_name", area_tag(level, "name"), "name of the area asked (blank on spanning rows)"
        ),
    ]


# A breakdown by destination (Question.by): rows that are not places within the area.
ROW_OUTSIDE = "destination outside the area"  # a state or region outside the area asked
ROW_UNKNOWN = "destination unknown"


def _row_kind(row) -> str:
    if row.where == "outside":
        return ROW_OUTSIDE
    if row.where == "unknown":
        return ROW_UNKNOWN
    return "unspecified" if row.unspecified else "area"


def areas_table(answer, *, with_total: bool = True, sort: str = "", site: str = "") -> Table:
    """`site` ("https://host") makes the evidence links absolute."""
    level = breakdown_level(answer)
    q = answer.question
    columns = area_columns(level) + metric_columns(answer.metrics) + SPANNING_COLUMNS
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
                *SPANNING_BLANK,
            ]
        )
    for row in sort_areas(answer.by_area, sort):
        rows.append(
            [
                _row_kind(row),
                q.start or "",
                q.end or "",
                1
                if row.where == "outside"
                else answer.area.admin_level
                if row.unspecified and answer.area
                else 0
                if row.unspecified
                else level,
                row.pcode or "",
                row.name,
                *_point(points.get(row.pcode)),
                *_metric_values(row.totals, answer.metrics),
                *SPANNING_BLANK,
            ]
        )
    beyond = spanning_figures(answer, "beyond")
    places = _places(beyond)
    for _, figure in beyond:
        place = places.get(figure.pcode)
        rows.append(
            [
                ROW_BEYOND,
                figure.start,
                figure.end,
                "",
                "",
                "",
                *_place_point(place),
                *_blank_metric_values(answer.metrics),
                *_spanning_values(figure, site, place),
            ]
        )
    return Table("areas", columns, rows)


def _place_point(place) -> list:
    if place is None or place.latitude is None or place.longitude is None:
        return ["", "", ""]
    return [float(place.latitude), float(place.longitude), "gazetteer"]


def periods_table(answer, *, site: str = "") -> Table:
    level = answer.area.admin_level if answer.area is not None else None
    columns = period_columns(level) + metric_columns(answer.metrics) + SPANNING_COLUMNS
    pcode = answer.area.pcode if answer.area is not None else ""
    rows = [
        ["period", row.start, row.end, row.label, pcode, area_label(answer)]
        + _metric_values(row.totals, answer.metrics)
        + SPANNING_BLANK
        for row in answer.by_period
    ]
    for kind, which in ((ROW_LONGER, "longer"), (ROW_BEYOND, "beyond")):
        spanning = spanning_figures(answer, which)
        places = _places(spanning)
        for metric, figure in spanning:
            adds = figure.adds if which == "longer" else None
            rows.append(
                [kind, figure.start, figure.end, "", "", ""]
                + _blank_metric_values(answer.metrics, metric, adds)
                + _spanning_values(figure, site, places.get(figure.pcode))
            )
    return Table("periods", columns, rows)


PERPETRATOR_COLUMNS = [
    Column(
        "perpetrator",
        "#group+code+perpetrator",
        "alleged perpetrator: a party's short code, unknown, or blank (not stated)",
    ),
    Column("perpetrator_name", "#group+name+perpetrator", "alleged perpetrator: the party's name"),
    Column(
        "perpetrator_sources",
        "#meta+source+perpetrator",
        "the sources alleging it (confidential ones by type only; a party's claim is labelled)",
    ),
]


def perpetrator_values(alleged: dict) -> dict:
    """The PERPETRATOR_COLUMNS of a report, from its public record's "alleged_perpetrator"
    (publication.perpetrator_data): the same words in the downloads and the API."""
    party = alleged["party"]
    return {
        "perpetrator": alleged["code"] or "",
        "perpetrator_name": party["name"] if party else ("unknown" if alleged["code"] else ""),
        "perpetrator_sources": "; ".join(source["label"] for source in alleged["sources"]),
    }


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
    # The alleged perpetrator: HXL's #group (as ACLED's actors on HDX, #group+name+first),
    # with the attribute +perpetrator; the sources that make the allegation beside it.
    *PERPETRATOR_COLUMNS,
    Column("tags", "#meta+tags", "free tags, separated by semicolons"),
    Column("metric", "#indicator+code", "the figure's metric (code)"),
    Column("metric_name", "#indicator+name", "the figure's metric"),
    Column("measure", "#indicator+type", "flow (summed) or stock (latest figure)"),
    Column("as_reported", "#indicator+text", "the figure as reported, with its qualifier"),
    Column("count_low", "#indicator+num+min", "low count, in people or buildings"),
    Column("count_best", "#indicator+num", "best count, in people or buildings"),
    Column("count_high", "#indicator+num+max", "high count, in people or buildings"),
    Column("counted", "#meta+counted", "yes: the figure the total uses for its event"),
    Column("destination_pcode", "#loc+dest+code", "P-code of where the people went (displacement)"),
    Column("destination_name", "#loc+dest+name", "where the people went (blank: not reported)"),
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
        for counted_id, ids in aggregates.reports_counted(question, metric):
            report_ids.update(ids)
            counted.add((counted_id, metric))
    return report_ids, counted


def public_reports_by_id(report_ids) -> Iterator:
    """Approved reports in id order, REPORT_BATCH per query, never all in memory at once."""
    ordered = sorted(report_ids)
    for start in range(0, len(ordered), REPORT_BATCH):
        batch = ordered[start : start + REPORT_BATCH]
        reports = (
            selectors.public_reports()
            .filter(pk__in=batch)
            .select_related("event", "perpetrator")
            .prefetch_related("perpetrator_sources__party")
            .order_by("pk")
        )
        yield from reports.iterator(chunk_size=REPORT_BATCH)


def public_documents_by_id(report_ids) -> Iterator[tuple[int, str]]:
    """(report id, public record) of approved reports in id order, REPORT_BATCH per query:
    the documents reports.publication keeps, the one public shape of a report."""
    ordered = sorted(report_ids)
    for start in range(0, len(ordered), REPORT_BATCH):
        yield from documents_of_batch(ordered[start : start + REPORT_BATCH])


def documents_of_batch(batch: list[int]) -> Iterator[tuple[int, str]]:
    """The public records of these report ids (sorted), in id order. Dense ids (most of a
    range, as in an unfiltered question) are read as the range and filtered here: a query with
    thousands of parameters costs more to send than the few records skipped."""
    records = selectors.public_records().order_by("report_id")
    if batch[-1] - batch[0] < 2 * len(batch):
        wanted = set(batch)
        ranged = records.filter(report_id__gte=batch[0], report_id__lte=batch[-1])
        for pk, document in ranged.values_list("report_id", "document"):
            if pk in wanted:
                yield pk, document
        return
    yield from records.filter(report_id__in=batch).values_list("report_id", "document")


def document_rows(report: dict, metrics, counted: set[tuple[int, str]] | None) -> Iterator[list]:
    """The REPORT_COLUMNS rows of one public record (a dict), one per figure of `metrics`;
    `counted` None leaves the column out (the API's rows, which belong to no question).
    Plain dict look-ups, no model instances: this is the loop a large download spends its
    time in (docs/exports.md)."""
    pk = report["id"]
    event = report["event"]
    place = report["place"]
    latitude, longitude = report["latitude"], report["longitude"]
    sources = report["sources"]
    approved = report["approved_at"]
    end = report["end_date"]
    alleged = perpetrator_values(report["alleged_perpetrator"])
    head = [
        pk,
        event["id"] if event else "",
        event["name"] if event else "",
        report["title"],
        date.fromisoformat(report["start_date"]),
        date.fromisoformat(end) if end else "",
        report["date_precision"],
        place["pcode"],
        place["name"],
        place["kind"],
        "" if latitude is None else latitude,
        "" if longitude is None else longitude,
        report["cause"],
        report["cause_name"] or "",
        alleged["perpetrator"],
        alleged["perpetrator_name"],
        alleged["perpetrator_sources"],
        "; ".join(report["tags"]),
    ]
    tail = [
        report["public_summary"],
        "; ".join(source["label"] for source in sources),
        " ".join(source["url"] for source in sources if source["url"]),
        # DRF writes local times: the date is the local day it was approved.
        date.fromisoformat(approved[:10]) if approved else "",
    ]
    for figure in report["figures"]:
        metric = figure["metric"]
        if metric not in metrics:
            continue
        destination = figure.get("destination")
        middle = [
            metric,
            figure["metric_name"],
            figure["measure"],
            figure["as_reported"],
            figure["count_low"],
            figure["count_best"],
            figure["count_high"],
        ]
        if counted is not None:
            middle.append("yes" if (pk, metric) in counted else "no")
        if destination:
            middle += [destination["pcode"], destination["name"]]
        else:
            middle += ["", ""]
        yield head + middle + tail


def _report_rows(question, metrics, behind=None) -> Iterator[list]:
    report_ids, counted = behind or reports_behind(question, metrics)
    wanted = set(metrics)
    loads = json.loads
    for _, document in public_documents_by_id(report_ids):
        yield from document_rows(loads(document), wanted, counted)


def reports_answer(question) -> "aggregates.Answer":
    """What the reports list and its file name and About sheet need of an answer (the
    question, its area and metrics) without counting anything: the list's rows come from the
    engine's evidence (reports_behind), not from its totals, which would cost as much again."""
    plan = aggregates.make_plan(question)
    return aggregates.Answer(
        question=question, area=plan.area, metrics=plan.metrics, totals={}, by_area=[],
        by_period=[],
    )  # fmt: skip


def estimated_rows(question, area) -> int:
    """At most how many rows the reports list of `question` has: the figures of its metrics
    in approved reports in its area overlapping its dates (one indexed count; the engine's
    other rules only take rows away). Decides whether a download streams or becomes a job
    before anything is counted, so that the decision itself stays quick."""
    from django.db.models import Q

    from reports.models import Figure
    from reports.workflow import Status

    figures = Figure.objects.filter(report__status=Status.APPROVED)
    if question.metrics:
        figures = figures.filter(metric__in=question.metrics)
    if area is not None:
        figures = figures.filter(report__place__path__startswith=area.path)
    if question.end is not None:
        figures = figures.filter(report__start_date__lte=question.end)
    if question.start is not None:
        figures = figures.filter(
            Q(report__end_date__gte=question.start)
            | Q(report__end_date__isnull=True, report__start_date__gte=question.start)
        )
    if question.cause:
        figures = figures.filter(report__cause=question.cause)
    if question.event:
        figures = figures.filter(report__event_id=question.event)
    return figures.count()


def reports_table(answer, behind=None) -> Table:
    """`behind`: reports_behind() of the answer's question, when the caller has it already."""
    rows = _report_rows(answer.question, answer.metrics, behind)
    return Table("reports", REPORT_COLUMNS, rows, plain=True)
