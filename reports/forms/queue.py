"""FilterSets (django-filter): the moderation queue's filters, read from GET parameters. A bad
value becomes a message on the form, never a 500."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from gazetteer.models import Place
from reports.models import Figure, Organization
from reports.vocabulary import Metric
from reports.workflow import Status

MAX_DAYS_IN_QUEUE = 3650


class PlaceCodeField(forms.CharField):
    """A P-code typed or picked from the list, cleaned to its Place."""

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        place = Place.objects.filter(pcode__iexact=code).first()
        if place is None:
            raise forms.ValidationError(
                f"No place has the P-code {code!r}. Type a P-code such as MMR002001 or pick "
                "one from the list."
            )
        return place


class PlaceFilter(django_filters.Filter):
    """The place and everything beneath it (a state takes in its districts, townships, towns
    and village tracts): one indexed prefix query on the places' paths."""

    field_class = PlaceCodeField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(place__path__startswith=value.path)


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QueueFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period is before its start.")
        return data


SORTS = {
    "oldest": ("Waiting longest first", [F("submitted_at").asc(nulls_last=True), "pk"]),
    "newest": ("Submitted most recently first", [F("submitted_at").desc(nulls_last=True), "-pk"]),
    "date": ("Latest happenings first", ["-start_date", "-pk"]),
}


class ModerationQueueFilter(django_filters.FilterSet):
    """The moderation queue. Without a status parameter it shows what awaits review
    (submitted); an empty status means every status."""

    status = django_filters.ChoiceFilter(
        choices=Status.choices,
        empty_label="Any status",
        error_messages={"invalid_choice": "Unknown status %(value)r: pick one from the list."},
    )
    place = PlaceFilter(
        label="Place (P-code)",
        help_text="Includes everything beneath it: a state takes in its townships.",
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.all(),
        label="Organisation",
        empty_label="Any organisation",
        error_messages={"invalid_choice": "No such organisation: pick one from the list."},
    )
    metric = django_filters.ChoiceFilter(
        label="Metric",
        choices=Metric.choices,
        method="filter_metric",
        empty_label="Any metric",
        error_messages={"invalid_choice": "Unknown metric %(value)r: pick one from the list."},
    )
    date_from = django_filters.DateFilter(
        label="Happened from",
        method="filter_date_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label="Happened until",
        method="filter_date_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    waiting_days = WholeNumberFilter(
        label="Submitted at least (days ago)",
        method="filter_waiting_days",
        min_value=0,
        max_value=MAX_DAYS_IN_QUEUE,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DAYS_IN_QUEUE, "step": 1}),
    )
    sort = django_filters.ChoiceFilter(
        label="Order",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="sort_by",
        empty_label=None,
        error_messages={"invalid_choice": "Unknown order %(value)r: pick one from the list."},
    )

    class Meta:
        form = QueueFilterForm
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            data.setdefault("status", Status.SUBMITTED)
            data.setdefault("sort", "oldest")
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset):
        # The default order when no sort was valid: waiting longest first.
        return super().filter_queryset(queryset.order_by(*SORTS["oldest"][1]))

    def filter_metric(self, qs, name, value):
        return qs.filter(Exists(Figure.objects.filter(report=OuterRef("pk"), metric=value)))

    def filter_date_from(self, qs, name, value):
        # Reports whose dates overlap the period: they end on or after its start.
        return qs.alias(last_day=Coalesce("end_date", "start_date")).filter(last_day__gte=value)

    def filter_date_to(self, qs, name, value):
        return qs.filter(start_date__lte=value)

    def filter_waiting_days(self, qs, name, value):
        since = timezone.now() - timedelta(days=int(value))
        return qs.filter(submitted_at__lte=since)

    def sort_by(self, qs, name, value):
        return qs.order_by(*SORTS.get(value, SORTS["oldest"])[1])
