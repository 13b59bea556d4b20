"""Form fields, filters and an API field that read a date as every way into the tracker reads one
(reports.dates.read_day): YYYY-MM-DD, in Latin or Burmese digits, and nothing else."""

from datetime import date, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports.dates import read_day


class DayField(forms.DateField):
    """A date as YYYY-MM-DD. Django's DateField also reads its DATE_INPUT_FORMATS, among them
    "11/12/2023" in American order (12 November), which a reader of 11 December would never
    notice; here it is refused, naming the form expected."""

    default_error_messages = {"invalid": _("Enter a date as YYYY-MM-DD.")}

    def prepare_value(self, value):
        # Typed in Burmese digits, shown back as the date box takes it: a browser blanks any
        # other form, and the next submit would silently drop the date.
        if isinstance(value, str):
            try:
                return read_day(value).isoformat()
            except ValueError:
                return value
        return super().prepare_value(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return read_day(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class DayFilter(django_filters.DateFilter):
    """A filter by a date typed as YYYY-MM-DD (DayField)."""

    field_class = DayField


class DaySerializerField(serializers.DateField):
    """An API field read as DayField: YYYY-MM-DD only (DRF's own also reads "20231111")."""

    default_error_messages = {"invalid": _("Enter a date as YYYY-MM-DD.")}

    def to_internal_value(self, value):
        if isinstance(value, datetime):
            self.fail("datetime")
        if isinstance(value, date):
            return value
        try:
            return read_day(value)
        except ValueError:
            self.fail("invalid")
