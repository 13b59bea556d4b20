"""Reading the summary tables: a period as whole years, months and loose days, the cells and
source uses that make it, and the sums they add up to (for from_summaries.py)."""

import json
from collections import namedtuple
from datetime import date, timedelta
from operator import attrgetter

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.functions import Cast

from ..question import month_start, next_month

ONE_DAY = timedelta(days=1)


def _month_end(day: date) -> bool:
    return (day + ONE_DAY).day == 1


def decompose(start: date | None, end: date):
    """[start, end] as whole years (ranges of year starts), whole months (ranges of month
    starts) and loose days (date ranges)."""
    years, months, days = [], [], []
    first_year = None
    if start is not None:
        first_year = start.year if (start.month, start.day) == (1, 1) else start.year + 1
    last_year = end.year if (end.month, end.day) == (12, 31) else end.year - 1
    if first_year is None or first_year <= last_year:
        years.append((date(first_year, 1, 1) if first_year else None, date(last_year, 1, 1)))
        rest = []
        if first_year is not None and start < date(first_year, 1, 1):
            rest.append((start, date(first_year, 1, 1) - ONE_DAY))
        if date(last_year, 12, 31) < end:
            rest.append((date(last_year + 1, 1, 1), end))
    else:
        rest = [(start, end)]
    for a, b in rest:
        whole, loose = months_and_days(a, b)
        months += whole
        days += loose
    return years, months, days


def in_range(field: str, low, high) -> Q:
    q = Q(**{f"{field}__lte": high})
    return q & Q(**{f"{field}__gte": low}) if low is not None else q


def any_of(conditions) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined


def _sum(field: str):
    # bigint, not PostgreSQL's numeric: plain ints come back, no Decimal to convert.
    return Cast(Sum(field), BigIntegerField())


# A FlowTotal cell's columns, in the order of FIELDS.
CELL_COLUMNS = ("best", "low", "high", "events", "reports", "local_sources", "shared_sources",
                "settled_sources", "open_events", "approximate_events",
                "at_most_events")  # fmt: skip
SUM_FIELDS = {
    "best": _sum("best"),
    "low": _sum("low"),
    "high": _sum("high"),
    "events": _sum("events"),
    "reports": _sum("reports"),
    "local": _sum("local_sources"),
    "shared": _sum("shared_sources"),
    "settled": _sum("settled_sources"),
    "open": _sum("open_events"),
    "approx": _sum("approximate_events"),
    "at_most": _sum("at_most_events"),
}
# The same sums from EventCount rows: what each event adds (rule 5).
EVENT_SUM_FIELDS = {
    "best": _sum("adds_best"),
    "low": _sum("adds_low"),
    "high": _sum("adds_high"),
    "events": Count("id"),
    "reports": _sum("reports"),
    "local": _sum("local_sources"),
    "open": Count("id", filter=Q(high_open=True)),
    "approx": Count("id", filter=Q(approximate=True)),
    "at_most": Count("id", filter=Q(at_most=True, adds_best__gt=0)),  # (rules.total_of)
}
FIELDS = ("best", "low", "high", "events", "reports", "local", "shared", "settled", "open",
          "approx", "at_most")  # fmt: skip
# Which add up across places: all but the shared and settled source counts.
ADDITIVE = (0, 1, 2, 3, 4, 5, 8, 9, 10)


def sums_vector(row) -> list[int]:
    return [row.get(f) or 0 for f in FIELDS]


def event_vector(values) -> list[int]:
    """A FIELDS vector from the values of EVENT_SUM_FIELDS, in their order."""
    named = dict(zip(EVENT_SUM_FIELDS, values, strict=True))
    return [named.get(f) or 0 for f in FIELDS]


def add_sums(target: dict, key, vector) -> None:
    current = target.get(key)
    if current is None:
        target[key] = list(vector)
    else:
        for i, n in enumerate(vector):
            current[i] += n


def merge_ranges(ranges, following) -> list[tuple]:
    """Adjacent (first, last) ranges of period starts joined into one."""
    merged: list[list] = []
    for a, b in sorted(ranges):
        if merged and following(merged[-1][1]) == a:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [tuple(r) for r in merged]


def cells_in(years, months) -> int | None:
    """How many FlowTotal cells the pieces are (None: reaching back without limit)."""
    count = 0
    for a, b in years:
        if a is None:
            return None
        count += b.year - a.year + 1
    for a, b in months:
        count += (b.year - a.year) * 12 + b.month - a.month + 1
    return count


def cells_q(years, months) -> Q:
    return any_of(
        [Q(span="year") & in_range("start", a, b) for a, b in years]
        + [Q(span="month") & in_range("start", a, b) for a, b in months]
    )


def year_days(years) -> list[tuple]:
    return [(a, date(b.year, 12, 31)) for a, b in years]


def rest_within_month_q(end, days) -> Q:
    """Of rest_q, the events within a month: those dated on the loose days."""
    return Q(reach="month", span_end__lte=end) & any_of(in_range("dated", a, b) for a, b in days)


def rest_q(start, end, years, days) -> Q:
    """The events (or their source uses) counted from [start, end] that no cell of the
    decomposition holds: those within a month dated on the loose days, and those longer than a
    month whose year is not a whole year of it; always wholly inside (rule 3)."""
    longer = longer_than_month_q(start, end)
    return rest_within_month_q(end, days) | longer & outside_years_q(start, end, years)


def whole_years(start: date, end: date) -> tuple[date, date] | None:
    """The first days of the first and the last whole calendar year in [start, end]."""
    first = start.year if (start.month, start.day) == (1, 1) else start.year + 1
    last = end.year if (end.month, end.day) == (12, 31) else end.year - 1
    return (date(first, 1, 1), date(last, 1, 1)) if first <= last else None


def longer_than_month_q(start: date, end: date) -> Q:
    """The events wholly inside [start, end] (rule 3) and not within one calendar month (in
    no month's cell: longer than a month, or across a month's turn)."""
    return ~Q(reach="month") & in_range("dated", start, end) & Q(span_end__lte=end)


def outside_years(start: date | None, end: date, years) -> list[tuple]:
    """The date ranges of [start, end] outside `years` (ranges of year starts, in order)."""
    outside, cursor = [], start
    for first, last in year_days(years):
        if first is not None and (cursor is None or cursor < first):
            outside.append((cursor, first - ONE_DAY))
        cursor = last + ONE_DAY
    if cursor is None or cursor <= end:
        outside.append((cursor, end))
    return outside


def outside_years_q(start: date | None, end: date, years) -> Q:
    """Of the events longer than a month, those no year cell of `years` holds: the ones not
    within one calendar year (in no cell), and those within a year dated outside `years`.
    Said as date ranges, not as "not in those years", so that PostgreSQL reads them off the
    partial indexes."""
    in_outside = any_of(in_range("dated", a, b) for a, b in outside_years(start, end, years))
    return Q(reach="") | Q(reach="year") & in_outside


def unsettled_q(start, end, years, months, days) -> Q:
    """The uses of shared sources that the cells' settled counts leave out: in whole years,
    sources spreading over several years; in whole months, those spreading over several months;
    and all uses of the events no cell holds."""
    return any_of(
        [in_range("dated", a, b) & ~Q(reach="") & Q(span="") for a, b in year_days(years)]
        + [
            in_range("dated", a, next_month(b) - ONE_DAY) & Q(reach="month") & ~Q(span="month")
            for a, b in months
        ]
    ) | rest_q(start, end, years, days)


def counted_q(start, end) -> Q:
    """Events (or their source uses) wholly inside [start, end] (rule 3)."""
    return in_range("dated", start, end) & Q(span_end__lte=end)


def beyond_q(start, end) -> Q:
    """Events reaching into [start, end] from outside it (rule 3's "spanning beyond"). An event
    within one month starts at most a month before the boundary it crosses: the condition says
    so, for the (metric, dated) index; longer ones are few (their own partial index). None
    within one month crosses a boundary between months, and none within one year a boundary
    between years: a question of whole months or years asks only for the longer ones."""
    month = timedelta(days=31)
    ends_after = Q(dated__lte=end, span_end__gt=end)
    crossing = _crossing(ends_after, end + ONE_DAY, Q(dated__gt=end - month))
    if start is not None:
        starts_before = Q(dated__lt=start, span_end__gte=start)
        crossing |= _crossing(starts_before, start, Q(dated__gte=start - month))
    return crossing


def _crossing(condition: Q, boundary: date, within_month: Q) -> Q:
    """Of the events meeting `condition` (crossing the boundary before the day `boundary`),
    those whose reach lets them cross it."""
    if (boundary.month, boundary.day) == (1, 1):
        return Q(reach="") & condition
    wide = ~Q(reach="month") & condition
    if boundary.day == 1:
        return wide
    return Q(reach="month") & within_month & condition | wide


def distinct_sources(vector, extra: int) -> int:
    """Distinct sources of a total: its local ones, its shared ones settled per cell, and the
    rest (`extra`) counted distinct."""
    return vector[5] + vector[7] + extra


STEP_FIELDS = ("metric", "node", "level", "adm0", "adm1", "adm2", "adm3", "adm4", "best", "low",
               "high", "events", "reports", "sources", "own_key", "open_events",
               "approximate_events", "oldest", "newest", "shared_sources",
               "at_most_events")  # fmt: skip
Step = namedtuple("Step", STEP_FIELDS)
# What a stock's Total at a date takes of its step there (from_summaries._numbers_total).
STEP_NUMBERS = ("best", "low", "high", "events", "reports", "sources", "open_events",
                "approximate_events", "oldest", "newest", "at_most_events")  # fmt: skip
_STEP_NUMBERS = attrgetter(*STEP_NUMBERS)


def compose_numbers(parts: list[tuple[tuple, object]]) -> tuple:
    """Everywhere's stock numbers at a date (best, low, high, events, reports, sources, open
    and approximate events, oldest, newest, "at most" events: STEP_NUMBERS) from those of the top
    places' steps then, each with its shared sources (a list, or its JSON text): everywhere
    holds no figure of its own, so its total is its top places' (stocks.py), their sources
    counted distinct (local ones add up; the shared ones are the union of the sets)."""
    if len(parts) == 1:
        return parts[0][0]
    sums = [0] * 8
    at_most = 0
    union: set[int] = set()
    oldest, newest = [], []
    for numbers, shared in parts:
        sources = _sources(shared)
        for i in (0, 1, 2, 3, 4, 6, 7):
            sums[i] += numbers[i]
        at_most += numbers[10]
        sums[5] += numbers[5] - len(sources)
        union.update(sources)
        if numbers[8] is not None:
            oldest.append(numbers[8])
            newest.append(numbers[9])
    sums[5] += len(union)
    return (*sums, min(oldest, default=None), max(newest, default=None), at_most)


def compose_top(steps: list[Step]) -> Step | None:
    """Everywhere's Step at a date from the top places' steps then (compose_numbers)."""
    if not steps:
        return None
    return compose_steps(steps, node=0, level=-1, **dict.fromkeys(ADM_FIELDS))


def compose_steps(steps: list[Step], **labels) -> Step:
    """A node's Step at a date from its children's steps then (compose_numbers), its shared
    sources their union; `labels`: the node's own fields (node, level, adm0...)."""
    numbers = compose_numbers([(_STEP_NUMBERS(s), s.shared_sources) for s in steps])
    union = sorted(set().union(*(_sources(s.shared_sources) for s in steps)))
    return steps[0]._replace(
        own_key="", shared_sources=union, **dict(zip(STEP_NUMBERS, numbers, strict=True)), **labels
    )


def _sources(shared) -> list[int]:
    """Shared sources as read: a list, or its JSON text (as the drivers give a JSON column);
    nearly always none."""
    if not shared or shared == "[]":
        return []
    return json.loads(shared) if isinstance(shared, str) else shared


ADM_FIELDS = ("adm0", "adm1", "adm2", "adm3", "adm4")


def raw_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset of plain numbers and text, without the ORM's
    per-value conversions (the hot queries return thousands of small rows)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def steps_of(queryset) -> list[Step]:
    return [Step(*row) for row in raw_rows(queryset.values_list(*STEP_FIELDS))]


def months_and_days(start: date, end: date):
    """Whole months (ranges of month starts) and loose days of [start, end]."""
    first_month = start if start.day == 1 else next_month(start)
    last_month = month_start(end) if _month_end(end) else month_start(month_start(end) - ONE_DAY)
    if first_month > last_month:
        return [], [(start, end)]
    days = []
    if start < first_month:
        days.append((start, first_month - ONE_DAY))
    if next_month(last_month) <= end:
        days.append((next_month(last_month), end))
    return [(first_month, last_month)], days
