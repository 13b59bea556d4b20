"""Answers computed from the base tables through the rules: for questions that narrow the
evidence (cause, tag, source type, event), and the reference the summaries are checked against."""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.db.models import Max, Q
from django.db.models.functions import Coalesce

from gazetteer.models import Place

from ..models import Event, EventReferenceFigure, Figure, Report, SeparateFigures
from ..vocabulary import DatePrecision, Qualifier
from ..workflow import Status
from .assemble import (
    UNKNOWN_DESTINATION,
    among,
    area_rows,
    batches,
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
    covered_pairs,
    event_key,
    is_stock,
    remainder,
    report_date,
    standing_stocks,
    total_of,
)
from .spans import Span, first_day, last_day, span_of

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


# A report's publication date (rule 2: an event counts its most recently published figure): the
# latest its public sources give. Never a confidential source's: which figure an event counts is
# public, and would tell when a source known publicly only by its type was dated (DOMAIN.md,
# "Visibility and protection"); with none, the report's last day (Candidate.published).
PUBLISHED = Max("source__published_on", filter=Q(source__is_confidential=False))


def candidates_from(figures) -> list[Candidate]:
    """Candidates from a queryset of approved reports' figures."""
    published = dict(
        ReportSource.objects.filter(report_id__in=figures.values("report_id"))
        .values("report_id")
        .annotate(latest=PUBLISHED)
        .values_list("report_id", "latest")
    )
    references = set(
        EventReferenceFigure.objects.filter(figure_id__in=figures.values("id")).values_list(
            "figure_id", "event_id", "metric"
        )
    )
    make = _maker(published, references)
    return [make(row) for row in figures.values_list(*CANDIDATE_FIELDS).iterator(chunk_size=10000)]


def candidates_of_reports(
    report_ids,
) -> tuple[list[Candidate], dict[int, set[int]], dict[int, str]]:
    """Candidates from the figures of these approved reports, the sources each report cites
    (as report_sources() gives them) and the P-code path of each of their places: what a
    change followed by the summaries reads, a few reports' rows, in two plain queries (the
    figures with their places' paths and the reference each is chosen as, one at most; the
    sources). candidates_from() streams its rows through a server-side cursor on PostgreSQL,
    four round trips, and reads references and sources in three more."""
    read = list(
        Figure.objects.filter(report_id__in=report_ids).values_list(
            *CANDIDATE_FIELDS,
            "report__place__path",
            "reference_for__event_id",
            "reference_for__metric",
        )
    )
    if not read:
        return [], {}, {}
    rows = [row[:-3] for row in read]
    paths = {row[4]: row[-3] for row in read}
    references = {(row[1], row[-2], row[-1]) for row in read if row[-2] is not None}
    published: dict[int, date] = {}
    sources: dict[int, set[int]] = defaultdict(set)
    for report_id, source_id, confidential, on in ReportSource.objects.filter(
        report_id__in=sorted({row[2] for row in rows})
    ).values_list("report_id", "source_id", "source__is_confidential", "source__published_on"):
        sources[report_id].add(-(source_id * 2**31 + report_id) if confidential else source_id)
        # As PUBLISHED per report: the latest date a public source gives, else none.
        if (
            on is not None
            and not confidential
            and (report_id not in published or on > published[report_id])
        ):
            published[report_id] = on
    make = _maker(published, references)
    return [make(row) for row in rows], sources, paths


def read_figures(figures, skip: set[int]) -> tuple[list[Candidate], dict[int, int]]:
    """Candidates from a queryset of approved reports' figures, but those whose ids are in
    `skip` (already read), and the destination of each that has one. The figures are read
    first, then their reports' sources and references by report id: the figures' query, with
    its conditions across events, runs once."""
    rows = [
        row
        for row in figures.values_list(*CANDIDATE_FIELDS, "destination_id").iterator(
            chunk_size=10000
        )
        if row[1] not in skip
    ]
    published: dict[int, date] = {}
    references: set[tuple[int, int, str]] = set()
    for ids in batches(sorted({row[2] for row in rows})):
        published.update(
            ReportSource.objects.filter(among(ids, "report_id"))
            .values("report_id")
            .annotate(latest=PUBLISHED)
            .values_list("report_id", "latest")
        )
        references.update(
            EventReferenceFigure.objects.filter(among(ids, "figure__report_id")).values_list(
                "figure_id", "event_id", "metric"
            )
        )
    make = _maker(published, references)
    destinations = {row[1]: row[-1] for row in rows if row[-1] is not None}
    return [make(row[:-1]) for row in rows], destinations


def _maker(published: dict[int, date], references: set[tuple[int, int, str]]):
    """A function making a Candidate from a row of CANDIDATE_FIELDS."""

    def make(row) -> Candidate:
        (
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
        ) = row
        approved_at = approved_at or EARLIEST
        span = span_of(start_date, end_date, precision)
        return Candidate(
            metric=metric,
            figure_id=figure_id,
            report_id=report_id,
            event_id=event_id,
            place_id=place_id,
            on=report_date(start_date, end_date, precision),
            span=span,
            low=low,
            best=best,
            high=high,
            high_open=qualifier == Qualifier.AT_LEAST,
            approximate=qualifier == Qualifier.APPROXIMATELY,
            at_most=qualifier == Qualifier.AT_MOST,
            # Without a public source's date, the report's last day: what it tells is at least
            # that recent, and its approval (months later, for a backlog) says nothing of it.
            published=published.get(report_id) or span.end,
            approved_at=approved_at,
            is_reference=(figure_id, event_id, metric) in references,
        )

    return make


def report_sources(reports: Q) -> dict[int, set[int]]:
    """The sources each report cites (`reports`: which, as a condition on the citations), as
    totals count them: a confidential source stands for a different source in each report
    citing it (its own negative number), so no count tells that two reports rest on the same
    confidential source."""
    sources: dict[int, set[int]] = defaultdict(set)
    for report_id, source_id, confidential in ReportSource.objects.filter(reports).values_list(
        "report_id", "source_id", "source__is_confidential"
    ):
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

    def __init__(self, plan: Plan, *, everything: bool = False):
        """`everything`: read every figure of the pool, whatever the area and the dates (the
        reference the narrowed reads are tested against)."""
        self.plan = plan
        pool = self._pool().annotate(on=Coalesce("report__end_date", "report__start_date"))
        found: list[Candidate] = []
        self.destination_of: dict[int, int] = {}

        def read(figures) -> None:
            candidates, destinations = read_figures(figures, {c.figure_id for c in found})
            found.extend(candidates)
            self.destination_of.update(destinations)

        # Only the events with a figure that could be counted in the answer are read (in the
        # area, reaching into the period, going where the question asks); all of their figures
        # are read, since the one counted may be any of them. Then what the counted flows may
        # cover (rule 5), which can lie outside the period, or go elsewhere.
        places_known = False
        if everything:
            read(pool)
        else:
            for figures in whole_events(pool, pool.filter(self._can_count(pool))):
                read(figures)
            first = len(found)
            region = self._covered_region(choose(found))  # reads self.places for them
            if region is not None:
                for figures in whole_events(pool, pool.filter(region)):
                    read(figures)
            places_known = len(found) == first
        counted = choose(found)
        # Where each figure's people went (docs/counting.md, "Where people went"): the event's
        # counted figure decides its destination.
        if not places_known:
            self.places = self._places_of(counted)
        separate = separated_keys() if counted else {}
        self.separate = separate
        self._covered: dict[str, dict[str, set[str]]] = {}  # Evidence._covered_keys()
        self.counted: dict[str, list[Counted]] = defaultdict(list)
        for item in counted:
            self.counted[item.metric].append(item)
        for metric, items in self.counted.items():
            if not is_stock(metric):
                self.counted[metric] = apply_covering(
                    items, self.places.chain, separate.get(metric, set()), self.places.level
                )
        area_id = plan.area_id
        self.within = {
            m: [c for c in items if self.places.within(c.place_id, area_id)]
            for m, items in self.counted.items()
        }
        # The sources of the reports that totals can count: those of the events in the area.
        report_ids = sorted(
            {r for items in self.within.values() for c in items for r in c.report_ids}
        )
        self._sources: dict[int, set[int]] = {}
        for ids in batches(report_ids):
            self._sources.update(report_sources(among(ids, "report_id")))

    def _places_of(self, counted: list[Counted]) -> PlaceIndex:
        place_ids = {c.place_id for c in counted} | set(self.destination_of.values())
        if self.plan.destination is not None:
            place_ids.add(self.plan.destination.pk)
        return PlaceIndex.around(place_ids)

    def _can_count(self, pool) -> Q:
        """The figures that could be an event's counted figure in the answer: in the area; a
        flow reaching into the period (and going where the question asks), a stock dated at
        or before its end (where stocks going where the question asks may stand: which
        stocks stand is decided before the destination, as the area's)."""
        plan = self.plan
        area = None if plan.area is None else places_within(plan.area.path)
        flows = [m for m in plan.metrics if not is_stock(m)]
        stocks = [m for m in plan.metrics if is_stock(m)]
        terms = []
        if flows:
            term = Q(metric__in=flows) & reaching_into(plan.start, plan.end)
            # Without an end asked, the series stops at the last day holding data in the
            # area, wherever its people went (last_date): every destination is read then.
            if plan.question.end is None:
                pass
            elif plan.question.destination == NO_DESTINATION:
                term &= Q(destination__isnull=True)
            elif plan.destination is not None:
                term &= Q(destination_id__in=places_within(plan.destination.path))
            terms.append(term)
        if stocks:
            term = Q(metric__in=stocks, on__lte=plan.end)
            if plan.destination is not None and plan.question.end is not None:
                term &= Q(report__place_id__in=self._standing_region(pool, term, area))
            terms.append(term)
        condition = terms[0] if len(terms) == 1 else terms[0] | terms[1]
        if area is not None:
            condition &= Q(report__place_id__in=area)
        return condition

    def _standing_region(self, pool, stocks: Q, area: list[int] | None) -> list[int]:
        """The places whose stock figures decide whether a stock going where the question asks
        stands (rule 4, standing_stocks): at each place P holding one, the places within the
        highest place above P (or P) holding a stock figure at all. Other places' standing
        figures go elsewhere (a place holding none going there cannot stand with one)."""
        plan = self.plan
        going = pool.filter(stocks, destination_id__in=places_within(plan.destination.path))  # type: ignore[union-attr]
        if area is not None:
            going = going.filter(report__place_id__in=area)
        places = set(going.values_list("report__place_id", flat=True).distinct())
        if not places:
            return []
        index = PlaceIndex.around(places)
        above = {a for p in places for a in index.chain(p)[:-1]}
        holding = set(
            pool.filter(stocks, report__place_id__in=above)
            .values_list("report__place_id", flat=True)
            .distinct()
        )
        tops = {next(a for a in index.chain(p) if a in holding or a == p) for p in places}
        return sorted({pk for top in tops for pk in places_within(index.places[top].path)})

    def _covered_region(self, counted: list[Counted]) -> Q | None:
        """Where the figures covered by the flows counted in the answer can be, that the first
        read may have missed (None: nowhere): a covered figure's place is within the covering
        one's and its span inside the covering one's span (rule 5). Without a destination
        asked, the flows inside the period cover only figures already read (in the area and
        the period); those reaching beyond it may cover figures outside the period. With a
        destination asked, any of them may cover figures going elsewhere."""
        plan = self.plan
        self.places = self._places_of(counted)
        outers = self.to_destination(
            [
                c
                for c in counted
                if not is_stock(c.metric)
                and self.places.within(c.place_id, plan.area_id)
                and c.span.start <= plan.end
                and (plan.start is None or c.span.end >= plan.start)
            ]
        )
        if plan.question.destination is None:
            outers = [c for c in outers if not inside(c.span, plan.start, plan.end)]
        if not outers:
            return None
        spans: dict[int, list[Span]] = defaultdict(list)
        for c in outers:
            spans[c.place_id].append(c.span)
        regions = merged(spans)
        if len(regions) > REGIONS:
            # Too many for one query: by state or region (a superset, as the area is).
            wider: dict[int, list[Span]] = defaultdict(list)
            for place_id, span in regions:
                wider[self.places.ancestor_at(place_id, 1) or place_id].append(span)
            regions = merged(wider)
        condition = Q()
        for place_id, span in regions:
            condition |= Q(
                report__place_id__in=places_within(self.places.places[place_id].path),
                report__start_date__gte=span.start,
                on__lte=span.end,
            )
        return condition

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
            return self.apart([c for c in items if self.destination(c) is None])
        target = self.plan.destination.pk  # type: ignore[union-attr]
        return self.apart(
            [
                c
                for c in items
                if (place := self.destination(c)) is not None and self.places.within(place, target)
            ]
        )

    def apart(self, kept: list[Counted]) -> list[Counted]:
        """Some of one metric's counted events (those going where a question asks, or to one
        row of a breakdown by destination), each covering event read apart from the others
        (remainder()) where an event it covers is not among them: what it adds beyond those is
        then its own, and its range the remainder's (Total.in_order: Evidence.total), as in an
        "unspecified within" row. 100,800 newly displaced across Kayah less a Loikaw event
        counting 35,000 (its reports 30,000 up to no bound) going to Demoso adds 65,800 to the
        figures saying no destination: 0 to 70,800, not 70,800 to 62,800."""
        if not any(c.covers for c in kept):
            return kept
        covered, keys = self._covered_keys(kept[0].metric), {c.key for c in kept}
        return [remainder(c) if not covered.get(c.key, set()) <= keys else c for c in kept]

    def _covered_keys(self, metric: str) -> dict[str, set[str]]:
        """The keys of the events each of the metric's counted events covers (rule 5), found
        once per metric (rules.covered_pairs)."""
        if metric not in self._covered:
            items = self.counted.get(metric, [])
            self._covered[metric] = {
                items[i].key: {items[j].key for j in inner}
                for i, inner in covered_pairs(
                    items, self.places.chain, self.separate.get(metric, set())
                ).items()
            }
        return self._covered[metric]

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
        """The items' total, its low and high around its best (Total.in_order: covering figures
        that do not cover each other, over one event whose sources disagree, each take its
        low away; with a destination asked, some events read apart: Evidence.apart)."""
        return total_of(metric, items, self.sources_of, at if is_stock(metric) else None).in_order()


def inside(span: Span, start: date | None, end: date) -> bool:
    return (start is None or span.start >= start) and span.end <= end


def reaching_into(start: date | None, end: date) -> Q:
    """The figures whose span (spans.span_of) reaches into [start, end] (start None: any time
    up to the end), exactly, as a condition on their report's dates and precision (`on`: the
    report's date, annotated)."""
    condition = Q()
    for precision in DatePrecision.values:
        term = Q(report__date_precision=precision, report__start_date__lte=last_day(end, precision))
        if start is not None:
            term &= Q(on__gte=first_day(start, precision))
        condition |= term
    return condition


def whole_events(pool, near) -> Iterable:
    """Every figure of the pool in the events (or unlinked reports) of the `near` figures: the
    events are found first, then read by id through their indexes (one query with both, the
    planner scanned every figure of the metrics)."""
    keys = set(near.values_list("report_id", "report__event_id"))
    event_ids = sorted({event for _, event in keys if event is not None})
    report_ids = sorted({report for report, event in keys if event is None})
    for events in batches(event_ids):
        # The events' reports by the reports' event index, then their figures by the figures'
        # report index (joined on the event, the planner scanned every figure of the metrics).
        in_events = sorted(
            Report.objects.filter(among(events, "event_id")).values_list("pk", flat=True)
        )
        for reports in batches(in_events):
            yield pool.filter(among(reports, "report_id"))
    for reports in batches(report_ids):
        yield pool.filter(among(reports, "report_id"), report__event__isnull=True)


def places_within(path: str) -> list[int]:
    """The ids of a place and the places within it (a list: the planner then reads the reports
    by their place index rather than every report joined to the gazetteer)."""
    return list(Place.objects.filter(path__startswith=path).values_list("pk", flat=True))


# At most so many (place, dates) regions in one query; beyond, they are taken by state.
REGIONS = 100
# Spans of one place closer than this are read as one region.
REGION_GAP = timedelta(days=31)


def merged(spans: dict[int, list[Span]]) -> list[tuple[int, Span]]:
    """Per place, its spans joined where they overlap or nearly meet (REGION_GAP)."""
    regions = []
    for place_id, found in spans.items():
        found.sort()
        current = found[0]
        for span in found[1:]:
            if span.start <= current.end + REGION_GAP:
                current = Span(current.start, max(current.end, span.end))
            else:
                regions.append((place_id, current))
                current = span
        regions.append((place_id, current))
    return regions


def answer_from_base(plan: Plan, lines: int | None = None, *, everything: bool = False) -> Answer:
    """`everything`: from every figure of the pool (Evidence), the reference for tests."""
    data = Evidence(plan, everything=everything)
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
        # The "unspecified within" row is what the coarser events add, each on its own.
        by_area = area_rows(
            plan,
            {
                place: {
                    m: data.total(
                        m,
                        items
                        if place is not None
                        else [remainder(item, plan.level) for item in items],
                        plan.end,
                    )
                    for m, items in per_metric.items()
                }
                for place, per_metric in grouped.items()
            },
        )

    periods = calendar(plan, data.first_date(), data.last_date())[1]
    in_periods = {
        m: [data.units(m, start, end) for start, end, _ in periods]
        if is_stock(m)
        else [data.to_destination(items) for items in _by_period(data.within.get(m, []), periods)]
        for m in plan.metrics
    }
    by_period = [
        PeriodRow(
            start, end, label, {m: data.total(m, in_periods[m][k], end) for m in plan.metrics}
        )
        for k, (start, end, label) in enumerate(periods)
    ]
    flows = [m for m in plan.metrics if not is_stock(m)]
    beyond = {m: data.beyond(m, plan.start, plan.end) for m in flows}
    starts = [first for first, _, _ in periods]
    longer = {
        m: [c for c in units[m] if _period_of(c.span, starts, periods) is None] for m in flows
    }
    beyond, beyond_more = largest(beyond, lines)
    longer, longer_more = largest(longer, lines)
    beyond_lines, longer_lines = spanning(data.sources_of, beyond, longer)
    return Answer(
        plan.question,
        plan.area,
        plan.metrics,
        totals,
        by_area,
        by_period,
        beyond=beyond_lines,
        longer=longer_lines,
        beyond_more=beyond_more,
        longer_more=longer_more,
    )


def totals_from_base(plan: Plan) -> dict[str, Total]:
    """answer_from_base(plan).totals, counted alone."""
    data = Evidence(plan)
    return {m: data.total(m, data.units(m, plan.start, plan.end), plan.end) for m in plan.metrics}


def _period_of(span: Span, starts: list[date], periods) -> int | None:
    """The index of the period holding the whole span (periods in order, apart: only the one
    holding its first day can), or None."""
    k = bisect_right(starts, span.start) - 1
    return k if k >= 0 and span.end <= periods[k][1] else None


def _by_period(items: list[Counted], periods) -> list[list[Counted]]:
    """The flow events wholly inside each period (Evidence.units of each, before the
    destination), in one pass over them rather than one per period, each list in the items'
    order."""
    starts = [first for first, _, _ in periods]
    found: list[list[Counted]] = [[] for _ in periods]
    for item in items:
        k = _period_of(item.span, starts, periods)
        if k is not None:
            found[k].append(item)
    return found


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
    grouped = {
        key: {m: data.apart(items) for m, items in per_metric.items()}
        for key, per_metric in grouped.items()
    }
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


def spanning(
    sources_of, *groups: dict[str, list[Counted]]
) -> list[dict[str, list[SpanningFigure]]]:
    """The lines of each group of figures, their names read once for all the groups."""
    found = spanning_figures(
        *(
            [
                (
                    metric,
                    c.event_id,
                    c.figure.report_id,
                    c.span,
                    c.place_id,
                    total_of(metric, [as_alone(c)], sources_of),
                    total_of(metric, [remainder(c)], sources_of),
                )
                for metric, items in group.items()
                for c in items
            ]
            for group in groups
        )
    )
    return [
        {metric: lines.get(metric, []) for metric in group}
        for group, lines in zip(groups, found, strict=True)
    ]


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
            adds=total_of(metric, [remainder(c)], sources_of, at).in_order(),
            covers=c.covers,
        )
        for c in sorted(items, key=lambda c: (c.on if stock else c.span.end, c.key), reverse=True)
    ]


def evidence_from_base(plan: Plan, metric: str, *, everything: bool = False) -> list[CountedEvent]:
    data = Evidence(plan, everything=everything)
    return describe_events(
        metric,
        data.units(metric, plan.start, plan.end),
        data.sources_of,
        plan.end if is_stock(metric) else None,
    )
