"""KoboToolbox REST Services: the endpoint a form's link points at, its throttle, and the mapping
from a Kobo submission to a draft report (writes in reports.services.partners; docs/kobo.md)."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, throttling
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gazetteer.models import Place
from reports import services
from reports.models import KoboForm
from reports.vocabulary import Cause, Metric

from .auth import count_request, secret_matches, split_secret
from .errors import BadRequestSerializer, ErrorSerializer
from .views.submissions import read_body, refuse_nul_characters

# Report fields a form's mapping may fill, each from one Kobo field path.
TEXT_FIELDS = ("title", "place_pcode", "start_date", "end_date", "cause", "public_summary")
REQUIRED = ("title", "place_pcode", "start_date")
MAPPING_KEYS = (*TEXT_FIELDS, "internal_notes", "geolocation", "figures", "tags")
QUALIFIERS = ("exact", "approximately", "at_least", "at_most")


def clean_mapping(mapping) -> dict:
    """Check a form's mapping; ValidationError names every problem at once. Shape:
    {"title": "<kobo path>", "place_pcode": "<path>", "start_date": "<path>", "end_date": ...,
     "cause": ..., "public_summary": ..., "internal_notes": ..., "geolocation": true,
     "figures": {"<metric>": "<path>" | {"path": "<path>", "qualifier": "approximately"}},
     "tags": ["<constant tag>", ...]}"""
    if not isinstance(mapping, dict):
        raise ValidationError('The mapping must be a JSON object, e.g. {"title": "group/title"}.')
    problems = []
    for key in sorted(set(mapping) - set(MAPPING_KEYS)):
        problems.append(f"Unknown key {key!r}; the keys are: {', '.join(MAPPING_KEYS)}.")
    for key in REQUIRED:
        if key not in mapping:
            problems.append(f"{key!r} is required: which Kobo field holds it?")
    for key in (*TEXT_FIELDS, "internal_notes"):
        if key in mapping and (not isinstance(mapping[key], str) or not mapping[key].strip()):
            problems.append(f'{key!r} must be a Kobo field path such as "group_event/{key}".')
    if "geolocation" in mapping and not isinstance(mapping["geolocation"], bool):
        problems.append("'geolocation' must be true or false (use Kobo's _geolocation).")
    figures = mapping.get("figures", {})
    if not isinstance(figures, dict):
        problems.append("'figures' must map a metric to a Kobo field path.")
        figures = {}
    for metric, target in figures.items():
        if metric not in Metric.values:
            problems.append(
                f"Unknown metric {metric!r}; the metrics are: {', '.join(Metric.values)}."
            )
        path = target.get("path") if isinstance(target, dict) else target
        if not isinstance(path, str) or not path.strip():
            problems.append(f"The figure for {metric!r} needs a Kobo field path.")
        if isinstance(target, dict):
            if set(target) - {"path", "qualifier"}:
                problems.append(f"The figure for {metric!r} takes only 'path' and 'qualifier'.")
            if target.get("qualifier", "exact") not in QUALIFIERS:
                problems.append(
                    f"The figure for {metric!r} has an unknown qualifier; use one of "
                    f"{', '.join(QUALIFIERS)}."
                )
    tags = mapping.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append("'tags' must be a list of words, e.g. [\"Kobo\"].")
    if problems:
        raise ValidationError(problems)
    return mapping


def _value(payload: dict, path: str):
    """A Kobo field by its full path ("group_event/place_pcode"); Kobo flattens groups into
    slash-separated keys, but an export may nest them, so both are read."""
    if path in payload:
        return payload[path]
    node = payload
    for part in path.split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _date(raw) -> str | None:
    """Kobo's date ("2023-11-11") or datetime ("2023-11-11T08:21:07.000+06:30") as a date."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text  # the service says "Enter a date as YYYY-MM-DD."


class Unmappable(Exception):
    pass


def map_submission(mapping: dict, payload: dict) -> dict:
    """The report_save arguments a submission stands for; Unmappable says why there are none."""
    problems = []
    fields = {}
    for key in ("title", "public_summary", "internal_notes"):
        if key in mapping:
            fields[key] = (
                "" if _value(payload, mapping[key]) is None else str(_value(payload, mapping[key]))
            )
    pcode = _value(payload, mapping["place_pcode"])
    place = Place.objects.filter(pcode=str(pcode).strip()).first() if pcode else None
    if place is None:
        problems.append(
            f"Unknown P-code {pcode!r} in {mapping['place_pcode']!r}."
            if pcode
            else f"No P-code in {mapping['place_pcode']!r}."
        )
    fields["place"] = place
    fields["start_date"] = _date(_value(payload, mapping["start_date"]))
    if "end_date" in mapping:
        fields["end_date"] = _date(_value(payload, mapping["end_date"]))
    if "cause" in mapping:
        cause = _value(payload, mapping["cause"]) or ""
        if cause and cause not in Cause.values:
            problems.append(f"Unknown cause {cause!r} in {mapping['cause']!r}.")
        else:
            fields["cause"] = cause
    if mapping.get("geolocation"):
        point = payload.get("_geolocation")
        if isinstance(point, list) and len(point) == 2 and None not in point:
            fields["latitude"], fields["longitude"] = point
            fields["location_precision"] = "approximate"
    figures, paths = [], {}
    wanted = mapping.get("figures", {})
    # In the vocabulary's order, so that "Figure N" means the same whatever the database
    # does to the order of a JSON object's keys.
    for metric in (m for m in Metric.values if m in wanted):
        target = wanted[metric]
        path = target["path"] if isinstance(target, dict) else target
        qualifier = target.get("qualifier", "exact") if isinstance(target, dict) else "exact"
        raw = _value(payload, path)
        if raw in (None, ""):
            continue
        figures.append({"metric": metric, "qualifier": qualifier, "value": raw})
        paths[f"figures.{len(figures)}"] = path
    for key in ("title", "start_date", "end_date", "public_summary", "internal_notes", "cause"):
        if key in mapping:
            paths[key] = mapping[key]
    if problems:
        raise Unmappable(" ".join(problems))
    return {"fields": fields, "figures": figures, "tags": mapping.get("tags", []), "paths": paths}


def unmapped_reason(exc: ValidationError, paths: dict) -> str:
    """The service's messages, each led by the Kobo field it is about."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for field, messages in exc.message_dict.items():
        where = paths.get(field) or paths.get(field.rsplit(".", 1)[0]) or field
        parts.append(f"{where}: {' '.join(messages)}")
    return " ".join(parts)


def payload_summary(payload: dict) -> dict:
    submitted = str(payload.get("_submission_time") or "")[:40]
    kobo_id = payload.get("_id")
    return {
        "kobo_id": kobo_id
        if isinstance(kobo_id, int) and not isinstance(kobo_id, bool) and 0 <= kobo_id < 2**63
        else None,
        "submitted_at": submitted,
    }


# (where Kobo puts it in a submission, the KoboForm field that says what it must be)
IDENTITY = (("_xform_id_string", "kobo_asset_uid"), ("formhub/uuid", "kobo_form_uuid"))


def kobo_ids(payload: dict) -> dict[str, str]:
    """The Kobo form a submission says it is from, by its ids ("" where it has none)."""
    return {path: str(_value(payload, path) or "").strip()[:100] for path, _ in IDENTITY}


def other_form(form: KoboForm, payload: dict) -> str:
    """Why a submission is not from the Kobo form this link was made for ("" if it is, or if
    the form's Kobo ids are blank): a link pasted into another project's REST Services must
    not turn that project's submissions into reports through this form's mapping."""
    problems, found = [], kobo_ids(payload)
    for path, field in IDENTITY:
        expected = getattr(form, field)
        if not expected or found[path] == expected:
            continue
        if found[path]:
            problems.append(f"its {path} is {found[path]!r}, not {expected!r}")
        else:
            problems.append(f"it has no {path} (expected {expected!r})")
    if not problems:
        return ""
    return (
        f"Not from the Kobo form {form.name!r}: {'; '.join(problems)}. Check which Kobo "
        "project's REST Services use this link; if the form itself changed, correct its Kobo "
        "ids and map the submission again."
    )


def find_form(token: str) -> KoboForm | None:
    prefix = split_secret(token)
    form = (
        KoboForm.objects.select_related("client__user", "client__organization")
        .filter(prefix=prefix)
        .first()
        if prefix
        else None
    )
    if form is None or not secret_matches(token, form.token_hash):
        return None
    if not form.is_active or form.client.revoked_at is not None:
        return None
    return form


class KoboThrottle(throttling.SimpleRateThrottle):
    """The same budget as the form's API client, counted per form link."""

    scope = "kobo"

    def get_rate(self):
        from django.conf import settings

        return settings.TRACKER_API_CLIENT_RATE

    def get_cache_key(self, request, view):
        prefix = split_secret(view.kwargs.get("token", "")) or "none"
        return self.cache_format % {"scope": self.scope, "ident": prefix}


# --- how the endpoint is documented in the OpenAPI schema -------------------------------------

INGEST_DESCRIPTION = """\
KoboToolbox posts each new submission of a form here when the form's project has a REST
Service (type JSON) pointing at the form's link; see docs/kobo.md. The link is the
credential: Kobo sends no key header.

The body is Kobo's JSON for one submission: its own fields under their full group paths
(`group_event/place_pcode`; nested groups are read too) and Kobo's metadata (`_uuid`,
`_submission_time`, `_geolocation`, `formhub/uuid`, `_xform_id_string` ...). Only `_uuid` is
required; which fields become the report's place, dates and figures is the form's mapping,
set by a moderator. When the form's Kobo ids are recorded, a submission from another Kobo
form is kept unmapped (202) instead of being mapped; when they are blank, any form is
accepted.

Every submission with a `_uuid` is kept, and the same `_uuid` never makes two reports."""

# The fields the tracker itself reads; a form's own fields are whatever its mapping names.
KOBO_SUBMISSION_SCHEMA = {
    "type": "object",
    "description": "One submission as KoboToolbox's REST Services send it (type JSON).",
    "required": ["_uuid"],
    "properties": {
        "_uuid": {
            "type": "string",
            "maxLength": 100,
            "description": "The submission's id in Kobo; a resend has the same one.",
        },
        "_id": {"type": "integer", "description": "Kobo's numeric id, kept for reference."},
        "_submission_time": {
            "type": "string",
            "description": "When Kobo received it (UTC, no zone), kept for reference.",
        },
        "_geolocation": {
            "type": "array",
            "items": {"type": "number", "nullable": True},
            "description": "[latitude, longitude] of the form's first geopoint; used when the "
            'mapping says "geolocation": true.',
        },
        "formhub/uuid": {
            "type": "string",
            "description": "The deployed form's uuid; checked when the form records one.",
        },
        "_xform_id_string": {
            "type": "string",
            "description": "The form's id (asset uid); checked when the form records one.",
        },
    },
    "additionalProperties": True,
}

SUBMISSION_EXAMPLE = {
    "_id": 318640521,
    "_uuid": "7c9a1c2e-4b1d-4f0e-9a3b-2d6e8f1a5c47",
    "_submission_time": "2023-11-13T08:21:07",
    "_xform_id_string": "aXk3JHpQ9sV2mN8bR4tL7c",
    "formhub/uuid": "4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0",
    "__version__": "vQmT8wZ3pK9hR2sX4yL6nB",
    "meta/instanceID": "uuid:7c9a1c2e-4b1d-4f0e-9a3b-2d6e8f1a5c47",
    "start": "2023-11-13T14:45:12.123+06:30",
    "end": "2023-11-13T14:52:40.551+06:30",
    "group_event/event_title": "Families flee shelling in Loikaw ward 3",
    "group_event/place_pcode": "MMR002001701",
    "group_event/date_start": "2023-11-11",
    "group_event/date_end": "2023-11-13",
    "group_event/cause": "artillery",
    "group_event/summary": "About 1,200 people left ward 3 after shelling; three were killed.",
    "group_figures/people_displaced": "1200",
    "group_figures/civilians_killed": "3",
    "group_figures/civilians_injured": "",
    "_geolocation": [19.67424, 97.20993],
    "_attachments": [],
    "_status": "submitted_via_web",
    "_submitted_by": "loikaw_monitor_3",
}


@extend_schema_field({"type": "string", "enum": ["mapped", "unmapped"]})
class _SubmissionStatusField(serializers.CharField):
    pass


class KoboIngestResult(serializers.Serializer):
    submission = serializers.IntegerField(help_text="The kept submission (moderators see it).")
    status = _SubmissionStatusField(help_text="mapped: a draft report exists; unmapped: not.")
    report = serializers.IntegerField(
        allow_null=True, help_text="The draft report made from it; null while unmapped."
    )
    reason = serializers.CharField(
        allow_blank=True, help_text="Why it could not be mapped (empty when mapped)."
    )


class KoboClientError(serializers.Serializer):
    type = serializers.CharField(help_text='"client_error"')
    errors = ErrorSerializer(many=True)


class KoboIngestView(APIView):
    """The link is the credential: no key header, since Kobo's REST Services send none."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [KoboThrottle]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="ingest_kobo_submission",
        summary="Receive a KoboToolbox submission (REST Services)",
        description=INGEST_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "token",
                str,
                OpenApiParameter.PATH,
                description="The form's secret token, from the link the tracker showed once "
                "when the form was added (or given a new link). Not an API key.",
                examples=[
                    OpenApiExample(
                        "A form's token", value="3f9a1c2e.Zk1xN2pQa3lWb0dzT1RhU3ZmY3dYbGRuZ0hq"
                    )
                ],
            )
        ],
        request={"application/json": KOBO_SUBMISSION_SCHEMA},
        responses={
            201: OpenApiResponse(KoboIngestResult, description="A new draft report was made."),
            200: OpenApiResponse(
                KoboIngestResult,
                description="This submission (_uuid) already made a report: nothing new.",
            ),
            202: OpenApiResponse(
                KoboIngestResult,
                description="Kept for moderators but not mapped; `reason` says why (another "
                "form, unknown P-code, a number that is not a whole number ...). Kobo stops "
                "resending it; resending it tries again.",
            ),
            400: OpenApiResponse(
                BadRequestSerializer,
                description="Not a Kobo submission: malformed JSON, no `_uuid`, or a null "
                "character (named by `attr`). Nothing is kept.",
            ),
            404: OpenApiResponse(
                KoboClientError,
                description="Unknown, replaced or deactivated link, or a revoked API client.",
            ),
            413: OpenApiResponse(
                KoboClientError, description="Larger than the upload limit. Nothing is kept."
            ),
        },
        examples=[
            OpenApiExample("A Kobo submission", value=SUBMISSION_EXAMPLE, request_only=True),
            OpenApiExample(
                "Made a draft report",
                value={"submission": 81, "status": "mapped", "report": 1204, "reason": ""},
                response_only=True,
                status_codes=["201", "200"],
            ),
            OpenApiExample(
                "Kept unmapped: another form",
                value={
                    "submission": 82,
                    "status": "unmapped",
                    "report": None,
                    "reason": "Not from the Kobo form 'Karenni displacement incidents': its "
                    "formhub/uuid is '0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a', not "
                    "'4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0'. Check which Kobo project's REST "
                    "Services use this link; if the form itself changed, correct its Kobo ids "
                    "and map the submission again.",
                },
                response_only=True,
                status_codes=["202"],
            ),
            OpenApiExample(
                "Kept unmapped: unknown P-code",
                value={
                    "submission": 83,
                    "status": "unmapped",
                    "report": None,
                    "reason": "Unknown P-code 'MMR002999' in 'group_event/place_pcode'.",
                },
                response_only=True,
                status_codes=["202"],
            ),
        ],
        auth=[],
    )
    def post(self, request, token):
        form = find_form(token)
        if form is None:
            raise exceptions.NotFound("Unknown or revoked Kobo ingest link.")
        read_body(request)
        payload = request.data
        refuse_nul_characters(payload)
        if not isinstance(payload, dict) or not str(payload.get("_uuid") or "").strip():
            raise exceptions.ValidationError(
                {"_uuid": ["A Kobo submission is a JSON object with its _uuid."]}
            )
        if len(str(payload["_uuid"])) > 100:
            raise exceptions.ValidationError({"_uuid": ["At most 100 characters."]})
        count_request(form.client)
        code, submission = services.kobo_ingest(form=form, payload=payload)
        body = {
            "submission": submission.pk,
            "status": submission.status,
            "report": submission.report_id,
            "reason": submission.reason,
        }
        return Response(body, status=code)


def pretty(payload) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)
