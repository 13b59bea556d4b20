"""Dates and times on pages in the page's language: Django's `date` filter takes month names
from Django's own catalogue, which has none in Burmese, so "1 Dec 2023" stayed English on
Burmese pages. These use reports.dates (month names from this project's catalogue)."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from reports import dates

register = template.Library()


@register.filter
def day_text(value: date | datetime | None) -> str:
    """ "1 Dec 2023"; a moment is read in the site's time zone first."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return dates.day(value)


@register.filter
def moment_text(value: datetime | None) -> str:
    """ "1 Dec 2023, 14:05" in the site's time zone."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return _("%(day)s, %(time)s") % {"day": dates.day(local.date()), "time": f"{local:%H:%M}"}


# How long ago, largest unit first, as Django's timesince counts (whose words come from
# Django's own catalogue: English on Burmese pages).
_UNITS = (
    (365 * 24 * 60, lambda n: ngettext("%(n)s year", "%(n)s years", n)),
    (30 * 24 * 60, lambda n: ngettext("%(n)s month", "%(n)s months", n)),
    (7 * 24 * 60, lambda n: ngettext("%(n)s week", "%(n)s weeks", n)),
    (24 * 60, lambda n: ngettext("%(n)s day", "%(n)s days", n)),
    (60, lambda n: ngettext("%(n)s hour", "%(n)s hours", n)),
    (1, lambda n: ngettext("%(n)s minute", "%(n)s minutes", n)),
)


@register.filter
def age_text(value: datetime | None, now: datetime | None = None) -> str:
    """ "1 hour, 18 minutes": the time since `value`, in at most two adjacent units."""
    if value is None or value == "":
        return ""
    minutes = max(int(((now or timezone.now()) - value).total_seconds() // 60), 0)
    for index, (size, words) in enumerate(_UNITS):
        count = minutes // size
        if count or size == 1:
            parts = [words(count) % {"n": count}]
            if index + 1 < len(_UNITS):
                next_size, next_words = _UNITS[index + 1]
                rest = (minutes - count * size) // next_size
                if rest:
                    parts.append(next_words(rest) % {"n": rest})
            return pgettext("between the units of a time", ", ").join(parts)
    return ""  # not reached: the last unit always answers
