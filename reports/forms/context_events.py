"""The moderators' form for a context event (an operation or offensive on the timeline). It
only reads the fields; services.clean_context_event checks them and names a bad one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.forms.fields import DayField
from reports.models import ContextEventKind, Source
from reports.services.context_events import MAX_DESCRIPTION, MAX_NAME


class SourceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        # Moderators see every source by name (this page is in the moderation area).
        return f"#{obj.pk} {obj}" + (" · " + str(_("confidential")) if obj.is_confidential else "")


class ContextEventForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContextEventKind.choices)
    start_date = DayField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = DayField(
        label=_("Last day"),
        required=False,
        help_text=_("Leave empty for a one-day event: it is drawn as a marker, not a band."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    area = forms.CharField(
        label=_("Area (P-code)"),
        max_length=32,
        help_text=_("A place of the gazetteer at any level: a state, a township, a town."),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description (public)"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sources = SourceChoices(
        label=_("Sources"),
        queryset=Source.objects.order_by("-published_on", "name", "pk"),
        required=False,
        help_text=_("Confidential sources are shown publicly by their type only."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    @classmethod
    def initial_of(cls, event) -> dict:
        return {
            "name": event.name,
            "kind": event.kind,
            "start_date": event.start_date,
            "end_date": event.end_date,
            "area": event.area.pcode,
            "description": event.description,
            "sources": list(event.sources.all()),
        }
