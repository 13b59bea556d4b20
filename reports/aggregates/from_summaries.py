"""Answers read from the summary tables (summaries/): the same numbers as from_base_tables.py,
from a few hundred rows; stocks are read off each place's step function at a date."""

from bisect import bisect_right
from collections import defaultdict, namedtuple
from datetime import date
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum, TextField, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import (
    Cast,
    Greatest,
    RowNumber,
    TruncMonth,
    TruncQuarter,
    TruncWeek,
    TruncYear,
)

from gazetteer.models import Place

from ..models import Event, EventCount, FlowTotal, Report, SourceUse, StockStep
from .assemble import area_rows, calendar, spanning_figures
from .facets import EVERYTHING
from .question import Plan, next_month, next_year, period_start, today
from .results import Answer, CountedEvent, PeriodRow, Total
from .rules import is_stock, parts_apart, stale_before, stands_over
from .spans import Span
from .summaries import EVERYWHERE
from .summaries.cells import stock_stored_from
from .summaries.reading import (
    ADDITIVE,
    CELL_COLUMNS,
    EVENT_SUM_FIELDS,
    FIELDS,
    ONE_DAY,
    STEP_FIELDS,
    STEP_NUMBERS,
    SUM_FIELDS,
    Step,
    add_sums,
    any_of,
    beyond_q,
    cells_in,
    cells_q,
    compose_numbers,
    compose_steps,
    compose_top,
    counted_q,
    decompose,
    distinct_sources,
    event_vector,
    in_range,
    longer_than_month_q,
    merge_ranges,
    months_and_days,
    outside_years_q,
    raw_rows,
    rest_q,
    rest_within_month_q,
    steps_of,
    sums_vector,
    unsettled_q,
    whole_years,
)
from .summaries.stocks import STANDING_ORDER

TRUNC = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}


class _Whole(NamedTuple):
    """What a question's totals add up, per metric: its sums (FIELDS) and how many shared
    sources the cells' settled counts leave out (unsettled_q), counted distinct."""

    sums: dict[str, list[int]]
    unsettled: dict[str, int]


class Reader:
    def __init__(self, plan: Plan, facet: str = EVERYTHING):
        self.plan = plan
        self.facet = facet
        area = plan.area
        self.node = area.pk if area else EVERYWHERE
        self.within = {f"adm{area.admin_level}": area.pk} if area else {}
        self.flows = [m for m in plan.metrics if not is_stock(m)]
        self.stocks = [m for m in plan.metrics if is_stock(m)]
        # _composed_at()'s steps by (day, metric), and the top places' own figures it read
        # (the last day they were read up to, by (metric, place), their shared sources): an
        # answer composes the area's day, then its periods' ends, the last mostly the same.
        self._composed: dict[tuple[date, str], list[Step]] = {}
        self._own: tuple[date, dict, dict] | None = None

    @cached_property
    def stock_nodes(self) -> list[int]:
        """The nodes whose steps make the area's stock: the area's own, or everywhere's, which
        are not stored (summaries/stocks.py), the top places' (one query of the gazetteer)."""
        if self.plan.area is not None:
            return [self.node]
        return list(Place.objects.filter(parent__isnull=True).values_list("pk", flat=True))

    @cached_property
    def composed(self) -> bool:
        """Whether the stock nodes' steps are not stored but composed when read
        (_composed_at): the top places' in a facet (cells.stock_stored_from)."""
        return stock_stored_from(self.facet) > 1 and (
            self.plan.area is None or self.plan.area.parent_id is None
        )

    def _area_step(self, steps: list[Step]) -> Step | None:
        """The area's step at a date from the stock nodes' then (everywhere: put together)."""
        if self.plan.area is None:
            return compose_top(steps)
        return steps[0] if steps else None

    # --- flows

    def _rest(self, start, end, years, days):
        """The counted events no cell holds (rule 3: wholly inside [start, end])."""
        return EventCount.objects.filter(
            facet=self.facet, metric__in=self.flows, **self.within
        ).filter(rest_q(start, end, years, days))

    def _shared(self, condition: Q):
        """Distinct shared sources among their uses matching `condition`, per metric."""
        return (
            SourceUse.objects.filter(
                facet=self.facet, metric__in=self.flows, shared=True, **self.within
            )
            .filter(condition)
            .values("metric")
            .annotate(n=Count("source_id", distinct=True))
        )

    def flow_totals(self, found: "_Whole | None" = None) -> dict[str, Total]:
        """`found`: the question's sums and unsettled shared sources per metric, when
        flow_by_area() has read them."""
        if not self.flows:
            return {}
        plan = self.plan
        if found is None:
            years, months, days = decompose(plan.start, plan.end)
            found = _Whole(
                self._flow_sums(years, months, days),
                {
                    r["metric"]: r["n"]
                    for r in self._shared(unsettled_q(plan.start, plan.end, years, months, days))
                },
            )
        sums, extra = found
        return {
            m: _total(
                m, sums.get(m), distinct_sources(sums[m], extra.get(m, 0)) if m in sums else 0
            )
            for m in self.flows
        }

    def _flow_sums(self, years, months, days) -> dict[str, list[int]]:
        plan = self.plan
        sums: dict[str, list[int]] = {}
        if years or months:
            for row in (
                FlowTotal.objects.filter(facet=self.facet, metric__in=self.flows, node=self.node)
                .filter(cells_q(years, months))
                .values("metric")
                .annotate(**SUM_FIELDS)
            ):
                add_sums(sums, row["metric"], sums_vector(row))
        for metric, *values in raw_rows(
            self._rest(plan.start, plan.end, years, days)
            .values("metric")
            .annotate(**EVENT_SUM_FIELDS)
            .values_list("metric", *EVENT_SUM_FIELDS)
        ):
            add_sums(sums, metric, event_vector(values))
        return sums

    def flow_by_area(self) -> tuple[dict, "_Whole"]:
        """Totals per place at the breakdown level (None: what the area holds beyond them),
        and what flow_totals() reads of the same rows: the question's sums and its unsettled
        shared sources, per metric."""
        plan, level = self.plan, self.plan.level
        years, months, days = decompose(plan.start, plan.end)
        by_place: dict[int | None, dict[str, list[int]]] = defaultdict(dict)
        whole: dict[str, list[int]] = {}
        sums: dict[str, list[int]] = {}
        below: dict[str, list[list[int]]] = defaultdict(list)
        if years or months:
            # One row per metric and node (summed in SQL): a place's vector is taken as it
            # is, and the places' are summed per metric at once (thousands by township). A
            # question of one cell (a year, a month) has one row per metric and node already.
            cells = (
                FlowTotal.objects.filter(facet=self.facet, metric__in=self.flows)
                .filter(Q(node=self.node) | Q(level=level, **self.within))
                .filter(cells_q(years, months))
            )
            if cells_in(years, months) == 1:
                cells = cells.values_list("metric", "node", *CELL_COLUMNS)
            else:
                cells = (
                    cells.values("metric", "node")
                    .annotate(**SUM_FIELDS)
                    .values_list("metric", "node", *SUM_FIELDS)
                )
            for metric, node, *vector in raw_rows(cells):
                if node == self.node:
                    add_sums(whole, metric, vector)
                    add_sums(sums, metric, vector)
                else:
                    by_place[node][metric] = vector
                    below[metric].append(vector)
        in_rows = {m: [sum(n) for n in zip(*vectors, strict=True)] for m, vectors in below.items()}
        # What the area holds beyond its places at the breakdown level: coarser reports (or
        # what they add beyond the figures they cover, rule 5).
        for metric, vector in whole.items():
            places = in_rows.get(metric, [0] * len(FIELDS))
            rest = [vector[i] - places[i] if i in ADDITIVE else 0 for i in range(len(FIELDS))]
            if any(rest):
                add_sums(by_place[None], metric, rest)
        for metric, place, *values in raw_rows(
            self._rest(plan.start, plan.end, years, days)
            .values("metric", f"adm{level}")
            .annotate(**EVENT_SUM_FIELDS)
            .values_list("metric", f"adm{level}", *EVENT_SUM_FIELDS)
        ):
            add_sums(by_place[place], metric, event_vector(values))
            add_sums(sums, metric, event_vector(values))
        # The row is what the coarser events add, each read on its own: one covering an open
        # high has no floor but zero (rules.remainder: 0 up to the larger of its parts), so
        # its low part goes and its high part becomes the larger. Only where the area counts
        # an open high at all (the events' vectors say: FIELDS' "open").
        open_metrics = [m for m, vector in sums.items() if vector[8] > 0]
        if None in by_place and open_metrics:
            for metric, low, high, larger in raw_rows(
                EventCount.objects.filter(
                    facet=self.facet,
                    metric__in=open_metrics,
                    covers_open_level__gte=level,
                    **{f"adm{level}__isnull": True},
                    **self.within,
                )
                .filter(counted_q(plan.start, plan.end))
                .values("metric")
                .annotate(
                    low=Sum("adds_low"),
                    high=Sum("adds_high"),
                    larger=Sum(Greatest("adds_low", "adds_high")),
                )
                .values_list("metric", "low", "high", "larger")
            ):
                vector = by_place[None].get(metric)
                if vector is not None:
                    best, low_part, high_part, *rest = vector
                    low_part, high_part = low_part - low, high_part - high + larger
                    by_place[None][metric] = [best, low_part, high_part, *rest]
        # The unsettled shared sources, counted distinct in each place and in the whole area
        # from one read of them (distinct per place, metric and source: a few hundred rows).
        uses = SourceUse.objects.filter(
            facet=self.facet, metric__in=self.flows, shared=True, **self.within
        ).filter(unsettled_q(plan.start, plan.end, years, months, days))
        extra: dict[tuple, int] = defaultdict(int)
        anywhere: dict[str, set[int]] = defaultdict(set)
        for metric, group, source in raw_rows(
            uses.values_list("metric", f"adm{level}", "source_id").distinct()
        ):
            if group is not None:
                extra[metric, group] += 1
            anywhere[metric].add(source)
        # The coarser reports' shared sources, counted distinct among themselves.
        coarse = {
            r["metric"]: r["n"]
            for r in self._shared(
                counted_q(plan.start, plan.end) & Q(**{f"adm{level}__isnull": True})
            )
        }
        result = {}
        for place, per_metric in by_place.items():
            result[place] = {
                m: _total(
                    m,
                    v,
                    v[5] + coarse.get(m, 0)
                    if place is None
                    else distinct_sources(v, extra.get((m, place), 0)),
                )
                for m, v in per_metric.items()
            }
        return result, _Whole(sums, {m: len(found) for m, found in anywhere.items()})

    def flow_by_period(self, kind: str, periods) -> tuple[dict[date, dict[str, Total]], object]:
        """Totals per period row (keyed by the row's first day), and the EventCount rows
        counted in the question but longer than any one row (rule 3), as a queryset."""
        if not periods:
            return {}, EventCount.objects.none()
        start, end = periods[0][0], periods[-1][1]
        rows = []
        for first, last, _ in periods:
            if kind == "year" and (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
                years, months, days = [(first, first)], [], []
            elif kind == "week":
                years, months, days = [], [], [(first, last)]
            else:
                years, (months, days) = [], months_and_days(first, last)
            rows.append((first, last, years, months, days))
        by_bucket: dict[date, dict[str, list[int]]] = defaultdict(dict)
        years = merge_ranges([r for _, _, y, *_ in rows for r in y], next_year)
        months = merge_ranges([r for _, _, _, m, _ in rows for r in m], next_month)
        days = merge_ranges([d for *_, ds in rows for d in ds], lambda d: d + ONE_DAY)
        if years or months:
            # The area's cells, one row each (one cell per metric, span and start of a node).
            for metric, cell, *vector in raw_rows(
                FlowTotal.objects.filter(facet=self.facet, metric__in=self.flows, node=self.node)
                .filter(cells_q(years, months))
                .values_list("metric", "start", *CELL_COLUMNS)
            ):
                add_sums(by_bucket[period_start(_as_date(cell), kind)], metric, vector)
        # The events no cell holds, each in the row holding its whole span (the same period at
        # its first and its last day), or else longer: summed per row, and the longer ones
        # left for spanning() to list.
        periods_of = {"first_period": TRUNC[kind]("dated"), "last_period": TRUNC[kind]("span_end")}
        rest = self._rest(start, end, years, days).annotate(**periods_of)
        fitting = rest
        if kind == "month":
            # A figure not within one calendar month fits in no month (a week across the turn
            # of a month may hold it): only those within a month, on the loose days, are read.
            fitting = (
                EventCount.objects.filter(facet=self.facet, metric__in=self.flows, **self.within)
                .filter(rest_within_month_q(end, days))
                .annotate(**periods_of)
            )
        for metric, first_period, *values in raw_rows(
            fitting.filter(first_period=F("last_period"))
            .values("metric", "first_period")
            .annotate(**EVENT_SUM_FIELDS)
            .values_list("metric", "first_period", *EVENT_SUM_FIELDS)
        ):
            add_sums(by_bucket[_as_date(first_period)], metric, event_vector(values))
        longer = rest.exclude(first_period=F("last_period"))
        firsts = [first for first, *_ in rows]
        lasts = {first: last for first, last, *_ in rows}
        # Sources: a row made of one cell counts its shared sources exactly; the others add
        # the settled ones and count the rest distinct, each use in the row holding its span.
        single = {first: not ds and cells_in(ys, ms) == 1 for first, _, ys, ms, ds in rows}
        # Only the uses dated in the other rows are read (a monthly series of whole months
        # reads none): the rows follow each other, so a use's row is the one holding its date.
        counted_apart = merge_ranges(
            [(first, last) for first, last, *_ in rows if not single[first]],
            lambda last: last + ONE_DAY,
        )
        uses = SourceUse.objects.filter(
            facet=self.facet, metric__in=self.flows, shared=True, **self.within
        ).filter(
            unsettled_q(start, end, years, months, days),
            any_of(in_range("dated", a, b) for a, b in counted_apart),
        )
        distinct: dict[tuple, set] = defaultdict(set)
        for metric, source, dated, span_end in raw_rows(
            uses.values_list("metric", "source_id", "dated", "span_end")
        ):
            at = bisect_right(firsts, dated) - 1
            if at >= 0 and span_end <= lasts[firsts[at]] and not single[firsts[at]]:
                distinct[metric, firsts[at]].add(source)
        result = {}
        for first, *_ in rows:
            bucket = period_start(first, kind)
            result[first] = {}
            for m in self.flows:
                vector = by_bucket[bucket].get(m)
                sources = 0
                if vector and single[first]:
                    sources = vector[5] + vector[6]
                elif vector:
                    sources = distinct_sources(vector, len(distinct[m, first]))
                result[first][m] = _total(m, vector, sources)
        return result, longer

    def longer_by_month(self, periods, lines: int) -> tuple[dict[str, list], dict[str, int]]:
        """The largest `lines` figures per metric of a monthly series that are longer than a
        month (rule 3), and how many more there are, without reading them all: in the series'
        whole years, a year cell's events less its months' are the events within that year but
        longer than a month; only those in the series' partial years, and those not within one
        year (few), are counted row by row; the largest few come off an index, in order."""
        start, end = periods[0][0], periods[-1][1]
        whole = whole_years(start, end)
        counts: dict[str, int] = defaultdict(int)
        if whole:
            first, last = whole
            for metric, n in raw_rows(
                FlowTotal.objects.filter(facet=self.facet, metric__in=self.flows, node=self.node)
                .filter(
                    Q(span="year", start__range=(first, last))
                    | Q(span="month", start__range=(first, date(last.year, 12, 1)))
                )
                .values("metric")
                .annotate(
                    n=Sum("events", filter=Q(span="year"), default=0)
                    - Sum("events", filter=Q(span="month"), default=0)
                )
                .values_list("metric", "n")
            ):
                counts[metric] += n
        longer = EventCount.objects.filter(facet=self.facet, **self.within).filter(
            longer_than_month_q(start, end)
        )
        for metric, n in raw_rows(
            longer.filter(metric__in=self.flows)
            .filter(outside_years_q(start, end, [whole] if whole else []))
            .values("metric")
            .annotate(n=Count("id"))
            .values_list("metric", "n")
        ):
            counts[metric] += n
        found: dict[str, list] = defaultdict(list)
        for row in _largest(longer, [m for m in self.flows if counts.get(m)], lines):
            found[row.metric].append(row)
        return found, {m: n - len(found[m]) for m, n in counts.items() if n > len(found[m])}

    def beyond(self):
        """The EventCount rows reaching into the question from outside it (rule 3)."""
        plan = self.plan
        return EventCount.objects.filter(
            facet=self.facet, metric__in=self.flows, **self.within
        ).filter(beyond_q(plan.start, plan.end))

    def data_dates(self) -> tuple[date | None, date | None]:
        """The first and the last day holding data: a counted flow's first and last day, or a
        stock's date (one query for the flows and one for the stocks; each of PostgreSQL's
        bounds is one probe of an index)."""
        plan, firsts, lasts = self.plan, [], []
        if self.flows:
            found = (
                EventCount.objects.filter(facet=self.facet, metric__in=self.flows, **self.within)
                .filter(counted_q(plan.start, plan.end))
                .aggregate(first=Min("dated"), last=Max("span_end"))
            )
            firsts.append(found["first"])
            lasts.append(found["last"])
        if self.stocks and self.composed:  # the dates of its figures (as the base tables)
            found = EventCount.objects.filter(
                facet=self.facet, metric__in=self.stocks, dated__lte=plan.end, **self.within
            ).aggregate(first=Min("dated"), last=Max("dated"))
            firsts.append(found["first"])
            lasts.append(found["last"])
        elif self.stocks:
            found = (
                StockStep.objects.filter(
                    facet=self.facet, metric__in=self.stocks, node__in=self.stock_nodes
                )
                .filter(valid_from__lte=plan.end)
                .aggregate(first=Min("valid_from"), last=Max("valid_from"))
            )
            firsts.append(found["first"])
            lasts.append(found["last"])
        return (
            min((d for d in firsts if d is not None), default=None),
            max((d for d in lasts if d is not None), default=None),
        )

    # --- stocks

    def _steps_at(self, day: date):
        return StockStep.objects.filter(
            facet=self.facet, metric__in=self.stocks, valid_from__lte=day
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    def stock_totals(self, day: date, steps: list[Step] | None = None) -> dict[str, Total]:
        """`steps`: the area's steps at `day` when steps_for_area() has read them."""
        if steps is None:
            steps = (
                self._composed_steps(day)
                if self.composed
                else steps_of(self._steps_at(day).filter(node__in=self.stock_nodes))
            )
        nodes = set(self.stock_nodes)
        found = defaultdict(list)
        for step in steps:
            if step.node in nodes:
                found[step.metric].append(step)
        return {m: _step_total(m, self._area_step(found[m]), day) for m in self.stocks}

    def steps_for_area(self, day: date) -> list[Step]:
        """In one query, the steps at `day` that stock_totals() and stock_by_area() read: the
        area's, and those within it at the breakdown level or with no ancestor there."""
        level = self.plan.level
        if connection.vendor == "postgresql" and day < today():
            steps = self._steps_by_node(day, level)
        else:
            places = Q(level=level) | Q(**{f"adm{level}__isnull": True})
            if self.within:
                places &= Q(**self.within)
            steps = steps_of(self._steps_at(day).filter(Q(node__in=self.stock_nodes) | places))
        return self._with_composed(steps, day)

    def _steps_by_node(self, day: date, level: int) -> list[Step]:
        """steps_for_area() at a past date, on PostgreSQL. Read as "valid at the date" (begun
        by then, ending after it), a past date reads every later step of every place: 36,000
        to keep 416 at a million reports, for a breakdown by township at the end of 2023. So
        each place in the area down to the breakdown level (the gazetteer's) has its step
        read off the index of a node's steps by date, the last begun by then; and the places
        below the level with no ancestor at it (a township straight under its state; the
        gazetteer rarely has any) theirs off a partial index of their own
        (`stockstep_orphans`), all of them, the one at the date kept here."""
        area = self.plan.area
        places = Place.objects.filter(admin_level__lte=level)
        if area is not None:
            places = places.filter(path__startswith=area.path)
        nodes, node_params = places.order_by().values_list("pk").query.sql_with_params()
        orphans, orphan_params = (
            StockStep.objects.filter(
                facet=self.facet,
                metric__in=self.stocks,
                valid_from__lte=day,
                level__gt=level,
                **{f"adm{level}__isnull": True},
                **self.within,
            )
            .values_list(*STEP_FIELDS, "valid_to")
            .query.sql_with_params()
        )
        step = StockStep._meta.db_table
        columns = ", ".join(f"s.{field}" for field in (*STEP_FIELDS, "valid_to"))
        sql = (
            f"SELECT {columns} FROM ({nodes}) AS n(id)"  # noqa: S608 - Django's SQL
            " CROSS JOIN unnest(%s::text[]) AS m(metric)"
            f" CROSS JOIN LATERAL (SELECT * FROM {step} AS s WHERE s.facet = %s"
            " AND s.metric = m.metric AND s.node = n.id AND s.valid_from <= %s"
            " ORDER BY s.valid_from DESC LIMIT 1) AS s"
            f" UNION ALL ({orphans})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*node_params, self.stocks, self.facet, day, *orphan_params])
            rows = cursor.fetchall()
        return [Step(*row[:-1]) for row in rows if row[-1] is None or row[-1] > day]

    def _steps_within(self, day: date):
        """Steps at `day` of the area and of every place within it."""
        steps = self._steps_at(day)
        if self.within:  # (an empty Q() would drop out of the OR)
            steps = steps.filter(Q(node__in=self.stock_nodes) | Q(**self.within))
        return self._with_composed(steps_of(steps), day)

    def _standing_own(self, steps) -> dict[str, list[Step]]:
        """The steps whose own figure stands in the area: own figure, no standing own figure
        above them within the area."""
        own = {(s.metric, s.node) for s in steps if s.own_key}
        floor = self.plan.area.admin_level if self.plan.area else -1
        standing = defaultdict(list)
        for step in steps:
            if step.own_key and not any(
                (step.metric, above) in own for above in _above(step, floor)
            ):
                standing[step.metric].append(step)
        return standing

    def stock_by_area(self, day: date, steps: list[Step]) -> dict:
        """Totals per place at the breakdown level (None: what the area holds beyond them), from
        steps_for_area()."""
        level = self.plan.level
        ancestor = f"adm{level}"
        coarse = [s for s in steps if getattr(s, ancestor) is None]
        own = {(s.metric, s.node) for s in coarse if s.own_key}
        floor = self.plan.area.admin_level if self.plan.area else -1
        by_place: dict[int | None, dict[str, Total]] = defaultdict(dict)
        within = list(self.within.items())
        at_level = [
            s
            for s in steps
            if s.level == level and all(getattr(s, field) == pk for field, pk in within)
        ]
        for step in at_level:
            if not any((step.metric, above) in own for above in _above(step, floor)):
                by_place[step.node][step.metric] = _step_total(step.metric, step, day)
        for metric, standing in self._standing_own(coarse).items():
            by_place[None][metric] = self._union(metric, standing, day)
        return by_place

    def _union(self, metric: str, steps: list[Step], day: date) -> Total:
        """The total of several standing own figures, with their sources counted distinct."""
        if len(steps) == 1:
            return _step_total(metric, steps[0], day)
        sources = (
            SourceUse.objects.filter(
                facet=self.facet, metric=metric, key__in=[s.own_key for s in steps]
            )
            .values("source_id")
            .distinct()
            .count()
        )
        oldest = min(s.oldest for s in steps)
        return Total(
            metric,
            sum(s.best for s in steps),
            sum(s.low for s in steps),
            sum(s.high for s in steps),
            sum(s.events for s in steps),
            sum(s.reports for s in steps),
            sources,
            any(s.open_events for s in steps),
            any(s.approximate_events for s in steps),
            oldest,
            max(s.newest for s in steps),
            oldest < stale_before(day),
            any(s.at_most_events for s in steps),
        )

    def stock_by_period(self, periods) -> dict[date, dict[str, Total]]:
        """Each period's stock at its last day: the area's step then (a node's steps follow
        each other without gaps: the last one begun by that day); everywhere's composed from
        the top places' (compose_numbers)."""
        if not periods:
            return {}
        if self.composed:
            at = self._composed_at([last for _, last, _ in periods])
            return {
                first: {
                    m: _step_total(m, self._area_step(at.get((last, m), [])), last)
                    for m in self.stocks
                }
                for first, last, _ in periods
            }
        at_end: dict[tuple[date, str], list] = defaultdict(list)  # (numbers, shared sources)
        if connection.vendor == "postgresql":
            for last, metric, *numbers, shared in self._steps_at_ends(
                [last for _, last, _ in periods], periods[0][1]
            ):
                at_end[last, metric].append((numbers, shared))
        else:
            steps = defaultdict(list)
            for metric, node, valid_from, *numbers, shared in (
                StockStep.objects.filter(
                    facet=self.facet, metric__in=self.stocks, node__in=self.stock_nodes
                )
                .filter(valid_from__lte=periods[-1][1])
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=periods[0][1]))
                .order_by("valid_from")
                .values_list("metric", "node", "valid_from", *STEP_NUMBERS, "shared_sources")
            ):
                steps[metric, node].append((valid_from, numbers, shared))
            for (metric, _), found in steps.items():
                starts = [valid_from for valid_from, _, _ in found]
                for _, last, _ in periods:
                    at = bisect_right(starts, last) - 1
                    if at >= 0:
                        at_end[last, metric].append(found[at][1:])
        return {
            first: {
                m: _numbers_total(m, compose_numbers(parts), last)
                if (parts := at_end.get((last, m)))
                else Total.zero(m)
                for m in self.stocks
            }
            for first, last, _ in periods
        }

    def _steps_at_ends(self, ends: list[date], since: date) -> list[tuple]:
        """stock_by_period() on PostgreSQL: (day, metric, *STEP_NUMBERS, shared sources) of
        each of the area's stock nodes' step at each of these days, off the index of a node's
        steps by date, one probe a day, metric and node (the steps between them, 1,800 for
        the whole data set by month, are not read). `since`: the first period's last day (a
        step ended by then is none of them)."""
        columns = ", ".join(f"s.{field}" for field in (*STEP_NUMBERS, "shared_sources"))
        sql = (
            f"SELECT e.day, m.metric, {columns}"  # noqa: S608 - column names only
            " FROM unnest(%s::date[]) AS e(day) CROSS JOIN unnest(%s::text[]) AS m(metric)"
            " CROSS JOIN unnest(%s::bigint[]) AS n(node)"
            f" CROSS JOIN LATERAL (SELECT {', '.join((*STEP_NUMBERS, 'shared_sources'))}"
            f" FROM {StockStep._meta.db_table} WHERE facet = %s AND metric = m.metric"
            " AND node = n.node AND valid_from <= e.day AND (valid_to IS NULL OR valid_to > %s)"
            " ORDER BY valid_from DESC LIMIT 1) AS s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [ends, self.stocks, self.stock_nodes, self.facet, since])
            return cursor.fetchall()

    def _with_composed(self, steps: list[Step], day: date) -> list[Step]:
        """Steps read at `day` with the composed nodes' (self.composed) in place of any stored
        for them (none, unless written by an earlier release after migration 0038 ran)."""
        if not self.composed:
            return steps
        composed = set(self.stock_nodes)
        return [s for s in steps if s.node not in composed] + self._composed_steps(day)

    def _composed_steps(self, day: date) -> list[Step]:
        """The stock nodes' steps at `day`, composed (_composed_at), every metric's."""
        return [step for steps in self._composed_at([day]).values() for step in steps]

    def _composed_at(self, days: list[date]) -> dict[tuple[date, str], list[Step]]:
        """The stock nodes' steps (self.composed: top places in a facet, whose steps are not
        stored) at each of these days, by (day, metric): each composed from its children's
        stored steps then and its own figures, as the sweep would have stored it
        (stocks._settle): its latest figure stands if it is at least as recent as every
        child's newest as-of date, or at least as large as their total (rules.stands_over);
        otherwise the children's put together. The days not composed already for this answer,
        in a query for the children's steps over them (the places and the top places' figures
        read once)."""
        if not self.stocks:
            return {}
        missing = sorted({day for day in days if (day, self.stocks[0]) not in self._composed})
        if missing:
            self._compose(missing)
        return {
            (day, metric): found
            for day in days
            for metric in self.stocks
            if (found := self._composed[day, metric])
        }

    @cached_property
    def _tops(self) -> tuple[dict[int, dict], dict[int, list[int]]]:
        """The composed nodes' labels (node, level, adm0...) and their children, from the
        gazetteer (one query)."""
        tops = self.stock_nodes
        labels: dict[int, dict] = {}
        children: dict[int, list[int]] = defaultdict(list)
        for pk, parent, level in Place.objects.filter(
            Q(pk__in=tops) | Q(parent_id__in=tops)
        ).values_list("pk", "parent_id", "admin_level"):
            if pk in tops:
                labels[pk] = {"node": pk, "level": level} | {
                    f"adm{above}": pk if above == level else None for above in range(5)
                }
            else:
                children[parent].append(pk)
        return {top: labels[top] for top in tops if top in labels}, children  # (in tops' order)

    def _own_figures(self, last: date) -> tuple[dict, dict]:
        """The top places' own figures dated by `last`, by (metric, place) in the standing
        order, and the shared sources of each (by (metric, key)); read again only for a later
        day than read before."""
        if self._own is not None and self._own[0] >= last:
            return self._own[1], self._own[2]
        tops = self.stock_nodes
        own: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for row in (
            EventCount.objects.filter(
                facet=self.facet, metric__in=self.stocks, place_id__in=tops, dated__lte=last
            )
            .order_by(*STANDING_ORDER)
            .values(*OWN_FIELDS)
        ):
            own[row["metric"], row["place_id"]].append(row)
        shared: dict[tuple[str, str], list[int]] = defaultdict(list)
        if len(tops) > 1 and own:  # (everywhere puts several together: their sources distinct)
            for metric, key, source in SourceUse.objects.filter(
                facet=self.facet,
                metric__in=self.stocks,
                key__in=[row["key"] for rows in own.values() for row in rows],
                shared=True,
            ).values_list("metric", "key", "source_id"):
                shared[metric, key].append(source)
        self._own = (last, own, shared)
        return own, shared

    def _compose(self, days: list[date]) -> None:
        """_composed_at() of these days, kept in self._composed."""
        labels, children = self._tops
        steps = self._steps_on(days, [child for found in children.values() for child in found])
        own, shared = self._own_figures(max(days))
        for day in days:
            for metric in self.stocks:
                found = self._composed[day, metric] = []
                for top, named in labels.items():
                    present = [
                        step
                        for child in children[top]
                        if (step := steps.get((day, metric, child))) is not None and step.events
                    ]
                    latest = _latest_figure(own.get((metric, top)), day)
                    newest = max((step.newest for step in present), default=None)
                    total = sum(step.best for step in present)
                    if latest is not None and stands_over(
                        latest["dated"], latest["best"], newest, total
                    ):
                        found.append(
                            _own_step(latest, shared.get((metric, latest["key"]), []), named)
                        )
                    elif present:
                        found.append(compose_steps(present, **named))

    def _steps_on(self, days: list[date], nodes: list[int]) -> dict[tuple, Step]:
        """The step of each of these nodes standing on each of these days, by (day, metric,
        node). On PostgreSQL one index probe each (a series over years of a node changing
        almost daily reads a few steps a period, not all between); elsewhere every step over
        the days, the one standing on each found by bisection."""
        found: dict[tuple, Step] = {}
        if connection.vendor == "postgresql":
            columns = ", ".join(f"s.{field}" for field in STEP_FIELDS)
            sql = (
                f"SELECT e.day, s.valid_to, {columns}"  # noqa: S608 - column names only
                " FROM unnest(%s::date[]) AS e(day) CROSS JOIN unnest(%s::text[]) AS m(metric)"
                " CROSS JOIN unnest(%s::bigint[]) AS n(node)"
                f" CROSS JOIN LATERAL (SELECT * FROM {StockStep._meta.db_table} AS s"
                " WHERE s.facet = %s AND s.metric = m.metric AND s.node = n.node"
                " AND s.valid_from <= e.day ORDER BY s.valid_from DESC LIMIT 1) AS s"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [days, self.stocks, nodes, self.facet])
                for day, valid_to, *fields in cursor.fetchall():
                    if valid_to is None or valid_to > day:
                        step = Step(*fields)
                        found[day, step.metric, step.node] = step
            return found
        first, last = min(days), max(days)
        by_node: dict[tuple[str, int], list] = defaultdict(list)  # (valid_from, valid_to, Step)
        for valid_from, valid_to, *fields in (
            StockStep.objects.filter(
                facet=self.facet, metric__in=self.stocks, node__in=nodes, valid_from__lte=last
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
            .order_by("valid_from")
            .values_list("valid_from", "valid_to", *STEP_FIELDS)
        ):
            step = Step(*fields)
            by_node[step.metric, step.node].append((valid_from, valid_to, step))
        for (metric, node), steps in by_node.items():
            for day in days:
                if (step := _standing_step(steps, day)) is not None:
                    found[day, metric, node] = step
        return found

    def standing_keys(self, metric: str, day: date) -> list[str]:
        steps = [s for s in self._steps_within(day) if s.metric == metric]
        return [s.own_key for s in self._standing_own(steps).get(metric, [])]


# What a composed step takes of a top place's own figure (Reader._composed_at, _own_step).
OWN_FIELDS = ("metric", "place_id", "key", "dated", "best", "range_low", "range_high", "reports",
              "sources", "high_open", "approximate", "at_most")  # fmt: skip


def _standing_step(steps: list | None, day: date) -> Step | None:
    """The step standing at `day` of one node's (valid_from, valid_to, Step), in date order."""
    if not steps:
        return None
    at = bisect_right(steps, day, key=itemgetter(0)) - 1
    if at < 0 or (steps[at][1] is not None and steps[at][1] <= day):
        return None
    return steps[at][2]


def _latest_figure(rows: list[dict] | None, day: date) -> dict | None:
    """The figure standing at `day` of a place's own (in the standing order): the last dated
    by then."""
    if not rows:
        return None
    at = bisect_right(rows, day, key=itemgetter("dated")) - 1
    return rows[at] if at >= 0 else None


def _own_step(row: dict, shared: list[int], labels: dict) -> Step:
    """The step of a node whose own figure stands (stocks.own_value, step_row)."""
    return Step(
        metric=row["metric"], best=row["best"], low=row["range_low"], high=row["range_high"],
        events=1, reports=row["reports"], sources=row["sources"], own_key=row["key"],
        open_events=int(row["high_open"]), approximate_events=int(row["approximate"]),
        at_most_events=int(row["at_most"] and row["best"] > 0),
        oldest=row["dated"], newest=row["dated"], shared_sources=sorted(shared), **labels,
    )  # fmt: skip


# What a line beside a total needs of its EventCount row (_spanning, _figure_totals): read as
# plain values, not model instances (a dashboard answer lists about a hundred).
LINE_FIELDS = ("metric", "event_id", "report_id", "dated", "span_end", "place_id", "best",
               "range_low", "range_high", "reports", "sources", "high_open", "approximate",
               "at_most", "adds_best", "adds_low", "adds_high", "covers_open_level")  # fmt: skip


_Line = namedtuple("_Line", LINE_FIELDS)


def _largest(rows, metrics: list[str], lines: int) -> list:
    """Each metric's `lines` rows adding the most (LINE_FIELDS), off the index in that order.
    On PostgreSQL in one statement, each metric's rows in a lateral subquery compiled once
    (a UNION of one subquery a metric took Django longer to compile than PostgreSQL to run:
    3.5 of 8.4 ms for the nine flows); elsewhere one statement a metric."""
    if lines <= 0 or not metrics:
        return []
    largest = ("-adds_best", "-report_id")
    if connection.vendor != "postgresql":
        return [
            row
            for metric in metrics
            for row in rows.filter(metric=metric)
            .order_by(*largest)
            .values_list(*LINE_FIELDS, named=True)[:lines]
        ]
    each = rows.filter(metric=RawSQL("wanted.metric", ())).order_by(*largest)
    try:
        sql, params = each.values_list(*LINE_FIELDS)[:lines].query.sql_with_params()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT found.* FROM unnest(%s::text[]) AS wanted(metric)"  # noqa: S608 - Django's SQL
            f" CROSS JOIN LATERAL ({sql}) AS found",
            [metrics, *params],
        )
        return [_Line(*row) for row in cursor.fetchall()]


def spanning_rows(rows, lines: int | None) -> tuple[dict[str, list], dict[str, int]]:
    """EventCount rows per metric (LINE_FIELDS), at most `lines` of each (those adding the
    most; None: all), and how many more each metric has."""
    found: dict[str, list] = defaultdict(list)
    if lines is None:
        for row in rows.values_list(*LINE_FIELDS, named=True):
            found[row.metric].append(row)
        return found, {}
    if lines == 0:
        counts = rows.values("metric").annotate(n=Count("id")).values_list("metric", "n")
        return found, dict(raw_rows(counts))
    # One pass: each metric's largest `lines` rows, with how many it has in all.
    ranked = rows.annotate(
        rank=Window(
            RowNumber(),
            partition_by=F("metric"),
            order_by=[F("adds_best").desc(), F("report_id").desc()],
        ),
        of=Window(Count("id"), partition_by=F("metric")),
    ).filter(rank__lte=lines)
    counts: dict[str, int] = {}
    for row in ranked.values_list(*LINE_FIELDS, "of", named=True):
        found[row.metric].append(row)
        counts[row.metric] = row.of
    return found, {m: n - len(found[m]) for m, n in counts.items() if n > len(found[m])}


def _as_date(value) -> date:
    """A truncated date as the database returns it (SQLite: text, or a datetime)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _above(step: Step, floor: int) -> list[int]:
    """The nodes above a step's node, down from just below the area (floor: its level)."""
    nodes = [getattr(step, f"adm{level}") for level in range(max(floor, 0), 5)]
    above = [n for n in nodes if n is not None and n != step.node]
    if floor < 0 and step.node != EVERYWHERE:
        above.append(EVERYWHERE)
    return above


def _total(metric: str, vector, sources: int) -> Total:
    """A flow's Total from its summed vector, its low and high around its best (as the base
    tables': Evidence.total)."""
    if vector is None:
        return Total(metric, 0, 0, 0, 0, 0, sources)
    best, low, high, events, reports = vector[:5]
    return Total(
        metric, best, low, high, events, reports, sources, vector[8] > 0, vector[9] > 0,
        at_most=vector[10] > 0,
    ).in_order()  # fmt: skip


def _numbers_total(metric: str, numbers, day: date) -> Total:
    """A stock's Total at `day` from a step's (best, low, high, events, reports, sources,
    open events, approximate events, oldest, newest, "at most" events: STEP_NUMBERS)."""
    best, low, high, events, reports, sources, open_events, approximate, oldest, newest = numbers[
        :10
    ]
    return Total(
        metric, best, low, high, events, reports, sources, open_events > 0, approximate > 0,
        oldest, newest, oldest is not None and oldest < stale_before(day), numbers[10] > 0,
    )  # fmt: skip


def _step_total(metric: str, step: Step | None, day: date) -> Total:
    if step is None:
        return Total.zero(metric)
    return _numbers_total(
        metric,
        (
            step.best, step.low, step.high, step.events, step.reports, step.sources,
            step.open_events, step.approximate_events, step.oldest, step.newest,
            step.at_most_events,
        ),
        day,
    )  # fmt: skip


def _figure_totals(metric: str, row, day: date | None = None) -> tuple[Total, Total]:
    """An EventCount row's own Total (its figure, its event's range) and what it adds (`row`:
    one with LINE_FIELDS at least)."""
    own = Total(
        metric, row.best, row.range_low, row.range_high, 1, row.reports, row.sources,
        row.high_open, row.approximate, at_most=row.at_most and row.best > 0,
    )  # fmt: skip
    # Read on its own, what it adds has no floor but zero when it covers an open high.
    _, low, high = parts_apart((row.adds_best, row.adds_low, row.adds_high), row.covers_open_level)
    adds = Total(
        metric, row.adds_best, low, high, 1, row.reports, row.sources, row.high_open,
        row.approximate, at_most=row.at_most and row.adds_best > 0,
    )  # fmt: skip
    if day is not None:  # a stock: adds nothing beyond its own numbers; its as-of date
        own = _numbers_total(
            metric,
            (row.best, row.range_low, row.range_high, 1, row.reports, row.sources,
             int(row.high_open), int(row.approximate), row.dated, row.dated,
             int(row.at_most and row.best > 0)),
            day,
        )  # fmt: skip
        adds = own
    return own, adds


def _spanning(*groups: dict[str, list]) -> list[dict[str, list]]:
    return spanning_figures(
        *(
            [
                (
                    metric,
                    r.event_id,
                    r.report_id,
                    Span(r.dated, r.span_end),
                    r.place_id,
                    *_figure_totals(metric, r),
                )  # fmt: skip
                for metric, found in rows.items()
                for r in found
            ]
            for rows in groups
        )
    )


def answer_from_summaries(plan: Plan, facet: str = EVERYTHING, lines: int | None = None) -> Answer:
    reader = Reader(plan, facet)
    by_area, whole, steps = [], None, None
    if plan.level is not None:
        by_place: dict[int | None, dict[str, Total]] = defaultdict(dict)
        if reader.flows:
            flow_places, whole = reader.flow_by_area()
            for place, per_metric in flow_places.items():
                by_place[place].update(per_metric)
        if reader.stocks:
            steps = reader.steps_for_area(plan.end)
            for place, per_metric in reader.stock_by_area(plan.end, steps).items():
                by_place[place].update(per_metric)
        by_area = area_rows(plan, by_place)
    totals = reader.flow_totals(whole) | reader.stock_totals(plan.end, steps)

    first, last = (
        reader.data_dates() if plan.start is None or plan.question.end is None else (None, None)
    )
    kind, periods = calendar(
        plan,
        first if plan.start is None else None,
        last if plan.question.end is None else None,
    )
    flows, longer = (
        reader.flow_by_period(kind, periods) if reader.flows else ({}, EventCount.objects.none())
    )
    stocks = reader.stock_by_period(periods) if reader.stocks else {}
    by_period = [
        PeriodRow(
            first,
            last,
            label,
            {m: (flows.get(first, {}) | stocks.get(first, {}))[m] for m in plan.metrics},
        )
        for first, last, label in periods
    ]
    empty = {m: [] for m in reader.flows}
    beyond, beyond_more = spanning_rows(reader.beyond(), lines) if reader.flows else ({}, {})
    if reader.flows and kind == "month" and periods and lines is not None:
        longer, longer_more = reader.longer_by_month(periods, lines)
    else:
        longer, longer_more = spanning_rows(longer, lines) if reader.flows else ({}, {})
    beyond_lines, longer_lines = _spanning(beyond, longer) if reader.flows else ({}, {})
    return Answer(
        plan.question,
        plan.area,
        plan.metrics,
        totals,
        by_area,
        by_period,
        beyond=empty | beyond_lines if reader.flows else {},
        longer=empty | longer_lines if reader.flows else {},
        beyond_more=beyond_more,
        longer_more=longer_more,
    )


def totals_from_summaries(plan: Plan, facet: str = EVERYTHING) -> dict[str, Total]:
    """answer_from_summaries(plan, facet).totals, read alone."""
    reader = Reader(plan, facet)
    return reader.flow_totals() | reader.stock_totals(plan.end)


def _evidence_rows(plan: Plan, metric: str, facet: str):
    """The EventCount rows of the events answer(plan.question).totals[metric] counts."""
    reader = Reader(plan, facet)
    rows = EventCount.objects.filter(facet=facet, metric=metric)
    if is_stock(metric):
        return rows.filter(key__in=reader.standing_keys(metric, plan.end))
    return rows.filter(**reader.within).filter(counted_q(plan.start, plan.end))


def reports_counted_from_summaries(
    plan: Plan, metric: str, facet: str = EVERYTHING
) -> list[tuple[int, tuple[int, ...]]]:
    """(counted report id, every report id) of each event evidence_from_summaries lists, in no
    particular order: two columns of the rows, no instances, names or totals."""
    rows = _evidence_rows(plan, metric, facet)
    # A report linked to no event is its own event: its only report is itself, so the
    # (JSON) list of report ids is read only for events, a third of the rows or fewer.
    alone = rows.filter(event_id__isnull=True).values_list("report_id", flat=True)
    # The list as text, split here: Django's JSON decoding per row cost more than the query.
    linked = (
        rows.filter(event_id__isnull=False)
        .annotate(ids_text=Cast("report_ids", TextField()))
        .values_list("report_id", "ids_text")
    )
    return [(counted, (counted,)) for counted in alone] + [
        (counted, tuple(int(i) for i in text.strip("[] ").split(",") if i.strip()))
        for counted, text in linked
    ]


def evidence_from_summaries(plan: Plan, metric: str, facet: str = EVERYTHING) -> list[CountedEvent]:
    stock = is_stock(metric)
    rows = sorted(
        _evidence_rows(plan, metric, facet), key=lambda r: (r.span_end, r.key), reverse=True
    )
    names = dict(
        Event.objects.filter(pk__in={r.event_id for r in rows if r.event_id}).values_list(
            "pk", "name"
        )
    )
    titles = dict(
        Report.objects.filter(pk__in={r.report_id for r in rows if not r.event_id}).values_list(
            "pk", "title"
        )
    )
    described = []
    for r in rows:
        own, adds = _figure_totals(metric, r, plan.end if stock else None)
        described.append(
            CountedEvent(
                event_id=r.event_id,
                name=names.get(r.event_id, "") if r.event_id else titles.get(r.report_id, ""),
                counted=own,
                range_low=r.range_low,
                range_high=r.range_high,
                reference_report_id=r.report_id,
                report_ids=tuple(r.report_ids),
                start=r.dated,
                end=r.span_end,
                adds=adds.in_order(),
                covers=r.covers,
            )
        )
    return described
