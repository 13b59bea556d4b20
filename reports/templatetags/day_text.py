"""Dates and times on pages in the page's language: Django's `date` filter takes month names
from Django's own catalogue, which has none in Burmese, so "1 Dec 2023" stayed English on
Burmese pages. These use reports.dates (month names from this project's catalogue)."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

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
