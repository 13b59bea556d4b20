"""The moderator's intake screen: the form that takes an article, the signed record of what was
extracted (carried between the two steps in the page, nothing stored on the server), and one
editable row per candidate figure."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from gazetteer.selectors import kind_paths, resolve_place
from intake.drafts import AcceptedFigure, ArticleSource, Original
from reports.forms.fields import DayField
from reports.forms.report import NUMBER, PlainForm, WholeNumberField, perpetrator_choices
from reports.models import Organization, Party
from reports.vocabulary import Cause, DatePrecision, Metric, Qualifier, SourceType, Unit

# The signed record is a hidden field of the result page; Django refuses request bodies over
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default) outside uploaded files, so an original bigger
# than this (once compressed) is not carried: the moderator chooses the file again instead.
INLINE_ORIGINAL_MAX = 1_000_000
# How long the result page may wait before "Create drafts" (the signature's age).
PAYLOAD_MAX_AGE = 24 * 3600
SALT = "intake.screen.extraction"
LANGUAGES = [("", _("Detect")), ("en", _("English")), ("my", _("Burmese"))]
MAX_ROWS = 200
# Why the extractor left a figure out (Candidate.excluded_reason), in the moderator's words.
EXCLUDED_WORDS = {
    "combatants": _("it counts fighters, not civilians"),
    "combatants_and_civilians": _(
        "it counts fighters and civilians together; record the civilians alone if the text says"
    ),
}


def _choices(choices, blank):
    return [("", blank)] + list(choices)


class IntakeForm(PlainForm):
    """Step 1: the text (pasted, a file, or an address when the deployment may fetch one),
    when and by whom it was published."""

    text = forms.CharField(
        label=_("Paste the article or account"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    upload = forms.FileField(
        label=_("…or upload a file"),
        required=False,
        help_text=_("A .txt, .html or .pdf file (a PDF needs its text layer)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.html,.htm,.pdf"}),
    )
    url = forms.URLField(
        label=_("…or its web address"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_("The tracker fetches the page and keeps the article's text."),
    )
    published = DayField(
        label=_("Publication date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Dates in the text (“on Tuesday”, “last month”) are read from this day."),
    )
    publisher = forms.CharField(
        label=_("Publisher"),
        required=False,
        max_length=200,
        help_text=_("The outlet or organisation that published it, e.g. The Irrawaddy."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not fetching_allowed():
            del self.fields["url"]

    def clean(self):
        data = super().clean()
        given = [name for name in ("text", "upload", "url") if data.get(name)]
        if data.get("text") is not None and not data["text"].strip():
            data["text"] = ""
            given = [name for name in given if name != "text"]
        if not given and not self.errors:
            self.add_error("text", _("Paste the text, or choose a file."))
        elif len(given) > 1:
            self.add_error(
                given[1], _("Give the text one way only: pasted, as a file or as an address.")
            )
        return data


def fetching_allowed() -> bool:
    return bool(getattr(settings, "TRACKER_INTAKE_FETCH_URLS", False))


# --- the signed record of one extraction ----------------------------------------------------


def _salt(user_id: int) -> str:
    # Tied to the moderator it was made for: another account cannot replay a captured page.
    return f"{SALT}:{user_id}"


def sign_payload(payload: dict[str, Any], *, user_id: int) -> str:
    return signing.dumps(payload, salt=_salt(user_id), compress=True)


def read_payload(value: str, *, user_id: int) -> dict[str, Any]:
    """The record the result page carried; signing.BadSignature when altered, too old or made
    for another account."""
    data = signing.loads(value, salt=_salt(user_id), max_age=PAYLOAD_MAX_AGE)
    if not isinstance(data, dict):
        raise signing.BadSignature("Not an extraction.")
    return data


def original_inline(content: bytes) -> str | None:
    """The original as carried in the record, or None when too big to carry."""
    encoded = base64.b64encode(content).decode("ascii")
    return encoded if len(encoded) <= INLINE_ORIGINAL_MAX else None


def original_of(payload: dict[str, Any], again=None) -> Original | None:
    """The original from the record, or from the file chosen again (checked against the
    SHA-256 the record keeps); None if neither is there or the file is another one."""

    if payload.get("original") is not None:
        try:
            content = base64.b64decode(payload["original"], validate=True)
        except (binascii.Error, ValueError):
            return None
    elif again is not None:
        content = again.read()
        if hashlib.sha256(content).hexdigest() != payload.get("original_sha256"):
            return None
    else:
        return None
    return Original(content, payload.get("original_name", ""), payload.get("original_type", ""))


# --- step 2: the source, the organisation and one row per candidate -------------------------


class DraftsForm(PlainForm):
    payload = forms.CharField(widget=forms.HiddenInput)
    organization = forms.ModelChoiceField(
        label=_("File the drafts for"),
        queryset=Organization.objects.none(),
        empty_label="—",
        help_text=_("The organisation the drafts belong to; you stay their author."),
    )
    source_name = forms.CharField(label=_("Published by"), max_length=200)
    source_type = forms.ChoiceField(label=_("Type of source"), choices=SourceType.choices)
    source_title = forms.CharField(label=_("Headline"), required=False, max_length=300)
    source_url = forms.URLField(
        label=_("Web address"), required=False, max_length=1000, assume_scheme="https"
    )
    published = DayField(
        label=_("Publication date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source_confidential = forms.BooleanField(
        label=_("Keep this source confidential"),
        required=False,
        help_text=_(
            "Tick it for a partner's or an informant's account: the public then sees only its "
            "type, never its name, headline or address."
        ),
    )
    original_again = forms.FileField(
        label=_("Choose the same file again"),
        required=False,
        help_text=_("It is too large to carry in this page; it is kept with the drafts."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(is_active=True).order_by(
            "name"
        )

    def article(self, language: str) -> ArticleSource:
        data = self.cleaned_data
        return ArticleSource(
            name=data["source_name"].strip(),
            source_type=data["source_type"],
            published_on=data.get("published"),
            title=data.get("source_title") or "",
            url=data.get("source_url") or "",
            language=language,
            is_confidential=bool(data.get("source_confidential")),
        )


class CandidateRowForm(PlainForm):
    """One candidate figure as the moderator accepts, corrects or drops it. A row left
    unticked is not validated: it is dropped."""

    accept = forms.BooleanField(label=_("Accept"), required=False)
    metric = forms.ChoiceField(
        label=_("What was counted"), choices=_choices(Metric.choices, "—"), required=False
    )
    qualifier = forms.ChoiceField(label=_("How sure"), choices=Qualifier.choices, required=False)
    value = WholeNumberField(label=_("Number"), required=False)
    low = WholeNumberField(label=_("From (range)"), required=False)
    high = WholeNumberField(label=_("To (range)"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, required=False)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    place_choice = forms.CharField(
        label=_("Which place?"), required=False, widget=forms.RadioSelect
    )
    start_date = DayField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = DayField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_precision = forms.ChoiceField(
        label=_("Date precision"), choices=DatePrecision.choices, required=False
    )
    cause = forms.ChoiceField(
        label=_("Cause or means"), choices=_choices(Cause.choices, _("Not known")), required=False
    )
    perpetrator = forms.ChoiceField(label=_("Alleged perpetrator"), required=False)
    source_name = forms.CharField(label=_("Source"), max_length=200, required=False)
    source_type = forms.ChoiceField(
        label=_("Type of source"), choices=SourceType.choices, required=False
    )
    group = forms.IntegerField(
        label=_("Draft number"),
        min_value=1,
        max_value=MAX_ROWS,
        required=False,
        widget=forms.TextInput(NUMBER),
    )

    def __init__(self, *args, perpetrators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perpetrator"].choices = perpetrators or perpetrator_choices()
        self.resolved_place = None

    def accepted(self) -> bool:
        if not self.is_bound:
            return bool(self.initial.get("accept"))
        return self.fields["accept"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("accept")
        )

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.accepted():
            # A dropped row: whatever it holds is not used, so it holds nothing up.
            self._errors = ErrorDict()
            self.cleaned_data = {"accept": False}

    def clean(self):
        data = super().clean()
        if not self.accepted():
            return data
        if not data.get("metric"):
            self.add_error("metric", _("Choose what was counted."))
        if not data.get("group"):
            self.add_error("group", _("Give the number of the draft this figure goes into."))
        if data.get("qualifier") == Qualifier.RANGE:
            for name in ("low", "high"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("A range needs both ends."))
        elif data.get("value") is None and "value" not in self.errors:
            self.add_error("value", _("Enter the number."))
        self.resolved_place = self._resolve_place(data)
        return data

    def _resolve_place(self, data):
        """The place typed, resolved as the report form resolves it (ReportForm.clean)."""
        typed = data.get("place_choice") or data.get("place", "")
        place, candidates = resolve_place(typed)
        if place is None:
            if candidates:
                self.fields["place_choice"].widget.choices = [
                    (m.place.pcode, m.label) for m in candidates
                ]
                self.add_error(
                    "place", _("Several places match: choose one below, or type more of the name.")
                )
            elif typed:
                self.add_error(
                    "place",
                    _(
                        "No place in the gazetteer matches this. Try the township's name or a "
                        "P-code."
                    ),
                )
            else:
                self.add_error("place", _("Where was it? Type the place."))
        return place

    def accepted_figure(self, row: int) -> AcceptedFigure:
        data = self.cleaned_data
        return AcceptedFigure(
            row=row,
            metric=data["metric"],
            qualifier=data.get("qualifier") or Qualifier.EXACT,
            value=data.get("value"),
            low=data.get("low"),
            high=data.get("high"),
            unit=data.get("unit") or "",
            place=self.resolved_place,
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            date_precision=data.get("date_precision") or DatePrecision.DAY,
            cause=data.get("cause") or "",
            perpetrator=data.get("perpetrator") or "",
            source_name=(data.get("source_name") or "").strip(),
            source_type=data.get("source_type") or "",
            sentence=self.initial.get("sentence", ""),
        )


CandidateRowFormSet = forms.formset_factory(
    CandidateRowForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)


# --- from the extractor's candidates to the rows' first values -------------------------------


def _party_slug(words: str | None, parties: list[Party]) -> str:
    """The moderators' party the extractor named (it answers a party's name, else the
    words); "" when none matches, so that nothing is attributed on a guess."""
    if not words:
        return ""
    wanted = words.strip().casefold()
    for party in parties:
        names = (party.name, party.short_name, party.name_my, str(party))
        if any(name and name.strip().casefold() == wanted for name in names):
            return party.slug
    return ""


def default_groups(candidates: list[dict[str, Any]]) -> list[int]:
    """One draft per (place, span), numbered in reading order; the proposed figures first, so
    that draft 1 holds the first proposal (a listed exclusion joins the draft of its place and
    span, or gets its own number after them)."""
    numbers: dict[tuple, int] = {}
    keys = [
        (
            c.get("place_pcode") or (c.get("place_text") or "").casefold(),
            c.get("start_date"),
            c.get("end_date"),
            c.get("date_precision"),
        )
        for c in candidates
    ]
    for candidate, key in zip(candidates, keys, strict=True):
        if not candidate.get("excluded_reason"):
            numbers.setdefault(key, len(numbers) + 1)
    for key in keys:
        numbers.setdefault(key, len(numbers) + 1)
    return [numbers[key] for key in keys]


def initial_rows(candidates: list[dict[str, Any]], *, publisher: str) -> list[dict[str, Any]]:
    """The rows' first values: what the extractor proposed, ticked unless it was excluded."""
    from gazetteer.models import Place

    pcodes = {c["place_pcode"] for c in candidates if c.get("place_pcode")}
    places = {p.pcode: p for p in Place.objects.filter(pcode__in=pcodes)}
    paths = kind_paths(places.values())
    parties = list(Party.objects.all())
    rows = []
    for candidate, group in zip(candidates, default_groups(candidates), strict=True):
        place = places.get(candidate.get("place_pcode") or "")
        rows.append(
            {
                "accept": not candidate.get("excluded_reason"),
                "metric": candidate.get("metric") or "",
                "qualifier": candidate.get("qualifier") or Qualifier.EXACT,
                "value": candidate.get("value"),
                "low": candidate.get("low"),
                "high": candidate.get("high"),
                "unit": candidate.get("unit") or "",
                "place": f"{place.display_name} ({place.pcode})"
                if place
                else candidate.get("place_text") or "",
                "place_path": paths.get(place.pk, "") if place else "",
                "start_date": _day(candidate.get("start_date")),
                "end_date": _day(candidate.get("end_date")),
                "date_precision": candidate.get("date_precision") or DatePrecision.DAY,
                "cause": candidate.get("cause") or "",
                "perpetrator": _party_slug(candidate.get("perpetrator"), parties),
                "perpetrator_words": candidate.get("perpetrator") or "",
                "source_name": candidate.get("source_name") or publisher,
                "source_type": candidate.get("source_type") or SourceType.NEWS_MEDIA,
                "group": group,
                "sentence": candidate.get("sentence") or "",
                "excluded_reason": EXCLUDED_WORDS.get(
                    candidate.get("excluded_reason") or "", candidate.get("excluded_reason") or ""
                ),
            }
        )
    return rows


def _day(value: Any) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
