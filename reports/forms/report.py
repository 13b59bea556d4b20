"""The report form a field partner fills in on a phone, and a moderator uses to edit: it only
collects what was typed; the services validate it, and their errors return beside each field."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from gazetteer.selectors import resolve_place
from reports import services
from reports.burmese import looks_like_zawgyi
from reports.figures import BREAKDOWN_FIELDS, whole_number
from reports.models import UNKNOWN, Party
from reports.selectors import KEPT, in_kept_order, kept_token, public_source_label
from reports.vocabulary import (
    Cause,
    DatePrecision,
    LocationPrecision,
    Metric,
    Qualifier,
    SourceType,
    Unit,
)

NUMBER = {"inputmode": "numeric", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


def new_submission_key() -> str:
    return uuid.uuid4().hex


class WholeNumberField(forms.CharField):
    """A count typed as text, read as every figure's numbers are (reports.figures): "35,000"
    and Burmese digits, never "35.000" read as 35 (Django's IntegerField drops a ".000")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(NUMBER))
        super().__init__(**kwargs)

    def to_python(self, value):
        return whole_number(super().to_python(value))


class PlainForm(forms.Form):
    """Labels without Django's trailing colon: easier to read on a small screen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _choices(choices, blank=None):
    return ([("", blank)] if blank is not None else []) + list(choices)


class ReportForm(PlainForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_(
            "Type a village tract, town, township or state, in English or Burmese, or its P-code."
        ),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    # Offered only when the typed name fits several places; validated in clean().
    place_choice = forms.CharField(
        label=_("Which place?"), required=False, widget=forms.RadioSelect
    )
    start_date = forms.CharField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.CharField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_precision = forms.ChoiceField(
        label=_("How precise are the dates?"), choices=DatePrecision.choices
    )
    latitude = forms.CharField(label=_("Latitude"), required=False, widget=forms.TextInput(DECIMAL))
    longitude = forms.CharField(
        label=_("Longitude"), required=False, widget=forms.TextInput(DECIMAL)
    )
    location_precision = forms.ChoiceField(
        label=_("How precise is the point?"),
        choices=[c for c in LocationPrecision.choices if c[0] != LocationPrecision.PLACE],
        required=False,
    )
    cause = forms.ChoiceField(
        label=_("Cause or means"), choices=_choices(Cause.choices, _("Not known")), required=False
    )
    perpetrator = forms.ChoiceField(
        label=_("Alleged perpetrator"),
        required=False,
        help_text=_(
            "Only if a source names who did it (or says it is not known). Tick below each "
            "source that makes this attribution: it is shown as an allegation with them."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=2000,
        help_text=_("Separate with commas, e.g. Operation 1111"),
    )
    public_summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=services.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What may be published once a moderator approves it. No names of sources or witnesses."
        ),
    )
    internal_notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        max_length=services.MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only your organisation and the moderators see these."),
    )
    store_as_typed = forms.BooleanField(
        label=_("I checked: store the Burmese text exactly as typed"), required=False
    )
    submission_key = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolved_place = None
        self.fields["perpetrator"].choices = perpetrator_choices()

    def clean(self):
        data = super().clean()
        # The hidden fields' errors have no place on the page: said at its top instead.
        if any(self.errors.pop(hidden, None) for hidden in ("submission_key", "version")):
            self.add_error(None, _("This form has expired or was altered: reload the page."))
        chosen = data.get("place_choice")
        typed = chosen or data.get("place", "")
        place, candidates = resolve_place(typed)
        if place is None and "place" in data:
            if candidates:
                self.fields["place_choice"].widget.choices = [
                    (m.place.pcode, m.label) for m in candidates
                ]
                self.add_error(
                    "place", _("Several places match: choose one below, or type more of the name.")
                )
            else:
                self.add_error(
                    "place",
                    _(
                        "No place in the gazetteer matches this. Try the township's name or a "
                        "P-code."
                    ),
                )
        self.resolved_place = place
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data.get(name, "")
            for name in (
                "title",
                "start_date",
                "end_date",
                "date_precision",
                "latitude",
                "longitude",
                "location_precision",
                "cause",
                "public_summary",
                "internal_notes",
            )
        }
        fields["place"] = self.resolved_place
        return fields

    def perpetrator_code(self) -> str:
        return self.cleaned_data.get("perpetrator") or ""

    def tag_names(self) -> list[str]:
        return [t for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]


class FigureForm(PlainForm):
    metric = forms.ChoiceField(
        label=_("What was counted"), choices=_choices(Metric.choices, "—"), required=False
    )
    qualifier = forms.ChoiceField(label=_("How sure"), choices=Qualifier.choices, required=False)
    value = forms.CharField(label=_("Number"), required=False, widget=forms.TextInput(NUMBER))
    value_min = forms.CharField(
        label=_("From (range)"), required=False, widget=forms.TextInput(NUMBER)
    )
    value_max = forms.CharField(
        label=_("To (range)"), required=False, widget=forms.TextInput(NUMBER)
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, required=False)
    household_size = forms.CharField(
        label=_("People per household"), required=False, widget=forms.TextInput(DECIMAL)
    )
    women = forms.CharField(label=_("Women"), required=False, widget=forms.TextInput(NUMBER))
    men = forms.CharField(label=_("Men"), required=False, widget=forms.TextInput(NUMBER))
    girls = forms.CharField(label=_("Girls"), required=False, widget=forms.TextInput(NUMBER))
    boys = forms.CharField(label=_("Boys"), required=False, widget=forms.TextInput(NUMBER))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    # Where the people went: typed like the report's place (displacement figures only).
    destination = forms.CharField(
        label=_("Where did they go? (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "For people displaced: the village tract, town, township or state they fled to."
        ),
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    destination_choice = forms.CharField(
        label=_("Which place?"), required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolved_destination = None

    def clean(self):
        data = super().clean()
        self.resolved_destination = self._resolve_destination(data)
        return data

    def _resolve_destination(self, data):
        """The destination typed, resolved as the report's place is (ReportForm.clean)."""
        typed = data.get("destination_choice") or data.get("destination", "")
        if not typed:
            return None
        place, candidates = resolve_place(typed)
        if place is None:
            if candidates:
                self.fields["destination_choice"].widget.choices = [
                    (m.place.pcode, m.label) for m in candidates
                ]
                self.add_error(
                    "destination",
                    _("Several places match: choose one below, or type more of the name."),
                )
            else:
                self.add_error(
                    "destination",
                    _(
                        "No place in the gazetteer matches this. Try the township's name or a "
                        "P-code."
                    ),
                )
        return place

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(f) for f in ("metric", "value", "value_min", "value_max", "destination")
        )

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items()}
        data["qualifier"] = data.get("qualifier") or Qualifier.EXACT
        if not data.get("unit"):
            data.pop("unit", None)
        if data["qualifier"] == Qualifier.RANGE:
            data["value"] = None
        else:
            data["value_min"] = data["value_max"] = None
        for field in BREAKDOWN_FIELDS + ("household_size",):
            if data.get(field) in ("", None):
                data[field] = None
        data.pop("destination_choice", None)
        data["destination"] = self.resolved_destination
        return data


class _SourceChoices(forms.models.ModelChoiceIterator):
    """The sources the person may cite in the queryset's order, then those kept on the report
    in the order of their tokens: among the others, by the time they were added, their place
    would tell when, and the same place on two reports' forms that they are one."""

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        sources = list(self.queryset)
        kept = [source for source in sources if field.kept(source)]
        for source in sources:
            if not field.kept(source):
                yield self.choice(source)
        for source in in_kept_order(field.report_id or 0, kept):
            yield self.choice(source)


class SourceChoiceField(forms.ModelChoiceField):
    """The sources offered on a report form, by public id (Source.public_id). A source the
    person may not cite (another organisation's confidential source a moderator added to
    their report) is offered under a token for this report alone (kept_token), and only
    that token selects it: its public id, the same on every report citing it, would let a
    partner tell that two of their reports rest on one informant."""

    iterator = _SourceChoices

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.citable_ids: set[int] | None = None  # None: may cite every source offered
        self.report_id: int | None = None

    def kept(self, source) -> bool:
        return self.citable_ids is not None and source.pk not in self.citable_ids

    def prepare_value(self, value):
        if hasattr(value, "_meta") and self.kept(value):
            return kept_token(self.report_id or 0, value.pk)
        return super().prepare_value(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        invalid = ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )
        if isinstance(value, str) and value.startswith(KEPT):
            if self.citable_ids is None or self.report_id is None:
                raise invalid
            kept = self.queryset.exclude(pk__in=self.citable_ids)
            for source in kept:
                if constant_time_compare(value, kept_token(self.report_id, source.pk)):
                    return source
            raise invalid
        source = super().to_python(value)
        if self.kept(source):  # its public id was never shown to this person
            raise invalid
        return source


class SourceForm(PlainForm):
    existing = SourceChoiceField(
        label=_("A source already in the tracker"),
        queryset=None,
        required=False,
        empty_label=_("— or describe a new source below —"),
    )
    source_type = forms.ChoiceField(
        label=_("Type of source"), choices=_choices(SourceType.choices, "—"), required=False
    )
    name = forms.CharField(
        label=_("Outlet, organisation or person"), required=False, max_length=200
    )
    title = forms.CharField(label=_("Headline or document title"), required=False, max_length=300)
    url = forms.CharField(
        label=_("Web address"), required=False, max_length=1000, widget=forms.URLInput
    )
    published_on = forms.CharField(
        label=_("Publication date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=16)
    is_confidential = forms.BooleanField(
        label=_("Confidential: never show its name or address publicly"), required=False
    )
    party = forms.ChoiceField(
        label=_("Which party to the conflict issued it?"),
        required=False,
        help_text=_("Only for a source of type “party to the conflict”."),
    )
    attributes_perpetrator = forms.BooleanField(
        label=_("This source names the alleged perpetrator chosen below"), required=False
    )

    def __init__(self, *args, offered=None, citable_ids=None, report_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", "—")] + [
            (party.slug, party.reader_name()) for party in Party.objects.all()
        ]
        existing = self.fields["existing"]
        existing.queryset = offered.order_by("-created_at") if offered is not None else None
        # Offered by public id: the database's ids would show gaps where other organisations'
        # confidential sources are (Source.public_id); a source the person may not cite, by a
        # token for this report (SourceChoiceField).
        existing.to_field_name = "public_id"
        existing.citable_ids, existing.report_id = citable_ids, report_id
        existing.label_from_instance = lambda source: (
            source.reader_label()
            if citable_ids is None or source.pk in citable_ids
            else public_source_label(source, reader=True)
        )

    NEW_FIELDS = ("source_type", "name", "title", "url", "published_on", "language")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("existing") and not any(data.get(f) for f in self.NEW_FIELDS)

    def new_source(self) -> dict | None:
        data = self.cleaned_data
        if data.get("existing") or self.is_blank():
            return None
        return {f: data.get(f, "") for f in self.NEW_FIELDS} | {
            "is_confidential": bool(data.get("is_confidential")),
            "party": data.get("party") or None,
            "attributes_perpetrator": bool(data.get("attributes_perpetrator")),
        }

    def attributes(self) -> bool:
        """An existing source ticked as making the attribution."""
        data = self.cleaned_data
        return bool(data.get("existing") and data.get("attributes_perpetrator"))


def perpetrator_choices() -> list[tuple[str, str]]:
    """Not stated, unknown, then the parties moderators keep."""
    return [
        ("", _("Not stated")),
        (UNKNOWN, _("Unknown (a source says it is not known)")),
    ] + [(party.slug, party.reader_name()) for party in Party.objects.all()]


FigureFormSet = forms.formset_factory(FigureForm, extra=0, max_num=50, absolute_max=50)
SourceFormSet = forms.formset_factory(SourceForm, extra=0, max_num=20, absolute_max=20)


def zawgyi_fields(form, figure_forms, source_forms) -> list[str]:
    """Labels of the fields whose Burmese text looks like Zawgyi."""
    found = []
    for name in ("title", "place", "public_summary", "internal_notes", "tags"):
        if looks_like_zawgyi(form.cleaned_data.get(name) or ""):
            found.append(str(form.fields[name].label))
    for number, figure in enumerate(figure_forms, start=1):
        if looks_like_zawgyi(figure.cleaned_data.get("note") or ""):
            found.append(_("Figure %(n)s: note") % {"n": number})
        if looks_like_zawgyi(figure.cleaned_data.get("destination") or ""):
            found.append(_("Figure %(n)s: destination") % {"n": number})
    for number, source in enumerate(source_forms, start=1):
        for name in ("name", "title"):
            if looks_like_zawgyi(source.cleaned_data.get(name) or ""):
                found.append(_("Source %(n)s: %(field)s") % {"n": number, "field": name})
    return found


def apply_service_errors(error: ValidationError, form, figure_forms, source_forms) -> None:
    """Put each error from the services next to the field it names ("figures.2.value" is
    the second figure's number)."""
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        target, field = form, key
        if parts[0] in ("figures", "sources") and len(parts) == 3:
            forms_ = figure_forms if parts[0] == "figures" else source_forms
            index = int(parts[1]) - 1
            if 0 <= index < len(forms_):
                target, field = forms_[index], parts[2]
        if field == "perpetrator_sources":
            field = "perpetrator"
        if field not in target.fields or target.fields[field].widget.is_hidden:
            field = None
        for message in messages:
            target.add_error(field, message)
