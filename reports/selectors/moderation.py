"""Reads for the moderation pages: the queue, counts, likely duplicates, an event's figures.
They show everything; only moderators may call them, which the pages check once."""

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gazetteer.models import AdminLevel, Place

from ..models import Event, Figure, Report, Source
from ..vocabulary import (
    SUBJECT,
    Metric,
    Subject,
)
from ..workflow import Status

DUPLICATE_WINDOW_DAYS = 7


NEARBY_KM = 5


DUPLICATE_STATUSES = (Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.APPROVED)


def moderation_reports() -> QuerySet[Report]:
    """Every report, with what the moderation queue shows of each."""
    return Report.objects.select_related(
        "place", "organization", "submitted_by", "event"
    ).prefetch_related("figures")


# Words of a queue search beyond these are ignored: each costs a few subqueries.
MAX_SEARCH_WORDS = 8
# The full-text configuration of the title and summary index (migration 0021_queue_search):
# "simple" lowercases without stemming, so English and Burmese reports are treated alike.
SEARCH_CONFIG = "simple"
# Spaces and punctuation (ASCII, general and Burmese: ၊ ။) separate the words of a search. Not
# \W: Python counts Burmese vowel signs as non-word characters, and would cut words apart.
_BETWEEN_WORDS = re.compile(r"[\s!-/:-@\[-`{-~\u104a\u104b\u2000-\u206f\u3000]+")


def _is_burmese(word: str) -> bool:
    return any("\u1000" <= ch <= "\u109f" for ch in word)


def _places_named(word: str) -> QuerySet[Place, Any]:
    """Places whose English or Burmese name (or kind of unit: "township") contains the word,
    or one of whose ancestors' does: a report's place is where it happened and everything
    above it. The gazetteer is five levels deep, so four joins up the parents cover it."""
    named = Place.objects.filter(
        Q(name_en__icontains=word) | Q(name_local__icontains=word) | Q(kind__icontains=word)
    ).values("pk")
    return Place.objects.filter(
        Q(pk__in=named)
        | Q(parent__in=named)
        | Q(parent__parent__in=named)
        | Q(parent__parent__parent__in=named)
        | Q(parent__parent__parent__parent__in=named)
    ).values("pk")


def _text_matches(word: str) -> QuerySet[Report, Any]:
    """The ids of reports whose title or public summary has the word. On PostgreSQL, a
    Latin-script word is a prefix match in the full-text index ("displac" finds "displaced");
    Burmese is written without spaces between words, so there, and on SQLite, it is a substring
    match."""
    if connection.vendor == "postgresql" and not _is_burmese(word):
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # The same expression as the index, so PostgreSQL answers from it.
        vector = SearchVector("title", "public_summary", config=SEARCH_CONFIG)
        query = SearchQuery(f"'{word}':*", config=SEARCH_CONFIG, search_type="raw")
        return Report.objects.annotate(search=vector).filter(search=query).order_by().values("pk")
    return (
        Report.objects.filter(Q(title__icontains=word) | Q(public_summary__icontains=word))
        .order_by()
        .values("pk")
    )


def search_words(text: str) -> list[str]:
    """The words of what a moderator typed into the queue's search box, at most
    MAX_SEARCH_WORDS (punctuation separates words: it is not searched)."""
    words = _BETWEEN_WORDS.split(str(text or "").replace("\x00", " "))
    return [word for word in words if word][:MAX_SEARCH_WORDS]


def _reports_with_word(word: str) -> QuerySet[Any, Any]:
    """The ids of the reports with the word in any field the search reads, as one UNION of
    indexed reads (the full-text index, reports by place, a source's or tag's name), which
    PostgreSQL runs once: an OR of the same subqueries made it test every report in turn."""
    sources = Source.objects.filter(name__icontains=word).values("pk")
    # The places first (the gazetteer is small), so that the reports are read by their place
    # index rather than tested one by one against the places' subquery.
    places = list(_places_named(word).values_list("pk", flat=True))
    return _text_matches(word).union(
        Report.objects.filter(place_id__in=places).order_by().values("pk"),
        Report.sources.through.objects.filter(source__in=sources).order_by().values("report_id"),
        Report.objects.filter(tags__name__icontains=word).order_by().values("pk"),
    )


def queue_search(reports: QuerySet[Report], text: str) -> QuerySet[Report]:
    """The reports in which every word typed appears: in the title, the public summary, the
    names of the place or of a place above it (English or Burmese), a source's name or a
    tag. Each word is one subquery of report ids: no per-row queries, no joins that would repeat
    a report."""
    for word in search_words(text):
        reports = reports.filter(pk__in=_reports_with_word(word))
    return reports


# The queue counts each status up to this many and says "more than" beyond: counting a million
# rows on every load would cost more than the rest of the page.
COUNT_LIMIT = 10_000


def status_counts(
    reports: QuerySet[Report], limit: int = COUNT_LIMIT, *, searched: bool = False
) -> dict[str, int]:
    """How many of `reports` are in each status, every status present (zeros included). Each is
    counted up to `limit` + 1 (a count above `limit` means "more than `limit`"), by the status
    index, all in one query (one round trip, not one a status); a searched queue is counted in
    one grouped query instead, which runs the search once rather than once a status."""
    reports = reports.order_by()
    if searched:
        counts = dict(reports.values_list("status").annotate(n=Count("pk")))
        return {status: min(counts.get(status, 0), limit + 1) for status in Status.values}
    parts: list[str] = []
    params: list[Any] = []
    for status in Status.values:
        try:
            sql, status_params = (
                reports.filter(status=status).values("pk")[: limit + 1].query.sql_with_params()
            )
        except EmptyResultSet:  # a filter that can match nothing (e.g. pk__in=[])
            return dict.fromkeys(Status.values, 0)
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608 - compiled by Django
        params.extend(status_params)
    with connection.cursor() as cursor:
        # The statements are Django's own, compiled with their parameters kept apart.
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(Status.values, cursor.fetchone(), strict=True))


def _distinct_report_places() -> RawSQL:
    """The ids of the places reports are filed at, as a subquery: a loose index scan of the
    reports' place index (one probe per place), not a read of every report."""
    table = connection.ops.quote_name(Report._meta.db_table)
    return RawSQL(  # noqa: S611 - no parameters; the only name is the table's, quoted
        f"""
        WITH RECURSIVE found(place_id) AS (
            SELECT MIN(place_id) FROM {table}
            UNION ALL
            SELECT (SELECT MIN(r.place_id) FROM {table} r WHERE r.place_id > found.place_id)
            FROM found WHERE found.place_id IS NOT NULL
        )
        SELECT place_id FROM found WHERE place_id IS NOT NULL""",  # noqa: S608 - a table name
        (),
    )


def places_with_reports(max_level: int = AdminLevel.TOWNSHIP) -> list[Place]:
    """The states, districts and townships that have reports in or beneath them, in the
    gazetteer's order: the useful choices for the queue's place filter (the full gazetteer has
    thousands of places). Two queries, and no list of ids or codes sent back as parameters
    (at 300,000 reports over 1,735 places, sending the codes back cost 47 ms of 92)."""
    codes: set[str] = set()
    for path in Place.objects.filter(pk__in=_distinct_report_places()).values_list(
        "path", flat=True
    ):
        codes.update(path.split("/"))
    # Few places are at these levels (MIMU: about 400): all are read and the used ones kept.
    return [
        place
        for place in Place.objects.filter(admin_level__gte=1, admin_level__lte=max_level)
        if place.pcode in codes
    ]


def awaiting_review(limit: int = 10) -> tuple[int, list[Report]]:
    """How many reports await a moderator's decision, and the `limit` that have waited longest."""
    waiting = Report.objects.filter(status=Status.SUBMITTED)
    oldest = waiting.select_related("place", "organization").order_by("submitted_at", "pk")
    return waiting.count(), list(oldest[:limit])


@dataclass(frozen=True)
class LikelyDuplicate:
    report: Report
    score: float
    reasons: tuple[str, ...]


def _point(report: Report) -> tuple[float, float] | None:
    if report.latitude is not None and report.longitude is not None:
        return float(report.latitude), float(report.longitude)
    if report.place.latitude is not None and report.place.longitude is not None:
        return float(report.place.latitude), float(report.place.longitude)
    return None


def _km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), good to a few metres at these distances."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _last_day(report: Report) -> date:
    return report.end_date or report.start_date


def report_days() -> Func:
    """A report's days as a PostgreSQL date range, its first to its last day included: the
    expression of the GiST index made by migration 0033, so that overlaps are read from it."""
    from django.contrib.postgres.fields import DateRangeField

    return Func(
        F("start_date"),
        Coalesce("end_date", "start_date"),
        Value("[]"),
        function="daterange",
        output_field=DateRangeField(),
    )


def _overlapping(reports: QuerySet[Report], first: date, last: date) -> QuerySet[Report]:
    """The reports whose days meet [first, last]. On PostgreSQL from the reports' range index
    (a report early in the data is found without reading every report before it, as an index
    of either date alone does); elsewhere by comparing the dates."""
    if connection.vendor == "postgresql":
        from psycopg.types.range import Range

        return reports.alias(days=report_days()).filter(days__overlap=Range(first, last, "[]"))
    return (
        reports.filter(start_date__lte=last)
        .alias(last_day=Coalesce("end_date", "start_date"))
        .filter(last_day__gte=first)
    )


def likely_duplicates(report: Report, limit: int = 10) -> list[LikelyDuplicate]:
    """Other reports that may tell of the same happening, most likely first: a figure of the
    same metric; dates overlapping or within a week; and the same place, a place in the same
    township (or under the same parent), a coarser place containing it, or a point within a few
    km. Drafts, rejected and retracted reports, and reports already in this report's event, are
    left out."""
    metrics = set(report.figures.values_list("metric", flat=True))
    if not metrics:
        return []
    window = timedelta(days=DUPLICATE_WINDOW_DAYS)
    place = report.place
    # Above township level the place itself is the area; below it, its parent (the township
    # of a village tract or town, the district of a township). The places are chosen in
    # subqueries of the gazetteer, so the reports are read by their dates first.
    area = place.parent if place.admin_level >= AdminLevel.TOWNSHIP and place.parent else place
    near = Place.objects.filter(
        Q(path__startswith=area.path)
        | Q(pcode__in=place.ancestor_pcodes, admin_level__gt=AdminLevel.COUNTRY)
    )
    nearby_place = Q(place__in=near.values("pk"))
    point = _point(report)
    if point:
        # A box a little larger than NEARBY_KM in SQL; the exact distance is measured below.
        dlat = NEARBY_KM / 111.0 * 1.1
        dlon = dlat / max(math.cos(math.radians(point[0])), 0.01)
        lat_range = (point[0] - dlat, point[0] + dlat)
        lon_range = (point[1] - dlon, point[1] + dlon)
        in_box = Place.objects.filter(latitude__range=lat_range, longitude__range=lon_range)
        nearby_place |= Q(latitude__range=lat_range, longitude__range=lon_range) | Q(
            latitude__isnull=True, place__in=in_box.values("pk")
        )
    candidates = (
        _overlapping(
            Report.objects.exclude(pk=report.pk).filter(status__in=DUPLICATE_STATUSES),
            report.start_date - window,
            _last_day(report) + window,
        )
        .filter(Exists(Figure.objects.filter(report=OuterRef("pk"), metric__in=metrics)))
        .filter(nearby_place)
        .select_related("place", "organization", "event")
        .prefetch_related("figures")
        .order_by("-start_date", "-pk")
    )
    if report.event_id:
        candidates = candidates.exclude(event_id=report.event_id)
    ranked = [_rank_duplicate(report, candidate, metrics, point) for candidate in candidates[:200]]
    ranked.sort(key=lambda d: (-d.score, d.report.pk))
    return ranked[:limit]


def _rank_duplicate(
    report: Report,
    candidate: Report,
    metrics: set[str],
    point: tuple[float, float] | None,
) -> LikelyDuplicate:
    place, other = report.place, candidate.place
    score, reasons = 0.0, []
    if other.pk == place.pk:
        score, reasons = 4, [_("same place")]
    elif other.path.startswith(place.path):
        score, reasons = 3, [_("within %(place)s") % {"place": place.display_name}]
    elif place.path.startswith(other.path):
        score, reasons = (
            1,
            [_("covers this place (reported for %(place)s)") % {"place": other.display_name}],
        )
    elif place.parent and other.path.startswith(place.parent.path):
        kind = place.parent.get_admin_level_display().lower()
        score, reasons = (
            2,
            [
                _("in the same %(kind)s (%(place)s)")
                % {"kind": kind, "place": place.parent.display_name}
            ],
        )
    other_point = _point(candidate)
    if point and other_point and other.pk != place.pk:
        km = _km_between(point, other_point)
        if km <= NEARBY_KM:
            score += 2 * (1 - km / NEARBY_KM) + 1
            reasons.append(_("%(km)s km away") % {"km": f"{km:.1f}"})
    if candidate.start_date <= _last_day(report) and _last_day(candidate) >= report.start_date:
        score += 2
        reasons.append(_("dates overlap"))
    else:
        gap = max(
            (candidate.start_date - _last_day(report)).days,
            (report.start_date - _last_day(candidate)).days,
        )
        score += 1 - gap / (DUPLICATE_WINDOW_DAYS + 1)
        reasons.append(
            ngettext("dates %(days)d day apart", "dates %(days)d days apart", gap) % {"days": gap}
        )
    shared = sorted({f.metric for f in candidate.figures.all()} & metrics)
    score += len(shared)
    reasons.append(
        _("same metric: %(metrics)s")
        % {"metrics": ", ".join(str(Metric(m).label).lower() for m in shared)}
    )
    if candidate.organization_id == report.organization_id:
        score += 1
        reasons.append(_("filed by the same organisation"))
    return LikelyDuplicate(candidate, round(score, 2), tuple(reasons))


@dataclass(frozen=True)
class EventFigure:
    figure: Figure
    report: Report
    is_reference: bool
    # Why the figure cannot be the event's reference; "" when it can.
    refusal: str


@dataclass(frozen=True)
class EventMetric:
    metric: str
    label: str | Promise
    figures: tuple[EventFigure, ...]
    reference: EventFigure | None
    # The range among the approved figures (triangulation), None when there are none.
    low: int | None
    high: int | None

    @property
    def range_text(self) -> str:
        if self.low is None:
            return ""
        unit = "buildings" if SUBJECT[Metric(self.metric)] == Subject.STRUCTURES else "people"
        if self.low == self.high:
            return f"{self.low:,} {unit}"
        return f"{self.low:,}–{self.high:,} {unit}"


def event_overview(event: Event) -> list[EventMetric]:
    """The event's figures grouped by metric, each with its report, whether it is the
    reference, and why it cannot be chosen (only approved reports' figures can)."""
    references = set(event.reference_figures.values_list("figure_id", flat=True))
    by_metric: dict[str, list[EventFigure]] = {}
    reports = event.reports.select_related("place", "organization").prefetch_related("figures")
    for report in reports.order_by("start_date", "pk"):
        refusal = (
            ""
            if report.status == Status.APPROVED
            else _(
                "Report #%(id)s is %(status)s: only an approved report's figure can be what an "
                "event counts."
            )
            % {"id": report.pk, "status": report.get_status_display().lower()}
        )
        for figure in report.figures.all():
            by_metric.setdefault(figure.metric, []).append(
                EventFigure(figure, report, figure.pk in references, refusal)
            )
    overview = []
    for metric in Metric.values:
        rows = by_metric.get(metric)
        if not rows:
            continue
        approved = [r.figure for r in rows if not r.refusal]
        overview.append(
            EventMetric(
                metric=metric,
                label=Metric(metric).label,
                figures=tuple(rows),
                reference=next((r for r in rows if r.is_reference), None),
                low=min((f.count_low for f in approved), default=None),
                high=max((f.count_high for f in approved), default=None),
            )
        )
    return overview
