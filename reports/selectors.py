"""Reads that carry the visibility rules of DOMAIN.md. Views, exports and the API ask here,
so what a person may see is decided once."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.text import capfirst

from gazetteer.models import AdminLevel, Place

from . import permissions
from .models import Event, Figure, Organization, PublicReport, Report, ReportHistory, Source
from .vocabulary import (
    SUBJECT,
    Cause,
    DatePrecision,
    LocationPrecision,
    Metric,
    SourceType,
    Subject,
)
from .workflow import Action, Status

CONFIDENTIAL_LABELS = {
    SourceType.NEWS_MEDIA: "confidential media source",
    SourceType.UN_INGO: "confidential UN or international NGO source",
    SourceType.LOCAL_CSO: "confidential local source",
    SourceType.PARTY_TO_CONFLICT: "confidential source (party to the conflict)",
    SourceType.GOVERNMENT: "confidential government source",
    SourceType.FIELD_OBSERVATION: "confidential field observation",
}


def reports_visible_to(user) -> QuerySet[Report]:
    """Moderators see everything; a field partner sees their organisation's reports in every
    status plus approved ones; everyone else sees approved reports only."""
    reports = Report.objects.select_related("place", "organization")
    if permissions.is_moderator(user):
        return reports
    organization = permissions.organization_of(user)
    if permissions.is_field_partner(user):
        return reports.filter(Q(status=Status.APPROVED) | Q(organization=organization))
    return reports.filter(status=Status.APPROVED)


def public_reports() -> QuerySet[Report]:
    return (
        Report.objects.filter(status=Status.APPROVED)
        .select_related("place")
        .prefetch_related("figures", "sources", "tags")
    )


def public_records() -> QuerySet[PublicReport]:
    """The approved reports' public records (reports.publication keeps one per approved
    report, built with public_point and public_source_label below), by report id."""
    return PublicReport.objects.all()


def public_source_label(source: Source) -> str:
    """How a source may be named outside the moderation area; a party to the conflict is
    labelled as one."""
    if source.is_confidential:
        return CONFIDENTIAL_LABELS[source.source_type]
    if source.has_conflict_of_interest:
        return f"{source} (party to the conflict)"
    return str(source)


def public_point(report: Report):
    """The (latitude, longitude) the public may see: the exact point only once a moderator
    released it, otherwise the place's representative point."""
    if report.latitude is not None and report.point_released:
        return report.latitude, report.longitude
    return report.place.latitude, report.place.longitude


def reports_of_own_organization(user) -> QuerySet[Report]:
    """The reports a person may open with everything in them (internal notes, sources by
    name, history): a moderator, any; a field partner, their organisation's in every status;
    anyone else, none. Other organisations' approved reports reach partners only in their
    public shape, through public_reports()."""
    reports = Report.objects.select_related("place", "organization")
    if permissions.is_moderator(user):
        return reports
    if not permissions.is_field_partner(user):
        return reports.none()
    organization = permissions.organization_of(user)
    return reports.filter(organization=organization)


def sources_citable_by(user) -> QuerySet[Source]:
    """Sources a person may pick from when filing a report: a moderator, any; a field
    partner, those their organisation added and every non-confidential one (a source not
    marked confidential may be named publicly). Another organisation's confidential source
    is never offered, so its name cannot leak."""
    if permissions.is_moderator(user):
        return Source.objects.all()
    if not permissions.is_field_partner(user):
        return Source.objects.none()
    organization = permissions.organization_of(user)
    own = Q(created_by__membership__organization=organization)
    return Source.objects.filter(own | Q(is_confidential=False)).distinct()


def moderator_messages(report: Report) -> QuerySet:
    """The decisions on a report that carry a message for its submitter, newest first."""
    return report.history.filter(
        action__in=[Action.REQUEST_CHANGES, Action.REJECT, Action.RETRACT, Action.APPROVE]
    ).order_by("-created_at", "-id")


# --- moderation --------------------------------------------------------------------------------
# Reads for the moderation pages. They show everything (internal notes, confidential sources,
# submitters): only moderators may call them, which the pages check once, in their decorator.

DUPLICATE_WINDOW_DAYS = 7
NEARBY_KM = 5
DUPLICATE_STATUSES = (Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.APPROVED)


def moderation_reports() -> QuerySet[Report]:
    """Every report, with what the moderation queue shows of each."""
    return Report.objects.select_related(
        "place", "organization", "submitted_by", "event"
    ).prefetch_related("figures")


def status_counts(reports: QuerySet[Report]) -> dict[str, int]:
    """How many of `reports` are in each status, every status present (zeros included)."""
    counts = dict(reports.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Status.values}


def places_with_reports(max_level: int = AdminLevel.TOWNSHIP) -> QuerySet[Place]:
    """The states, districts and townships that have reports in or beneath them: the useful
    choices for the queue's place filter (the full gazetteer has thousands of places)."""
    codes = set()
    for path in Report.objects.order_by().values_list("place__path", flat=True).distinct():
        codes.update(code for code in path.split("/") if code)
    return Place.objects.filter(pcode__in=codes, admin_level__gte=1, admin_level__lte=max_level)


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
    if report.latitude is not None:
        return float(report.latitude), float(report.longitude)
    if report.place.latitude is not None:
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
    # of a village tract or town, the district of a township).
    area = place.parent if place.admin_level >= AdminLevel.TOWNSHIP and place.parent else place
    nearby_place = Q(place__path__startswith=area.path) | Q(
        place__pcode__in=place.ancestor_pcodes, place__admin_level__gt=AdminLevel.COUNTRY
    )
    point = _point(report)
    if point:
        # A box a little larger than NEARBY_KM in SQL; the exact distance is measured below.
        dlat = NEARBY_KM / 111.0 * 1.1
        dlon = dlat / max(math.cos(math.radians(point[0])), 0.01)
        lat_range = (point[0] - dlat, point[0] + dlat)
        lon_range = (point[1] - dlon, point[1] + dlon)
        nearby_place |= Q(latitude__range=lat_range, longitude__range=lon_range) | Q(
            latitude__isnull=True,
            place__latitude__range=lat_range,
            place__longitude__range=lon_range,
        )
    candidates = (
        Report.objects.exclude(pk=report.pk)
        .filter(status__in=DUPLICATE_STATUSES, start_date__lte=_last_day(report) + window)
        .annotate(last_day=Coalesce("end_date", "start_date"))
        .filter(last_day__gte=report.start_date - window)
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


def _rank_duplicate(report, candidate, metrics, point) -> LikelyDuplicate:
    place, other = report.place, candidate.place
    score, reasons = 0.0, []
    if other.pk == place.pk:
        score, reasons = 4, ["same place"]
    elif other.path.startswith(place.path):
        score, reasons = 3, [f"within {place.display_name}"]
    elif place.path.startswith(other.path):
        score, reasons = 1, [f"covers this place (reported for {other.display_name})"]
    elif place.parent and other.path.startswith(place.parent.path):
        kind = (place.parent.kind or place.parent.get_admin_level_display()).lower()
        score, reasons = 2, [f"in the same {kind} ({place.parent.display_name})"]
    other_point = _point(candidate)
    if point and other_point and other.pk != place.pk:
        km = _km_between(point, other_point)
        if km <= NEARBY_KM:
            score += 2 * (1 - km / NEARBY_KM) + 1
            reasons.append(f"{km:.1f} km away")
    if candidate.start_date <= _last_day(report) and _last_day(candidate) >= report.start_date:
        score += 2
        reasons.append("dates overlap")
    else:
        gap = max(
            (candidate.start_date - _last_day(report)).days,
            (report.start_date - _last_day(candidate)).days,
        )
        score += 1 - gap / (DUPLICATE_WINDOW_DAYS + 1)
        reasons.append(f"dates {gap} day{'s' if gap != 1 else ''} apart")
    shared = sorted({f.metric for f in candidate.figures.all()} & metrics)
    score += len(shared)
    reasons.append("same metric: " + ", ".join(Metric(m).label.lower() for m in shared))
    if candidate.organization_id == report.organization_id:
        score += 1
        reasons.append("filed by the same organisation")
    return LikelyDuplicate(candidate, round(score, 2), tuple(reasons))


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    entry: ReportHistory
    changes: tuple[Change, ...]


CHANGE_LABELS = {
    "organization": "Organisation",
    "event": "Event",
    "point_released": "Exact point released",
    "tags": "Tags",
    "sources": "Sources",
    "figures": "Figures",
    "reference_for": "Reference figure for",
    "reference_figure": "Reference figure",
}
CHOICE_FIELDS = {
    "cause": Cause,
    "date_precision": DatePrecision,
    "location_precision": LocationPrecision,
}


def report_history(report: Report) -> list[HistoryEntry]:
    """The report's history, oldest first, with each change in words: "Place: Loikaw Township
    (MMR002001) → Loikaw Town (MMR002001701)" rather than the stored codes and ids."""
    entries = list(report.history.select_related("actor").order_by("created_at", "pk"))
    names = _names_in_changes([e.changes for e in entries])
    return [
        HistoryEntry(
            entry,
            tuple(
                Change(_change_label(field), *(_readable(field, v, names) for v in pair))
                for field, pair in sorted(entry.changes.items())
                if isinstance(pair, list | tuple) and len(pair) == 2
            ),
        )
        for entry in entries
    ]


def _change_label(field: str) -> str:
    if field in CHANGE_LABELS:
        return CHANGE_LABELS[field]
    try:
        return capfirst(Report._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field.replace("_", " ").capitalize()


def _names_in_changes(all_changes: list[dict]) -> dict[str, dict]:
    """Look up, once for the whole history, the places, sources, events, organisations and
    figures the stored changes refer to by code or id."""
    wanted: dict[str, set] = {k: set() for k in ("place", "sources", "event", "organization")}
    wanted["figure"] = set()
    for changes in all_changes:
        for field, pair in changes.items():
            if not isinstance(pair, list | tuple):
                continue
            for value in pair:
                if field in ("place", "event", "organization") and value not in (None, ""):
                    wanted[field].add(value)
                elif field == "sources" and isinstance(value, list):
                    wanted["sources"].update(value)
                elif field == "reference_figure" and value is not None:
                    wanted["figure"].add(value)
                elif field == "reference_for" and isinstance(value, list):
                    wanted["event"].update(p[0] for p in value if isinstance(p, list | tuple))

    def ints(values):
        return [v for v in values if isinstance(v, int)]

    return {
        "place": {
            p.pcode: f"{p.display_name} ({p.pcode})"
            for p in Place.objects.filter(pcode__in=[str(c) for c in wanted["place"]])
        },
        "sources": {
            s.pk: f"{s}" + (" (confidential)" if s.is_confidential else "")
            for s in Source.objects.filter(pk__in=ints(wanted["sources"]))
        },
        "event": {
            e.pk: f"#{e.pk} {e.name}" for e in Event.objects.filter(pk__in=ints(wanted["event"]))
        },
        "organization": {
            o.pk: o.name for o in Organization.objects.filter(pk__in=ints(wanted["organization"]))
        },
        "figure": {f.pk: str(f) for f in Figure.objects.filter(pk__in=ints(wanted["figure"]))},
    }


def _readable(field: str, value, names: dict[str, dict]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field == "place":
        return names["place"].get(value, str(value))
    if field in ("event", "organization"):
        return names[field].get(value, f"#{value} (since deleted)")
    if field == "reference_figure":
        return names["figure"].get(value, f"figure #{value} (since deleted or edited)")
    if field in CHOICE_FIELDS and value in CHOICE_FIELDS[field].values:
        return str(CHOICE_FIELDS[field](value).label)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in ("start_date", "end_date") and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%-d %b %Y")
        except ValueError:
            return value
    if field == "sources" and isinstance(value, list):
        return "; ".join(names["sources"].get(pk, f"source #{pk}") for pk in value)
    if field == "figures" and isinstance(value, list):
        return "; ".join(_figure_text(data) for data in value)
    if field == "reference_for" and isinstance(value, list):
        return "; ".join(
            f"{names['event'].get(pair[0], f'event #{pair[0]}')}: {_metric_label(pair[1])}"
            for pair in value
            if isinstance(pair, list | tuple) and len(pair) == 2
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _metric_label(metric) -> str:
    return Metric(metric).label.lower() if metric in Metric.values else str(metric)


FIGURE_TEXT_FIELDS = (
    "metric",
    "qualifier",
    "value",
    "value_min",
    "value_max",
    "unit",
    "household_size",
)


def _figure_text(data) -> str:
    if not isinstance(data, dict):
        return str(data)
    return str(Figure(**{k: v for k, v in data.items() if k in FIGURE_TEXT_FIELDS}))


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
    label: str
    figures: tuple[EventFigure, ...]
    reference: EventFigure | None
    # The range among the approved figures (triangulation), None when there are none.
    low: int | None
    high: int | None

    @property
    def range_text(self) -> str:
        if self.low is None:
            return ""
        unit = "buildings" if SUBJECT[self.metric] == Subject.STRUCTURES else "people"
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
            else f"Report #{report.pk} is {report.get_status_display().lower()}: only an "
            "approved report's figure can be what an event counts."
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


def sources_as_seen_by(user, sources) -> list[dict]:
    """A report's sources for someone who may open the report: by name and address when
    they may cite the source themselves or it is not confidential; otherwise (say, another
    organisation's confidential source a moderator added) by its public label only."""
    sources = list(sources)
    citable = set(
        sources_citable_by(user).filter(pk__in=[s.pk for s in sources]).values_list("pk", flat=True)
    )
    shown = []
    for source in sources:
        full = source.pk in citable or not source.is_confidential
        shown.append(
            {
                "source": source,
                "type": source.get_source_type_display(),
                "name": str(source) if full else public_source_label(source),
                "url": source.url if full else "",
                "confidential": source.is_confidential,
            }
        )
    return shown
