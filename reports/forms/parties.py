"""The form moderators keep the list of parties to the conflict with; the services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.forms.report import PlainForm
from reports.models import PartyKind


class PartyForm(PlainForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_my = forms.CharField(label=_("Burmese name"), max_length=200, required=False)
    short_name = forms.CharField(
        label=_("Short name"), max_length=40, required=False, help_text=_("e.g. KNDF, SAC")
    )
    slug = forms.SlugField(
        label=_("Code in links and data"),
        max_length=60,
        required=False,
        help_text=_(
            "Lower-case Latin letters, digits and hyphens; from the short name when left empty. "
            "It cannot be changed later."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]
