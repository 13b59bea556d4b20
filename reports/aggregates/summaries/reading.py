"""Reading the summary tables: a period as whole years, months and loose days, the cells and
source uses that make it, and the sums they add up to (for from_summaries.py)."""

from collections import namedtuple
from datetime import date, timedelta

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


SUM_FIELDS = {
    "best": _sum("best"),
    "low": _sum("low"),
    "high": _sum("high"),
    "events": _sum("events"),
    "reports": _sum("reports"),
    "local": _sum("local_sources"),
    "shared": _sum("shared_sources"),
    "settled": _sum("settled_sources"),
}
EVENT_SUM_FIELDS = {
    "best": _sum("best"),
    "low": _sum("low"),
    "high": _sum("high"),
    "events": Count("id"),
    "reports": _sum("reports"),
    "local": _sum("local_sources"),
}
FIELDS = ("best", "low", "high", "events", "reports", "local", "shared", "settled")
ADDITIVE = 6  # the first six add up across places; shared and settled counts do not


def sums_vector(row) -> list[int]:
    return [row.get(f) or 0 for f in FIELDS]


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


def unsettled_q(years, months, days) -> Q:
    """The uses of shared sources that the cells' settled counts leave out: in whole years,
    sources spreading over several years; in whole months, those spreading over several months;
    on loose days, all."""
    return any_of(
        [in_range("dated", a, date(b.year, 12, 31)) & Q(span="") for a, b in years]
        + [in_range("dated", a, next_month(b) - ONE_DAY) & ~Q(span="month") for a, b in months]
        + [in_range("dated", a, b) for a, b in days]
    )


def distinct_sources(vector, single: bool, extra: int) -> int:
    """Distinct sources of a row: its local ones, plus its shared ones counted exactly in its
    one cell, or settled per cell plus the rest counted distinct."""
    return vector[5] + (vector[6] if single else vector[7] + extra)


STEP_FIELDS = ("metric", "node", "level", "adm0", "adm1", "adm2", "adm3", "adm4", "best", "low",
               "high", "events", "reports", "sources", "own_key")  # fmt: skip
Step = namedtuple("Step", STEP_FIELDS)


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
