"""Dates as people read them, in the reader's language: month names come from this project's
catalogue (Django's own Burmese catalogue has none), and a report's date is shown only as
precise as it was given."""

import re
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .burmese import BURMESE_DIGITS

# The one form a date is read in, wherever it comes in (forms, filters, the API, Kobo,
# questions): YYYY-MM-DD, in Latin or Burmese digits. Django's DateField would also read
# "11/12/2023" as 12 November (American order) and Python "20231111" or "2023-W45".
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def read_day(typed) -> date:
    """A date typed as YYYY-MM-DD (၂၀၂၃-၁၁-၁၁ alike; spaces around it ignored); ValueError
    for anything else, a day that does not exist included."""
    text = str(typed).strip().translate(BURMESE_DIGITS)
    if not ISO_DATE.fullmatch(text):
        raise ValueError(f"not YYYY-MM-DD: {text[:40]!r}")
    return date.fromisoformat(text)


# Month names through this project's catalogue (Django's own Burmese catalogue has none), so
# that Burmese pages show Burmese month names.
MONTHS = (
    pgettext_lazy("month", "Jan"),
    pgettext_lazy("month", "Feb"),
    pgettext_lazy("month", "Mar"),
    pgettext_lazy("month", "Apr"),
    pgettext_lazy("month", "May"),
    pgettext_lazy("month", "Jun"),
    pgettext_lazy("month", "Jul"),
    pgettext_lazy("month", "Aug"),
    pgettext_lazy("month", "Sep"),
    pgettext_lazy("month", "Oct"),
    pgettext_lazy("month", "Nov"),
    pgettext_lazy("month", "Dec"),
)


def day(value: date) -> str:
    """A date as pages show it: "1 Dec 2023" (month names translated)."""
    return _("%(day)s %(month)s %(year)s") % {
        "day": value.day,
        "month": MONTHS[value.month - 1],
        "year": value.year,
    }


def day_month(value: date) -> str:
    """A day without its year, for a week's label in a chart: "30 Jan"."""
    return _("%(day)s %(month)s") % {"day": value.day, "month": MONTHS[value.month - 1]}


def month_name(value: date) -> str:
    """ "Feb 2023"."""
    return _("%(month)s %(year)s") % {"month": MONTHS[value.month - 1], "year": value.year}


def days(start: date, end: date) -> str:
    return day(start) if start == end else f"{day(start)}–{day(end)}"


def at_precision(start: date, end: date | None, precision: str = "day") -> str:
    """A report's date as precise as it was given: "1 Feb 2023" (day), "week of 30 Jan 2023",
    "Feb 2023" (month), "2023" (year), or from the first to the last of these."""
    from .aggregates.spans import span_of  # the aggregates package reads this module too

    span = span_of(start, end, precision)
    if precision == "year":
        first, last = str(span.start.year), str(span.end.year)
    elif precision == "month":
        first, last = month_name(span.start), month_name(span.end)
    elif precision == "week":
        last_week = span.end - timedelta(days=6)
        if last_week == span.start:
            return _("week of %(date)s") % {"date": day(span.start)}
        return _("weeks of %(first)s to %(last)s") % {
            "first": day(span.start),
            "last": day(last_week),
        }
    else:
        return days(span.start, span.end)
    return first if first == last else f"{first}–{last}"
