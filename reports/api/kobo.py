"""KoboToolbox REST Services: the endpoint a form's link points at and its throttle (the mapping
is reports.kobo, the writes reports.services.partners; docs/kobo.md)."""

from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, throttling
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import services
from reports.models import KoboForm
from reports.services.evidence import kobo_attachments
from reports.tasks import fetch_kobo_attachments

from ..keys import secret_matches, split_secret
from .auth import count_request
from .errors import BadRequestSerializer, ErrorSerializer
from .parsers import DepthLimitedJSONParser
from .views.submissions import read_body, refuse_nul_characters


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

Every submission with a `_uuid` is kept, and the same `_uuid` never makes two reports. Burmese
text that looks like Zawgyi rather than Unicode is stored as sent: the moderator's review page
warns about it."""

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
    parser_classes = [DepthLimitedJSONParser]

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
        if submission.report_id is not None and kobo_attachments(payload):
            # The files it lists are fetched from Kobo in the background (docs/evidence.md).
            transaction.on_commit(lambda: fetch_kobo_attachments.delay(submission.pk))
        body = {
            "submission": submission.pk,
            "status": submission.status,
            "report": submission.report_id,
            "reason": submission.reason,
        }
        return Response(body, status=code)
