"""The dashboard's downloads by name (DOWNLOADS), each the same Answer in one table and format,
with an About sheet that states the question and the counting method."""

from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from gazetteer.models import AdminLevel, Place
from reports import aggregates
from reports.vocabulary import Cause, Metric, SourceType

from .formats import csv_response, filename, geojson_response, xlsx_response
from .tables import areas_table, breakdown_level, periods_table, reports_table


def question_parts(answer, *, translated: bool = False) -> list[tuple[str, str, str]]:
    """The question in words, (what, label, value) per part: in English for a file's About
    sheet, in the reader's language for the pages (`translated`)."""
    t = gettext if translated else str
    q = answer.question
    metrics = ", ".join(str(Metric(m).label) for m in answer.metrics)
    today = timezone.localdate().isoformat()
    level = breakdown_level(answer)
    return [
        ("area", t(gettext_noop("Area")),
         f"{answer.area.display_name} ({answer.area.pcode})" if answer.area
         else t(gettext_noop("All areas"))),
        ("start", t(gettext_noop("From")),
         q.start.isoformat() if q.start else t(gettext_noop("the beginning of the data"))),
        ("end", t(gettext_noop("To")),
         q.end.isoformat() if q.end else t(gettext_noop("today (%(day)s)")) % {"day": today}),
        ("metrics", t(gettext_noop("Metrics")), metrics),
        *_filter_parts(q, translated=translated),
        ("level", t(gettext_noop("Breakdown")),
         t(gettext_noop("%(level)s (admin level %(number)s)"))
         % {"level": AdminLevel(level).label, "number": level}
         if level is not None
         else t(gettext_noop("none"))),
        *_destination_parts(q, t),
    ]  # fmt: skip


def _filter_parts(q, *, translated: bool) -> list[tuple[str, str, str]]:
    """The question's filters in words, (what, label, value) each ("any" where not set); a
    party by its name in the reader's language when `translated` (question_parts)."""
    t = gettext if translated else str
    return [
        ("cause", t(gettext_noop("Cause or means")),
         str(Cause(q.cause).label) if q.cause else t(gettext_noop("any"))),
        ("tag", t(gettext_noop("Tag")), q.tag or t(gettext_noop("any"))),
        ("source_type", t(gettext_noop("Source type")),
         str(SourceType(q.source_type).label) if q.source_type else t(gettext_noop("any"))),
        ("event", t(gettext_noop("Event")), f"#{q.event}" if q.event else t(gettext_noop("any"))),
        ("perpetrator", t(gettext_noop("Alleged perpetrator")),
         _perpetrator_words(q, t, translated)),
    ]  # fmt: skip


def filters_in_words(question) -> list[tuple[str, str]]:
    """The filters the question sets, (label, value) each, in the reader's language: the line
    a page shows under its title, so that a number is never read as the unfiltered one."""
    return [
        (label, value)
        for what, label, value in _filter_parts(question, translated=True)
        if getattr(question, what)
    ]


def _perpetrator_words(question, t, translated: bool) -> str:
    from reports.models import UNKNOWN, Party

    if not question.perpetrator:
        return t(gettext_noop("any"))
    if question.perpetrator == UNKNOWN:
        return t(gettext_noop("unknown"))
    party = Party.objects.filter(slug=question.perpetrator).first()
    if party is None:
        return question.perpetrator
    return party.reader_name() if translated else str(party)


def _destination_parts(q, t) -> list[tuple[str, str, str]]:
    """Where people went, when the question asks (left out otherwise)."""
    parts = []
    if q.destination == "none":
        parts.append(
            (
                "destination",
                t(gettext_noop("Destination")),
                t(gettext_noop("not given (destination unknown)")),
            )
        )
    elif q.destination:
        place = Place.objects.filter(pcode=q.destination).first()
        name = f"{place.display_name} ({place.pcode})" if place else q.destination
        parts.append(
            (
                "destination",
                t(gettext_noop("Destination")),
                t(gettext_noop("within %(place)s")) % {"place": name},
            )
        )
    if q.by == "destination":
        parts.append(("by", t(gettext_noop("Rows")), t(gettext_noop("by where people went"))))
    return parts


def question_summary(answer, *, translated: bool = False) -> list[tuple[str, str]]:
    """The question in words, (label, value) per part (question_parts)."""
    return [(label, value) for _, label, value in question_parts(answer, translated=translated)]


def about_rows(answer, url: str) -> list[tuple[str, str]]:
    rows = [("Question", url), *question_summary(answer)]
    rows.append(("Generated", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")))
    rows += [("Method", sentence) for sentence in aggregates.methodology()]
    return rows


DOWNLOADS = {
    # name: (format, what it holds: shown on the dashboard in the reader's language)
    "areas.csv": ("CSV", gettext_lazy("totals by area")),
    "areas-hxl.csv": ("HXL CSV", gettext_lazy("totals by area, HXL-tagged")),
    "areas.geojson": ("GeoJSON", gettext_lazy("area points with their totals")),
    "periods.csv": ("CSV", gettext_lazy("time series")),
    "periods-hxl.csv": ("HXL CSV", gettext_lazy("time series, HXL-tagged")),
    "table.xlsx": ("XLSX", gettext_lazy("totals by area and time series")),
    "reports.csv": ("CSV", gettext_lazy("approved reports behind the numbers")),
    "reports-hxl.csv": ("HXL CSV", gettext_lazy("approved reports, HXL-tagged")),
    "reports.xlsx": ("XLSX", gettext_lazy("approved reports behind the numbers")),
}


def download(name: str, answer, url: str, *, sort: str = "", behind=None):
    """The response for one of DOWNLOADS (the caller checked the name); `url` is the absolute
    address of the question, whose site makes the evidence links absolute; `behind` the
    reports behind the numbers (tables.reports_behind) when the caller has them."""
    kind, _, extension = name.partition(".")
    hxl = kind.endswith("-hxl")
    kind = kind.removesuffix("-hxl")
    file = filename(answer, kind + ("-hxl" if hxl else ""), extension)
    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    if extension == "geojson":
        return geojson_response(answer, file, sort, site)
    if kind == "areas":
        table = areas_table(answer, with_total=not hxl, sort=sort, site=site)
        return csv_response(table, file, hxl=hxl)
    if kind == "periods":
        return csv_response(periods_table(answer, site=site), file, hxl=hxl)
    if kind == "table":
        sheets = [
            ("By area", areas_table(answer, sort=sort, site=site)),
            ("By period", periods_table(answer, site=site)),
        ]
        return xlsx_response(sheets, about_rows(answer, url), file)
    if extension == "xlsx":
        sheets = [("Reports", reports_table(answer, behind))]
        return xlsx_response(sheets, about_rows(answer, url), file)
    return csv_response(reports_table(answer, behind), file, hxl=hxl)
