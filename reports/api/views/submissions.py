"""POST /api/v1/submissions/: reports pushed by an API client for its organisation, one or
up to 500 at once, each saved through reports.services, replayable under an Idempotency-Key."""

import hashlib
import json
import re
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from gazetteer.models import Place
from reports import selectors, services
from reports.api.auth import HasSubmitScope
from reports.api.parsers import DepthLimitedJSONParser
from reports.api.write_serializers import (
    NUL_MESSAGE,
    ZAWGYI_MESSAGE,
    BulkIn,
    SubmissionIn,
    flatten_errors,
    nul_characters_at,
)
from reports.burmese import find_zawgyi
from reports.exceptions import ActionRefused, NotPermitted
from reports.models import ApiIdempotencyKey
from reports.services.moderation import NO_FIGURE, NO_SOURCE
from reports.validation import shortened

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def max_body_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def read_body(request) -> bytes:
    """The raw body, refused with 413 above the upload limit before it is read."""
    limit = max_body_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_large = PayloadTooLarge(f"The request body is larger than {limit:,} bytes.")
    if length > limit:
        raise too_large
    try:
        return request._request.body
    except RequestDataTooBig as exc:
        raise too_large from exc


def _error_body(entries, *, kind="validation_error") -> dict:
    return {"type": kind, "errors": entries}


def _django_errors(exc: DjangoValidationError) -> list[dict]:
    if not hasattr(exc, "error_dict"):
        return [{"code": "invalid", "detail": m, "attr": None} for m in exc.messages]
    return [
        {"code": "invalid", "detail": message, "attr": None if field == "__all__" else field}
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


class Refused(Exception):
    """One item could not be saved: the HTTP status it stands for and the error entries."""

    def __init__(self, status_code: int, body: dict):
        self.status_code = status_code
        self.body = body


def client_id_key(client_id: str) -> str:
    """Where a client_id's content fingerprint is kept among the client's ApiIdempotencyKey
    rows: the space keeps it apart from every Idempotency-Key header, which has none."""
    return f"client_id: {client_id}"


def claim_client_id(client, client_id: str, digest: str) -> ApiIdempotencyKey | None:
    """The fingerprint of the first report sent under this client_id: a new row to fill in
    with the answer, None when the same content was sent before (the service then replays
    the first report), Refused (409) when the content differs. Call it inside the item's
    savepoint, so that a refused item takes its fingerprint away with it."""
    key = client_id_key(client_id)
    earlier = ApiIdempotencyKey.objects.filter(client=client, key=key).first()
    if earlier is None:
        try:
            with transaction.atomic():
                return ApiIdempotencyKey.objects.create(
                    client=client, key=key, body_hash=digest, status_code=0, response={}
                )
        except IntegrityError:
            # The same client_id raced in from a request that committed first.
            earlier = ApiIdempotencyKey.objects.get(client=client, key=key)
    if earlier.body_hash == digest:
        return None
    raise Refused(
        409,
        _error_body(
            [
                {
                    "code": "idempotency_conflict",
                    "detail": f"The client_id {client_id!r} was already used on "
                    f"{earlier.created_at:%Y-%m-%d %H:%M} UTC for a report with different "
                    "content. Use a new client_id for a new report; send the first content "
                    "unchanged to get its answer again.",
                    "attr": "client_id",
                }
            ],
            kind="client_error",
        ),
    )


def save_item(client, actor, data) -> tuple[int, dict]:
    """Save one report; returns (201 created | 200 already saved, result) or raises Refused.
    Runs in its own savepoint: a refused item leaves nothing behind. A client_id is the
    report's submission key, and its content's fingerprint is kept beside it: the same
    client_id with the same content gets the first report, with other content a 409."""
    where = nul_characters_at(data)
    if where is not None:
        raise Refused(
            400, _error_body([{"code": "invalid", "detail": NUL_MESSAGE, "attr": where or None}])
        )
    shape = SubmissionIn(data=data)
    if not shape.is_valid():
        raise Refused(400, _error_body(flatten_errors(shape.errors)))
    fields = dict(shape.validated_data)
    refuse_zawgyi(fields, confirmed=fields.pop("store_as_typed"))
    # The content as the shape check read it: an omitted "status" and "draft" are the same.
    digest = body_hash(fields)
    submit = fields.pop("status") == "submitted"
    client_id = fields.pop("client_id", None)
    key = client_id or uuid.uuid4().hex
    # What submitting would refuse once the rest is right (a 422 alone), said beside the other
    # errors of a 400: a client on a connection that drops fixes everything in one round trip.
    not_yet = {}
    if submit and not fields.get("figures"):
        not_yet["figures"] = [NO_FIGURE]
    if submit and not fields.get("sources") and not fields.get("new_sources"):
        not_yet["sources"] = [NO_SOURCE]
    extra_errors = {}
    pcode = (fields.get("place") or "").strip()
    place = Place.objects.filter(pcode=pcode).first() if pcode else None
    if place is None:
        extra_errors["place"] = (
            [f"Unknown P-code {shortened(pcode)!r}: give the P-code of a place in the gazetteer."]
            if pcode
            else ["Give the place's P-code."]
        )
    fields["place"] = place
    source_ids = fields.pop("sources", [])
    # Only the sources the client may cite (selectors.sources_citable_by): an id of another
    # organisation's confidential source is refused here exactly as an id that does not exist,
    # with the same words and beside the same other errors, so that no answer tells whether a
    # confidential source exists.
    # Ids are public ids (Source.public_id): the database's never leave the moderation area.
    sources = list(selectors.sources_citable_by(actor).filter(public_id__in=source_ids))
    missing = sorted(set(source_ids) - {s.public_id for s in sources})
    if missing:
        extra_errors["sources"] = [f"You cannot cite source #{missing[0]}."]
    attributing_ids = fields.pop("perpetrator_sources", [])
    attributing = [s for s in sources if s.public_id in attributing_ids]
    outside = sorted(set(attributing_ids) - {s.public_id for s in attributing})
    if outside:
        extra_errors["perpetrator_sources"] = [
            f"Source #{outside[0]} is not among the report's sources: only a source the report "
            "cites can attribute the harm."
        ]
    try:
        with transaction.atomic():
            fingerprint = claim_client_id(client, client_id, digest) if client_id else None
            saved = services.report_save(
                actor=actor,
                submission_key=key,
                submit=submit,
                figures=[dict(f) for f in fields.pop("figures", [])],
                sources=sources,
                new_sources=[dict(s) for s in fields.pop("new_sources", [])],
                tags=fields.pop("tags", []),
                perpetrator_sources=attributing,
                **{k: ("" if v is None else v) for k, v in fields.items()},
            )
            if extra_errors:
                raise DjangoValidationError(extra_errors)
            code, result = answer(saved)
            if fingerprint is not None:
                fingerprint.status_code, fingerprint.response = code, result
                fingerprint.save(update_fields=["status_code", "response"])
    except DjangoValidationError as exc:
        errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        # The service names a typed-in source "sources.N.<field>" (the web form's words); here
        # `sources` are the ids cited and the typed-in ones are `new_sources`.
        errors = {
            f"new_{field}" if field.startswith("sources.") else field: messages
            for field, messages in errors.items()
        }
        errors.update(extra_errors)
        for field, messages in not_yet.items():
            errors.setdefault(field, messages)
        raise Refused(400, _error_body(_django_errors(DjangoValidationError(errors)))) from exc
    except NotPermitted as exc:
        raise Refused(
            403,
            _error_body(
                [{"code": "permission_denied", "detail": exc.message, "attr": None}],
                kind="client_error",
            ),
        ) from exc
    except ActionRefused as exc:
        if extra_errors:  # a source it may not cite, say, leaves none: say what it sent wrong
            raise Refused(
                400, _error_body(_django_errors(DjangoValidationError(extra_errors)))
            ) from exc
        raise Refused(
            422,
            _error_body(
                [{"code": exc.code, "detail": exc.message, "attr": None}], kind="client_error"
            ),
        ) from exc
    return code, result


def refuse_zawgyi(fields: dict, *, confirmed: bool) -> None:
    """Refused (400, each field named) when Burmese text looks like Zawgyi, unless the client
    confirmed it is right as it is: the web form asks the partner, the API cannot."""
    found = find_zawgyi(
        fields,
        figures=fields.get("figures") or (),
        sources=fields.get("new_sources") or (),
        tags=fields.get("tags") or (),
        sources_key="new_sources",
    )
    if found and not confirmed:
        raise Refused(
            400,
            _error_body(
                [{"code": "zawgyi", "detail": ZAWGYI_MESSAGE, "attr": attr} for attr in found]
            ),
        )


def answer(saved: services.Saved) -> tuple[int, dict]:
    """The report's id and status, and the public ids of the sources it added, in the order of
    `new_sources`: the ids to cite them by in later reports (their only ids outside moderation)."""
    report = saved.report
    result = {
        "id": report.pk,
        "status": report.status,
        "replayed": saved.replayed,
        "new_sources": list(saved.new_source_ids),
    }
    return (200 if saved.replayed else 201), result


def process(client, actor, data) -> tuple[int, dict]:
    """The answer to one request's body: a single report, or {"reports": [...]}."""
    if isinstance(data, dict) and "reports" in data:
        bulk = BulkIn(data=data)
        if not bulk.is_valid():
            return 400, _error_body(flatten_errors(bulk.errors))
        results, counts = [], {"created": 0, "existing": 0, "failed": 0}
        for index, item in enumerate(bulk.validated_data["reports"]):
            try:
                code, result = save_item(client, actor, item)
            except Refused as refused:
                counts["failed"] += 1
                results.append(
                    {"index": index, "result": "failed", "errors": refused.body["errors"]}
                )
            else:
                counts["created" if code == 201 else "existing"] += 1
                results.append(
                    {"index": index, "result": "created" if code == 201 else "existing", **result}
                )
        return 200, {**counts, "results": results}
    if not isinstance(data, dict):
        return 400, _error_body(
            [
                {
                    "code": "invalid",
                    "detail": 'Send a JSON object: one report, or {"reports": [...]}.',
                    "attr": None,
                }
            ]
        )
    try:
        return save_item(client, actor, data)
    except Refused as refused:
        return refused.status_code, refused.body


def refuse_nul_characters(data) -> None:
    """400 for a NUL character in the body; in a bulk body only outside the reports, each
    of which is refused on its own (see save_item)."""
    if isinstance(data, dict) and isinstance(data.get("reports"), list):
        data = {key: value for key, value in data.items() if key != "reports"}
    where = nul_characters_at(data)
    if where is not None:
        raise exceptions.ValidationError({where or "non_field_errors": [NUL_MESSAGE]})


def body_hash(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class SubmissionsView(APIView):
    permission_classes = [HasSubmitScope]
    parser_classes = [DepthLimitedJSONParser]

    @extend_schema(
        operation_id="submissions_create",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Any 1-255 printable characters: the same key with the same body "
                "replays the first answer; with another body, 409.",
            )
        ],
        request=PolymorphicProxySerializer(
            component_name="SubmissionOrBulk",
            serializers=[SubmissionIn, BulkIn],
            resource_type_field_name=None,
        ),
        responses={code: OpenApiTypes.OBJECT for code in (200, 201, 400, 403, 409, 413, 422)},
    )
    def post(self, request):
        read_body(request)
        data = request.data
        refuse_nul_characters(data)
        actor, client = request.user, request.auth
        key = request.headers.get("Idempotency-Key")
        if key is None:
            with transaction.atomic():
                code, body = process(client, actor, data)
            return Response(body, status=code)
        if not IDEMPOTENCY_KEY.match(key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": ["1 to 255 printable characters, no spaces."]}
            )
        digest = body_hash(data)
        earlier = ApiIdempotencyKey.objects.filter(client=client, key=key).first()
        if earlier is None:
            try:
                with transaction.atomic():
                    # Taken first: a second request with this key waits here on PostgreSQL
                    # until this one commits, then replays its answer.
                    record = ApiIdempotencyKey.objects.create(
                        client=client, key=key, body_hash=digest, status_code=0, response={}
                    )
                    code, body = process(client, actor, data)
                    record.status_code, record.response = code, body
                    record.save(update_fields=["status_code", "response"])
                return Response(body, status=code)
            except IntegrityError:
                earlier = ApiIdempotencyKey.objects.filter(client=client, key=key).first()
                if earlier is None:
                    raise
        if earlier.body_hash != digest:
            raise IdempotencyConflict(
                f"The Idempotency-Key {key!r} was already used on "
                f"{earlier.created_at:%Y-%m-%d %H:%M} UTC with a different body. "
                "Use a new key for a new request."
            )
        return Response(
            earlier.response, status=earlier.status_code, headers={"Idempotent-Replayed": "true"}
        )
