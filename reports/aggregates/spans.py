"""A figure's span (DOMAIN.md, "A figure's span"): the dates it covers, from its report's dates
and their precision. Pure functions, no database."""

from datetime import date, timedelta
from typing import NamedTuple


class Span(NamedTuple):
    start: date
    end: date  # inclusive

    def contains(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def first_day(day: date, precision: str) -> date:
    if precision == "week":
        return day - timedelta(days=day.weekday())
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return date(day.year, 1, 1)
    return day


def last_day(day: date, precision: str) -> date:
    if precision == "week":
        return day + timedelta(days=6 - day.weekday())
    if precision == "month":
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return following - timedelta(days=1)
    if precision == "year":
        return date(day.year, 12, 31)
    return day


def span_of(start_date: date, end_date: date | None, precision: str = "day") -> Span:
    """From the first day of the start date's day, week, month or year to the last day of the
    end date's (or the start date's, when there is no end date)."""
    return Span(first_day(start_date, precision), last_day(end_date or start_date, precision))


def reach(span: Span) -> str:
    """The summary cells a span fits in: "month" (one calendar month), "year" (one calendar
    year), or "" (longer)."""
    if (span.start.year, span.start.month) == (span.end.year, span.end.month):
        return "month"
    return "year" if span.start.year == span.end.year else ""
