# ruff: noqa: E501  (one date pattern a line reads better than wrapped regular expressions)
"""The dates a sentence gives, resolved against the publication date: "on Tuesday" (the last
Tuesday on or before it), "on Nov. 5", "last month", "this week", "in 2022", "since 27 October",
"since the coup" (1 February 2021), "between February 2021 and March 2023", "in the first 10
days" (of the operation dated earlier in the text). Hand rules: dateparser reads one date, not a
span, and takes milliseconds a call where these take microseconds."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from reports.vocabulary import DatePrecision

from .numbers import BURMESE_DIGITS, english_value

COUP = date(2021, 2, 1)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
MY_MONTHS = {
    "ဇန်နဝါရီ": 1, "ဖေဖော်ဝါရီ": 2, "မတ်": 3, "ဧပြီ": 4, "မေ": 5, "ဇွန်": 6,
    "ဇူလိုင်": 7, "ဩဂုတ်": 8, "ဪဂုတ်": 8, "သြဂုတ်": 8, "စက်တင်ဘာ": 9,
    "အောက်တိုဘာ": 10, "နိုဝင်ဘာ": 11, "ဒီဇင်ဘာ": 12,
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_month = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_my_month = "|".join(MY_MONTHS)
_weekday = "|".join(WEEKDAYS)
# One point in time: "Nov. 5, 2023", "5 November 2023", "November 2023", "2022", "Tuesday".
POINT = (
    rf"(?:(?:{_weekday}),?\s+)?(?:{_month}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_month}(?:,?\s+\d{{4}})?"
    rf"|(?:early\s+|mid-?|late\s+)?{_month}(?:\s+\d{{4}})?"
    rf"|(?:19|20)\d\d|{_weekday})"
)
PATTERNS = [
    ("between", re.compile(rf"\b(?:between|from)\s+({POINT})\s+(?:and|to|until)\s+({POINT})\b", re.I)),
    ("since_coup", re.compile(r"\bsince\s+the\s+(?:military\s+)?coup\b|အာဏာသိမ်း", re.I)),
    ("since", re.compile(rf"\bsince\s+({POINT})\b", re.I)),
    ("first_days", re.compile(r"\b(?:in|during|over)\s+the\s+first\s+(\w+)\s+(day|week)s?\b", re.I)),
    ("past", re.compile(r"\b(?:in|over|during)\s+the\s+(?:past|last)\s+(\w+)\s+(day|week|month)s?\b", re.I)),
    ("last_year_day", re.compile(rf"\b({_month}\s+\d{{1,2}})\s+last\s+year\b", re.I)),
    ("relative", re.compile(r"\b(last|this|past)\s+(week|month|year)\b", re.I)),
    ("yesterday", re.compile(r"\byesterday\b|မနေ့က", re.I)),
    ("today", re.compile(r"\btoday\b|ယနေ့", re.I)),
    ("point", re.compile(rf"\b(?:on|in|during|of|by|early|late|mid-?)\s*({POINT})\b", re.I)),
    ("my_day", re.compile(rf"(?:([၀-၉0-9]{{4}})\s?ခုနှစ်\s?)?({_my_month})\s?(?:လ)?\s?([၀-၉0-9]{{1,2}})\s?ရက်")),
]  # fmt: skip


@dataclass
class Span:
    start: date
    end: date
    precision: str
    words: str


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _before_publication(day: date, published: date, years_back: int = 1) -> date:
    """A day written without its year is the last such day on or before publication."""
    if day > published:
        return day.replace(year=day.year - years_back)
    return day


def _point(words: str, published: date) -> Span | None:
    """One point, as the span it covers: a day, a month or a year."""
    text = " ".join(words.casefold().replace(",", " ").split())
    text = re.sub(r"^(?:early|late|mid-?)\s*", "", text)
    text = re.sub(rf"^(?:{_weekday})\s+(?=\S)", "", text) if re.search(r"\d", text) else text
    if text in WEEKDAYS:
        back = (published.weekday() - WEEKDAYS.index(text)) % 7
        day = published - timedelta(days=back)
        return Span(day, day, DatePrecision.DAY, words)
    if re.fullmatch(r"(?:19|20)\d\d", text):
        year = int(text)
        return Span(date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR, words)
    parts = re.findall(r"[a-z]+|\d+", text)
    month = next((MONTHS[p] for p in parts if p in MONTHS), None)
    numbers = [int(p) for p in parts if p.isdigit()]
    if month is None:
        return None
    year = next((n for n in numbers if n > 1900), None)
    day_numbers = [n for n in numbers if n <= 31]
    try:
        if day_numbers:
            day = date(year or published.year, month, day_numbers[0])
            if year is None:
                day = _before_publication(day, published)
            return Span(day, day, DatePrecision.DAY, words)
        first = date(year or published.year, month, 1)
        if year is None and first > published:
            first = first.replace(year=first.year - 1)
        return Span(first, _month_end(first.year, month), DatePrecision.MONTH, words)
    except ValueError:  # "February 30"
        return None


def _count(word: str) -> int | None:
    return english_value(word) if not word.isdigit() else int(word)


def find_span(sentence: str, published: date | None, anchor: date | None = None) -> Span | None:
    """The span a sentence gives, or None. anchor: the latest day named earlier in the text,
    from which "the first 10 days" count. Dates beyond the calendar (a publication date of
    year 1 and "last month") give none."""
    if published is None:
        return None
    try:
        return _find_span(sentence, published, anchor)
    except (ValueError, OverflowError):
        return None


def _find_span(sentence: str, published: date, anchor: date | None) -> Span | None:
    for kind, pattern in PATTERNS:
        match = pattern.search(sentence)
        if not match:
            continue
        words = match.group(0)
        if kind == "between":
            first, last = _point(match.group(1), published), _point(match.group(2), published)
            if first and last and first.start <= last.end:
                precision = max(first.precision, last.precision, key=_PRECISION_ORDER.index)
                return Span(first.start, last.end, precision, words)
        elif kind == "since_coup":
            return Span(COUP, published, DatePrecision.DAY, words)
        elif kind == "since":
            point = _point(match.group(1), published)
            if point:
                return Span(point.start, published, point.precision, words)
        elif kind == "first_days":
            count = _count(match.group(1).casefold())
            if count and anchor:
                days = count * (7 if match.group(2).casefold() == "week" else 1)
                return Span(anchor, anchor + timedelta(days=days - 1), DatePrecision.DAY, words)
        elif kind == "past":
            count = _count(match.group(1).casefold())
            if count:
                unit = match.group(2).casefold()
                days = count * {"day": 1, "week": 7, "month": 30}[unit]
                start = published - timedelta(days=days - 1)
                return Span(start, published, DatePrecision.DAY, words)
        elif kind == "relative":
            return _relative(match.group(1).casefold(), match.group(2).casefold(), published, words)
        elif kind == "yesterday":
            day = published - timedelta(days=1)
            return Span(day, day, DatePrecision.DAY, words)
        elif kind == "today":
            return Span(published, published, DatePrecision.DAY, words)
        elif kind == "last_year_day":
            point = _point(match.group(1), published)
            if point:
                day = point.start.replace(year=published.year - 1)
                return Span(day, day, DatePrecision.DAY, words)
        elif kind == "point":
            point = _point(match.group(1), published)
            if point:
                return Span(point.start, point.end, point.precision, words)
        elif kind == "my_day":
            year = int(match.group(1).translate(BURMESE_DIGITS)) if match.group(1) else None
            month = MY_MONTHS[match.group(2)]
            try:
                day = date(
                    year or published.year, month, int(match.group(3).translate(BURMESE_DIGITS))
                )
            except ValueError:
                continue
            if year is None:
                day = _before_publication(day, published)
            return Span(day, day, DatePrecision.DAY, words)
    return None


_PRECISION_ORDER = [DatePrecision.DAY, DatePrecision.WEEK, DatePrecision.MONTH, DatePrecision.YEAR]


def _relative(which: str, unit: str, published: date, words: str) -> Span:
    if unit == "week":
        monday = published - timedelta(days=published.weekday())
        if which == "this":
            return Span(monday, published, DatePrecision.WEEK, words)
        start = monday - timedelta(days=7)
        return Span(start, start + timedelta(days=6), DatePrecision.WEEK, words)
    if unit == "month":
        if which == "this":
            return Span(published.replace(day=1), published, DatePrecision.MONTH, words)
        last = published.replace(day=1) - timedelta(days=1)
        return Span(last.replace(day=1), last, DatePrecision.MONTH, words)
    year = published.year if which == "this" else published.year - 1
    if which == "this":
        return Span(date(year, 1, 1), published, DatePrecision.YEAR, words)
    return Span(date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR, words)


def days_named(text: str, published: date | None) -> list[tuple[int, date]]:
    """(offset, day) for every day the text names, for "the first 10 days" to count from."""
    if published is None:
        return []
    found = []
    for match in re.finditer(rf"\b(?:on|since|launched)\s+({POINT})", text, re.I):
        try:
            point = _point(match.group(1), published)
        except (ValueError, OverflowError):
            continue
        if point and point.precision == DatePrecision.DAY:
            found.append((match.start(), point.start))
    return found
