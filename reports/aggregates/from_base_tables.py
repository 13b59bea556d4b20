"""Answers computed from the base tables through the rules: for questions that narrow the
evidence (cause, tag, source type, event), and the reference the summaries are checked against."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Event, EventReferenceFigure, Figure, Report, SeparateFigures
from ..vocabulary import Qualifier
from ..workflow import Status
from .assemble import (
    UNKNOWN_DESTINATION,
    area_rows,
    calendar,
    destination_rows,
    spanning_figures,
)
from .facets import narrow
from .places import PlaceIndex
from .question import BY_DESTINATION, NO_DESTINATION, Plan
from .results import Answer, CountedEvent, PeriodRow, SpanningFigure, Total
from .rules import (
    Candidate,
    Counted,
    apply_covering,
    as_alone,
    choose,
    event_key,
    is_stock,
    report_date,
    standing_stocks,
    total_of,
)
from .spans import Span, span_of

ReportSource = Report.sources.through
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


CANDIDATE_FIELDS = (
    "metric",
    "id",
    "report_id",
    "report__event_id",
    "report__place_id",
    "report__start_date",
    "report__end_date",
    "report__date_precision",
    "qualifier",
    "count_low",
    "count_best",
    "count_high",
    "report__approved_at",
)


def candidates_from(figures) -> list[Candidate]:
    """Candidates from a queryset of approved reports' figures."""
    published = dict(
        ReportSource.objects.filter(report_id__in=figures.values("report_id"))
        .values("report_id")
        .annotate(latest=Max("source__published_on"))
        .values_list("report_id", "latest")
    )
    references = set(
        EventReferenceFigure.objects.filter(figure_id__in=figures.values("id")).values_list(
            "figure_id", "event_id", "metric"
        )
    )
    local_dates: dict[datetime, date] = {}
    result = []
    for (
        metric,
        figure_id,
        report_id,
        event_id,
        place_id,
        start_date,
        end_date,
        precision,
        qualifier,
        low,
        best,
        high,
        approved_at,
    ) in figures.values_list(*CANDIDATE_FIELDS).iterator(chunk_size=10000):
        approved_at = approved_at or EARLIEST
        latest = published.get(report_id)
        if latest is None:
            if approved_at not in local_dates:
                local_dates[approved_at] = timezone.localtime(approved_at).date()
            latest = local_dates[approved_at]
        result.append(
            Candidate(
                metric=metric,
                figure_id=figure_id,
                report_id=report_id,
                event_id=event_id,
                place_id=place_id,
                on=report_date(start_date, end_date),
                span=span_of(start_date, end_date, precision),
                low=0 if qualifier == Qualifier.AT_MOST else low,
                best=best,
                high=high,
                high_open=qualifier == Qualifier.AT_LEAST,
                approximate=qualifier == Qualifier.APPROXIMATELY,
                published=latest,
                approved_at=approved_at,
                is_reference=(figure_id, event_id, metric) in references,
            )
        )
    return result


def report_sources(report_ids) -> dict[int, set[int]]:
    """The sources each report cites, as totals count them: a confidential source stands for
    a different source in each report citing it (its own negative number), so no count tells
    that two reports rest on the same confidential source."""
    sources: dict[int, set[int]] = defaultdict(set)
    for report_id, source_id, confidential in ReportSource.objects.filter(
        report_id__in=report_ids
    ).values_list("report_id", "source_id", "source__is_confidential"):
        sources[report_id].add(-(source_id * 2**31 + report_id) if confidential else source_id)
    return sources


def separated_keys() -> dict[str, set[frozenset[str]]]:
    """Per metric, the pairs of event keys a moderator marked as counting separately (rule 5):
    marks are between two figures of one metric, and hold for that metric between the events
    (or unlinked reports) of their approved reports. Marks are few: all are read."""
    pairs: dict[str, set[frozenset[str]]] = defaultdict(set)
    for mark in SeparateFigures.objects.values(
        "metric",
        "first__report_id",
        "first__report__event_id",
        "first__report__status",
        "second__report_id",
        "second__report__event_id",
        "second__report__status",
    ):
        if mark["first__report__status"] == mark["second__report__status"] == Status.APPROVED:
            first = event_key(mark["first__report__event_id"], mark["first__report_id"])
            second = event_key(mark["second__report__event_id"], mark["second__report_id"])
            if first != second:
                pairs[mark["metric"]].add(frozenset((first, second)))
    return pairs


class Evidence:
    """The counted events of a plan's metrics, from the base tables, with what the rules need
    to place and date them."""

    def __init__(self, plan: Plan):
        self.plan = plan
        pool = self._pool()
        dated = Coalesce("report__end_date", "report__start_date")
        # Only events with a figure in the area can count there; all of their figures are read,
        # since the one counted may be any of them. A flow figure may reach into the question
        # from any date (it is then listed as spanning beyond), and what a covering figure adds
        # depends on every figure it covers, so flows are read whatever their dates.
        near = pool
        if all(is_stock(m) for m in plan.metrics):
            near = near.annotate(on=dated).filter(on__lte=plan.end)
        if plan.area is not None:
            near = near.filter(report__place__path__startswith=plan.area.path)
        # Everywhere, at every date, every figure of the pool is near: the pool itself, without
        # the condition across the join that makes the planner read it twice.
        figures = (
            pool
            if near is pool
            else pool.filter(
                Q(
                    report__event_id__in=near.filter(report__event__isnull=False).values(
                        "report__event_id"
                    )
                )
                | Q(report__event__isnull=True, report_id__in=near.values("report_id"))
            )
        )
        counted = choose(candidates_from(figures))
        place_ids = {c.place_id for c in counted}
        # Where each figure's people went, when the question asks (docs/counting.md, "Where
        # people went"): the event's counted figure decides its destination.
        self.destination_of: dict[int, int] = {}
        if plan.question.destination is not None or plan.question.by == BY_DESTINATION:
            self.destination_of = dict(
                figures.filter(destination__isnull=False).values_list("id", "destination_id")
            )
            place_ids |= set(self.destination_of.values())
            if plan.destination is not None:
                place_ids.add(plan.destination.pk)
        self.places = PlaceIndex.around(place_ids)
        separate = separated_keys() if counted else {}
        self.counted: dict[str, list[Counted]] = defaultdict(list)
        for item in counted:
            self.counted[item.metric].append(item)
        for metric, items in self.counted.items():
            if not is_stock(metric):
                self.counted[metric] = apply_covering(
                    items, self.places.chain, separate.get(metric, set())
                )
        self._sources = report_sources(figures.values("report_id")) if counted else {}
        area_id = plan.area_id
        self.within = {
            m: [c for c in items if self.places.within(c.place_id, area_id)]
            for m, items in self.counted.items()
        }

    def _pool(self):
        figures = Figure.objects.filter(
            report__status=Status.APPROVED, metric__in=self.plan.metrics
        )
        return narrow(figures, self.plan.question)

    def sources_of(self, report_id: int) -> set[int]:
        return self._sources.get(report_id, set())

    def units(self, metric: str, start: date | None, end: date) -> list[Counted]:
        """The events that make the total of `metric` from start to end: a flow's whole span
        inside (rule 3), a stock's figures standing at the end (rule 4)."""
        items = self.within.get(metric, [])
        if is_stock(metric):
            return self.to_destination(standing_stocks(items, end, self.places.chain))
        return self.to_destination([c for c in items if inside(c.span, start, end)])

    def beyond(self, metric: str, start: date | None, end: date) -> list[Counted]:
        """Flow events reaching into [start, end] from outside it: shown, not counted."""
        if is_stock(metric):
            return []
        return self.to_destination(
            [
                c
                for c in self.within.get(metric, [])
                if c.span.start <= end
                and (start is None or c.span.end >= start)
                and not inside(c.span, start, end)
            ]
        )

    # --- where people went (Question.destination, Question.by) ---------------------------

    def destination(self, item: Counted) -> int | None:
        """The destination of the figure an event counts (None: it says none)."""
        return self.destination_of.get(item.figure.figure_id)

    def to_destination(self, items: list[Counted]) -> list[Counted]:
        """The events whose counted figure went where the question asks: the destination
        filter is applied after each event's figure, covering and the standing stocks were
        decided, as the area is (rule 8), so it never changes what an event counts."""
        wanted = self.plan.question.destination
        if wanted is None:
            return items
        if wanted == NO_DESTINATION:
            return [c for c in items if self.destination(c) is None]
        target = self.plan.destination.pk  # type: ignore[union-attr]
        return [
            c
            for c in items
            if (place := self.destination(c)) is not None and self.places.within(place, target)
        ]

    def destination_key(self, item: Counted, level: int) -> int | str | None:
        """The row of a breakdown by destination: the destination's place at `level` when it
        is within the area (None: coarser than that level), its state or region when it is
        outside the area, UNKNOWN_DESTINATION when the figure says none."""
        place = self.destination(item)
        if place is None:
            return UNKNOWN_DESTINATION
        within = self.plan.destination if self.plan.area is None else self.plan.area
        if within is None or self.places.within(place, within.pk):
            return self.places.ancestor_at(place, level)
        return self.places.ancestor_at(place, 1) or self.places.chain(place)[0]

    def first_date(self) -> date | None:
        dates = [
            c.on if is_stock(m) else c.span.start
            for m in self.plan.metrics
            for c in self.to_destination(self.within.get(m, []))
            if (
                c.on <= self.plan.end
                if is_stock(m)
                else inside(c.span, self.plan.start, self.plan.end)
            )
        ]
        return min(dates, default=None)

    def last_date(self) -> date | None:
        """The last day holding data: a counted flow's last day, or a stock's date."""
        dates = [
            c.on if is_stock(m) else c.span.end
            for m in self.plan.metrics
            for c in self.within.get(m, [])
            if (
                c.on <= self.plan.end
                if is_stock(m)
                else inside(c.span, self.plan.start, self.plan.end)
            )
        ]
        return max(dates, default=None)

    def total(self, metric: str, items: Iterable[Counted], at: date | None = None) -> Total:
        return total_of(metric, items, self.sources_of, at if is_stock(metric) else None)


def inside(span: Span, start: date | None, end: date) -> bool:
    return (start is None or span.start >= start) and span.end <= end


def answer_from_base(plan: Plan, lines: int | None = None) -> Answer:
    data = Evidence(plan)
    units = {m: data.units(m, plan.start, plan.end) for m in plan.metrics}
    totals = {m: data.total(m, units[m], plan.end) for m in plan.metrics}

    by_area = []
    if plan.question.by == BY_DESTINATION:
        by_area = by_destination(plan, data, units)
    elif plan.level is not None:
        grouped: dict[int | None, dict[str, list[Counted]]] = defaultdict(lambda: defaultdict(list))
        for metric, items in units.items():
            for item in items:
                grouped[data.places.ancestor_at(item.place_id, plan.level)][metric].append(item)
        by_area = area_rows(
            plan,
            {
                place: {m: data.total(m, items, plan.end) for m, items in per_metric.items()}
                for place, per_metric in grouped.items()
            },
        )

    periods = calendar(plan, data.first_date(), data.last_date())[1]
    by_period = [
        PeriodRow(
            start,
            end,
            label,
            {m: data.total(m, data.units(m, start, end), end) for m in plan.metrics},
        )
        for start, end, label in periods
    ]
    flows = [m for m in plan.metrics if not is_stock(m)]
    beyond = {m: data.beyond(m, plan.start, plan.end) for m in flows}
    longer = {
        m: [
            c
            for c in units[m]
            if not any(inside(c.span, first, last) for first, last, _ in periods)
        ]
        for m in flows
    }
    beyond, beyond_more = largest(beyond, lines)
    longer, longer_more = largest(longer, lines)
    return Answer(
        plan.question,
        plan.area,
        plan.metrics,
        totals,
        by_area,
        by_period,
        beyond=spanning(beyond, data.sources_of),
        longer=spanning(longer, data.sources_of),
        beyond_more=beyond_more,
        longer_more=longer_more,
    )


def by_destination(plan: Plan, data: Evidence, units: dict[str, list[Counted]]) -> list:
    """The breakdown by the figures' destination (Evidence.destination_key): within the area
    at the breakdown's level (the destination asked's level + 1 for a question without an
    area), outside it by state or region, and "destination unknown"."""
    level = plan.level
    if plan.area is None and plan.destination is not None:
        level = plan.question.level or min(plan.destination.admin_level + 1, 4)
    level = 4 if level is None else level
    grouped: dict[int | str | None, dict[str, list[Counted]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for metric, items in units.items():
        for item in items:
            grouped[data.destination_key(item, level)][metric].append(item)
    within = plan.destination if plan.area is None else plan.area
    outside = {
        key
        for key in grouped
        if isinstance(key, int) and within is not None and not data.places.within(key, within.pk)
    }
    return destination_rows(
        plan,
        {
            key: {m: data.total(m, items, plan.end) for m, items in per_metric.items()}
            for key, per_metric in grouped.items()
        },
        outside,
    )


def largest(
    found: dict[str, list[Counted]], lines: int | None
) -> tuple[dict[str, list[Counted]], dict[str, int]]:
    """At most `lines` of each metric's events (those adding the most; None: all), and how many
    more each has (as from_summaries.spanning_rows chooses them)."""
    if lines is None:
        return found, {}
    kept = {
        m: sorted(items, key=lambda c: (c.adds[0], c.figure.report_id), reverse=True)[:lines]
        for m, items in found.items()
    }
    return kept, {m: len(found[m]) - len(kept[m]) for m in found if len(found[m]) > lines}


def spanning(found: dict[str, list[Counted]], sources_of) -> dict[str, list[SpanningFigure]]:
    lines = spanning_figures(
        [
            (
                metric,
                c.event_id,
                c.figure.report_id,
                c.span,
                c.place_id,
                total_of(metric, [as_alone(c)], sources_of),
                total_of(metric, [c], sources_of),
            )
            for metric, items in found.items()
            for c in items
        ]
    )
    return {metric: lines.get(metric, []) for metric in found}


def describe_events(
    metric: str, items: list[Counted], sources_of, at: date | None = None
) -> list[CountedEvent]:
    """CountedEvent lines for counted events, newest first."""
    names = dict(
        Event.objects.filter(pk__in={c.event_id for c in items if c.event_id}).values_list(
            "pk", "name"
        )
    )
    titles = dict(
        Report.objects.filter(
            pk__in={c.figure.report_id for c in items if not c.event_id}
        ).values_list("pk", "title")
    )
    stock = is_stock(metric)
    return [
        CountedEvent(
            event_id=c.event_id,
            name=names.get(c.event_id, "") if c.event_id else titles.get(c.figure.report_id, ""),
            counted=total_of(metric, [as_alone(c)], sources_of, at),
            range_low=c.range_low,
            range_high=c.range_high,
            reference_report_id=c.figure.report_id,
            report_ids=c.report_ids,
            start=c.on if stock else c.span.start,
            end=c.on if stock else c.span.end,
            adds=total_of(metric, [c], sources_of, at),
            covers=c.covers,
        )
        for c in sorted(items, key=lambda c: (c.on if stock else c.span.end, c.key), reverse=True)
    ]


def evidence_from_base(plan: Plan, metric: str) -> list[CountedEvent]:
    data = Evidence(plan)
    return describe_events(
        metric,
        data.units(metric, plan.start, plan.end),
        data.sources_of,
        plan.end if is_stock(metric) else None,
    )
