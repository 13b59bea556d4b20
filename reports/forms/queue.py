"""FilterSets (django-filter): the moderation queue's search and filters, read from GET
parameters. A bad value becomes a message on the form, never a 500."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gazetteer.selectors import PlaceMatch, resolve_place
from reports.forms.fields import DayFilter
from reports.models import Figure, Organization
from reports.selectors import queue_search
from reports.vocabulary import Metric
from reports.workflow import Status

MAX_DAYS_IN_QUEUE = 3650


class PlaceFilter(django_filters.Filter):
    """The place and everything beneath it (a state takes in its districts, townships, towns
    and village tracts): one indexed prefix query on the places' paths. What was typed is
    resolved to one place by the form (QueueFilterForm.clean_place)."""

    field_class = forms.CharField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(place__path__startswith=value.path)


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QueueFilterForm(forms.Form):
    # The places a typed name could mean, shown as links to pick one; empty once resolved.
    place_choices: list[PlaceMatch] = []

    def clean_place(self):
        """What was typed (a name as pages show it, in English or Burmese, a P-code, or the
        label of a choice) as one Place, the gazetteer's own reading of it."""
        text = self.cleaned_data.get("place", "")
        if not text:
            return None
        place, candidates = resolve_place(text)
        if place is not None:
            return place
        self.place_choices = candidates
        if candidates:
            raise forms.ValidationError(
                gettext("Several places match %(text)s: pick the one you mean below."),
                params={"text": repr(text)},
                code="ambiguous",
            )
        raise forms.ValidationError(
            gettext(
                "No place matches %(text)s. Type a name as the pages show it (Loikaw "
                "Township, လွိုင်ကော်), or a P-code such as MMR002001."
            ),
            params={"text": repr(text)},
            code="unknown",
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period is before its start.")
        return data


SORTS = {
    "oldest": (_("Waiting longest first"), [F("submitted_at").asc(nulls_last=True), "pk"]),
    "newest": (
        _("Submitted most recently first"),
        [F("submitted_at").desc(nulls_last=True), "-pk"],
    ),
    "date": (_("Latest happenings first"), ["-start_date", "-pk"]),
}
MAX_SEARCH_LENGTH = 200


class ModerationQueueFilter(django_filters.FilterSet):
    """The moderation queue. Without a status parameter it shows what awaits review
    (submitted); an empty status means every status but draft. A draft is the partner's work
    in progress, not yet put forward for review: moderators may open it (docs/domain.md,
    "Moderators see ... any report, in any status") but only by asking for drafts."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=MAX_SEARCH_LENGTH,
        help_text=_(
            "Words in the title or summary, a place's name (English or Burmese, or of a "
            "place above it), a source's name or a tag."
        ),
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_SEARCH_LENGTH}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Status.choices,
        empty_label=_("Any status"),
        help_text=_("Drafts, the partners' work not yet submitted, are listed only if asked for."),
        error_messages={"invalid_choice": _("Unknown status %(value)r: pick one from the list.")},
    )
    place = PlaceFilter(
        label=_("Place"),
        help_text=_(
            "A name or a P-code. Includes everything beneath it: a state takes in its townships."
        ),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.all(),
        label=_("Organisation"),
        empty_label=_("Any organisation"),
        error_messages={"invalid_choice": _("No such organisation: pick one from the list.")},
    )
    metric = django_filters.ChoiceFilter(
        label=_("Metric"),
        choices=Metric.choices,
        method="filter_metric",
        empty_label=_("Any metric"),
        error_messages={"invalid_choice": _("Unknown metric %(value)r: pick one from the list.")},
    )
    date_from = DayFilter(
        label=_("Happened from"),
        method="filter_date_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = DayFilter(
        label=_("Happened until"),
        method="filter_date_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    waiting_days = WholeNumberFilter(
        label=_("Submitted at least (days ago)"),
        method="filter_waiting_days",
        min_value=0,
        max_value=MAX_DAYS_IN_QUEUE,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DAYS_IN_QUEUE, "step": 1}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Order"),
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method="sort_by",
        empty_label=None,
        error_messages={"invalid_choice": _("Unknown order %(value)r: pick one from the list.")},
    )

    class Meta:
        form = QueueFilterForm
        fields: list[str] = []

    def __init__(self, data=None, *args, drafts_under_any_status=False, **kwargs):
        # The per-status counts ask with every status, drafts included, to count each.
        self.drafts_under_any_status = drafts_under_any_status
        if data is not None:
            data = data.copy()
            data.setdefault("status", Status.SUBMITTED)
            data.setdefault("sort", "oldest")
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset):
        # The default order when no sort was valid: waiting longest first.
        queryset = super().filter_queryset(queryset.order_by(*SORTS["oldest"][1]))
        if not self.form.cleaned_data.get("status") and not self.drafts_under_any_status:
            queryset = queryset.exclude(status=Status.DRAFT)
        return queryset

    def search(self, qs, name, value):
        return queue_search(qs, value)

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
