"""Which figures cover which (counting rule 5), for the moderator deciding whether two figures
count separately: a figure covers another of the same metric in another event when its place
contains (or is) the other's and its span contains the other's, and it is larger in one."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from ..aggregates.spans import Span, span_of
from ..models import Figure, SeparateFigures
from ..vocabulary import MEASURE, Measure, Metric
from ..workflow import Status

# At most this many candidates per figure: a moderator reads them, and the query stays small.
CANDIDATE_LIMIT = 50

COVERS = "covers"
COVERED_BY = "covered_by"


def covers(place_path: str, span: Span, other_path: str, other_span: Span) -> bool:
    """Whether a figure at `place_path` over `span` covers one at `other_path` over
    `other_span`: its place contains or is the other's, its span contains the other's, and it
    is larger in place or in span (the same place and span are two events, added)."""
    return (
        other_path.startswith(place_path)
        and span.contains(other_span)
        and (place_path != other_path or span != other_span)
    )


def figure_place_and_span(figure: Figure) -> tuple[str, Span]:
    """A figure's place (as its gazetteer path) and span, from its report."""
    report = figure.report
    return report.place.path, span_of(report.start_date, report.end_date, report.date_precision)


@dataclass(frozen=True)
class CoveringCandidate:
    """Another figure, as seen from the one asked about: `relation` is COVERS (the figure asked
    covers it), COVERED_BY, or "" (marked separate but no longer covering either way);
    `separate` is the moderator's mark when the two count separately."""

    figure: Figure
    relation: str
    span: Span
    separate: SeparateFigures | None

    @property
    def marked(self) -> bool:
        return self.separate is not None


def _loose_bounds(span: Span) -> tuple[date, date]:
    """Dates between which a report's start and end must fall for its span to meet `span`,
    whatever its precision (a year-precise date's span starts on 1 January, a week's up to six
    days before): the exact test is made on the spans themselves."""
    latest_start = max(date(span.end.year, 12, 31), span.end + timedelta(days=7))
    earliest_end = min(date(span.start.year, 1, 1), span.start - timedelta(days=7))
    return earliest_end, latest_start


def covering_candidates(figure: Figure) -> list[CoveringCandidate]:
    """For a figure of an approved report: the approved figures of the same metric in other
    events that it covers or that cover it (flows only: stocks follow rule 4), each with its
    mark when the two count separately; then the figures marked separate from it that no
    longer cover it either way. Covering ones first, widest spans first."""
    figure = Figure.objects.select_related("report__place").get(pk=figure.pk)
    report = figure.report
    place_path, span = figure_place_and_span(figure)
    marks = {
        (m.second_id if m.first_id == figure.pk else m.first_id): m
        for m in SeparateFigures.objects.filter(Q(first=figure) | Q(second=figure)).select_related(
            "marked_by"
        )
    }

    found: list[CoveringCandidate] = []
    flow = MEASURE[Metric(figure.metric)] == Measure.FLOW
    if report.status == Status.APPROVED and flow:
        earliest_end, latest_start = _loose_bounds(span)
        others = (
            Figure.objects.filter(metric=figure.metric, report__status=Status.APPROVED)
            .filter(
                Q(report__place__path__startswith=place_path)
                | Q(report__place__pcode__in=report.place.ancestor_pcodes)
            )
            .filter(report__start_date__lte=latest_start)
            .filter(
                Q(report__end_date__gte=earliest_end)
                | Q(report__end_date__isnull=True, report__start_date__gte=earliest_end)
            )
            .exclude(report=report)
            .select_related("report__place")
            .order_by("report__start_date", "pk")
        )
        if report.event_id is not None:
            others = others.exclude(report__event_id=report.event_id)
        for other in others[: CANDIDATE_LIMIT * 4]:
            other_path, other_span = figure_place_and_span(other)
            if covers(place_path, span, other_path, other_span):
                relation = COVERS
            elif covers(other_path, other_span, place_path, span):
                relation = COVERED_BY
            else:
                continue
            found.append(CoveringCandidate(other, relation, other_span, marks.get(other.pk)))
            if len(found) == CANDIDATE_LIMIT:
                break
    found.sort(key=lambda c: (c.relation != COVERED_BY, -c.span.days, c.span.start, c.figure.pk))

    shown = {c.figure.pk for c in found}
    no_longer = [
        CoveringCandidate(other, "", figure_place_and_span(other)[1], marks[other.pk])
        for other in Figure.objects.filter(pk__in=set(marks) - shown)
        .select_related("report__place")
        .order_by("pk")
    ]
    return found + no_longer


def counted_separately(report_ids: Iterable[int], metric: str) -> dict[int, list[tuple[int, str]]]:
    """For the public evidence page: per report, the other approved reports a moderator marked
    as counting separately from it for `metric` (rule 5), as (report id, title). The mark's
    reason is a moderator's note and stays in the moderation area."""
    ids = set(report_ids)
    marks = SeparateFigures.objects.filter(
        Q(first__report_id__in=ids) | Q(second__report_id__in=ids),
        metric=metric,
        first__report__status=Status.APPROVED,
        second__report__status=Status.APPROVED,
    ).values_list(
        "first__report_id", "first__report__title", "second__report_id", "second__report__title"
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for first, first_title, second, second_title in marks:
        if first in ids:
            found.setdefault(first, []).append((second, second_title))
        if second in ids:
            found.setdefault(second, []).append((first, first_title))
    return found
