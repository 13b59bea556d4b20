"""The shape of a submission pushed through the API, types only: what the values mean is checked
by reports.services, so an API client reads the web form's messages."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_BULK = 500


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True})
class LooseNumber(serializers.Field):
    """A number given as a JSON number or as text ("35000", "19.67"); the services parse it
    and say what is wrong with it. Booleans, lists and objects are refused here."""

    default_error_messages = {"invalid": "Enter a number (a JSON number or a string of digits)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


def _text(**kwargs):
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False, **kwargs
    )


def _number():
    return LooseNumber(required=False, allow_null=True)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt field is not silently dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: [f"Unknown field {key!r}."] for key in unknown}
                )
        return super().to_internal_value(data)


class FigureIn(StrictSerializer):
    metric = _text()
    qualifier = _text()
    value = _number()
    value_min = _number()
    value_max = _number()
    unit = _text()
    household_size = _number()
    women = _number()
    men = _number()
    girls = _number()
    boys = _number()
    note = _text()
    # Where the people went: a P-code (displacement figures only).
    destination = _text()


class NewSourceIn(StrictSerializer):
    source_type = _text()
    name = _text()
    title = _text()
    url = _text()
    published_on = _text()
    language = _text()
    is_confidential = serializers.BooleanField(required=False, default=False)
    # The alleged perpetrator's parts (see SubmissionIn).
    party = _text()
    attributes_perpetrator = serializers.BooleanField(required=False, default=False)


class SubmissionIn(StrictSerializer):
    """One report: `place` is a P-code, `sources` the public ids of existing sources,
    `new_sources` sources to add with it; `status` "draft" (the default) or "submitted";
    `client_id` the sender's own identifier for it: sent again, the same report is returned."""

    client_id = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$",
        required=False,
        error_messages={"invalid": "8 to 64 letters, digits, '-' or '_'."},
    )
    status = serializers.ChoiceField(choices=["draft", "submitted"], default="draft")
    title = _text()
    place = _text()
    start_date = _text()
    end_date = _text()
    date_precision = _text()
    latitude = _number()
    longitude = _number()
    location_precision = _text()
    public_summary = _text()
    internal_notes = _text()
    cause = _text()
    tags = serializers.ListField(child=serializers.CharField(), required=False, max_length=100)
    figures = FigureIn(many=True, required=False, max_length=100)
    sources = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=100,
    )
    new_sources = NewSourceIn(many=True, required=False, max_length=20)
    # The alleged perpetrator: a party's slug (GET /api/v1/parties/), "unknown", or "" / left
    # out (not stated); `perpetrator_sources` the ids among `sources` that attribute it (a new
    # source says so with "attributes_perpetrator": true).
    perpetrator = _text()
    perpetrator_sources = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=100,
    )
    store_as_typed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: store Burmese text that looks like Zawgyi as it is (the moderator is "
        "warned); by default such a report is refused with 400, naming each field.",
    )


class BulkIn(StrictSerializer):
    reports = serializers.ListField(
        child=serializers.JSONField(), min_length=1, max_length=MAX_BULK
    )


def flatten_errors(detail, prefix="") -> list[dict]:
    """DRF's nested error detail as the API's error entries, with dotted attrs
    ("figures.1.value", counting from 1 as the services and the web form do)."""
    entries = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A ListField's errors are keyed by the item's index, from 0.
            attr = str(key + 1) if isinstance(key, int) else key
            attr = "" if attr == "non_field_errors" else attr
            entries += flatten_errors(
                value, f"{prefix}.{attr}" if prefix and attr else attr or prefix
            )
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            for item in detail:
                entries.append(
                    {
                        "code": getattr(item, "code", "invalid"),
                        "detail": str(item),
                        "attr": prefix or None,
                    }
                )
        else:
            for number, item in enumerate(detail, start=1):
                entries += flatten_errors(item, f"{prefix}.{number}" if prefix else str(number))
    else:
        entries.append(
            {
                "code": getattr(detail, "code", "invalid"),
                "detail": str(detail),
                "attr": prefix or None,
            }
        )
    return entries


def nul_characters_at(data, path="") -> str | None:
    """Where a NUL character hides in parsed JSON (keys or strings; "" for the value itself),
    or None: PostgreSQL cannot store one, and a person never types one."""
    if isinstance(data, str):
        return path if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            # The NUL itself is not echoed back: it could not be stored with the answer.
            shown = str(key).replace("\x00", "\ufffd")
            here = f"{path}.{shown}" if path else shown
            if "\x00" in str(key):
                return here
            found = nul_characters_at(value, here)
            if found is not None:
                return found
    if isinstance(data, list):
        for number, value in enumerate(data, start=1):
            found = nul_characters_at(value, f"{path}.{number}" if path else str(number))
            if found is not None:
                return found
    return None


NUL_MESSAGE = "Null characters are not allowed."

ZAWGYI_MESSAGE = (
    "This text looks like Burmese typed with the Zawgyi font, not Unicode: it shows garbled on "
    "Unicode devices. Convert it to Unicode (for example with Google's myanmartools or Rabbit "
    'converter) and send it again; if it is right as it is, send "store_as_typed": true.'
)
