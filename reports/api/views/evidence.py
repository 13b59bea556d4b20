"""Evidence through the API (submit scope): a file in one multipart request, or the resumable
chunked protocol for slow connections (docs/evidence.md). Files go to the client's own
organisation's reports; what is checked and kept is reports.services.evidence."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import selectors
from reports.api.auth import HasSubmitScope
from reports.api.parsers import DepthLimitedJSONParser
from reports.models import EvidenceChannel, Report
from reports.services import evidence as services
from reports.views.evidence import evidence_state, upload_state

PROTOCOL = """\
The resumable protocol, for files on slow or dropping connections:
1. `POST /api/v1/evidence/uploads/` with `{"report": id, "size": bytes, "name": "..."}`:
   201 with the upload's `id` and `offset` 0 (unfinished uploads expire after
   TRACKER_EVIDENCE_UPLOAD_HOURS).
2. `PATCH /api/v1/evidence/uploads/{id}/` with the next piece as the raw body
   (`Content-Type: application/octet-stream`, at most `chunk_bytes`) and its position
   in the `Upload-Offset` header: 200 with the new `offset`. A piece for another offset is
   refused with 409 and the server's `offset`.
3. After a drop, `GET /api/v1/evidence/uploads/{id}/` says how many bytes arrived: send
   from there.
4. `POST /api/v1/evidence/uploads/{id}/finish/` with `{"sha256": "<64 hex digits>"}`: the
   server checks that every byte arrived, that their SHA-256 is the one sent and that the
   content is an accepted type, and keeps the file (201). A mismatch or a refused type
   deletes the upload: nothing partial is kept. Finishing again gives the same answer."""


class EvidenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    report = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["image", "pdf", "audio", "video"])
    content_type = serializers.CharField(help_text="Detected from the content, not the name.")
    size = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="SHA-256 of the file as received, in hex.")
    received_at = serializers.DateTimeField()


class UploadOut(serializers.Serializer):
    id = serializers.UUIDField()
    offset = serializers.IntegerField(help_text="Bytes received so far: send from here.")
    size = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    chunk_bytes = serializers.IntegerField(required=False, help_text="Largest piece accepted.")


class UploadIn(serializers.Serializer):
    report = serializers.IntegerField(help_text="A report of your organisation.")
    size = serializers.IntegerField(min_value=1, help_text="The whole file's size in bytes.")
    name = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class FinishIn(serializers.Serializer):
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="The file's SHA-256.")


class FileIn(serializers.Serializer):
    report = serializers.IntegerField()
    file = serializers.FileField()


def _moment(value) -> str:
    return serializers.DateTimeField().to_representation(value)


# The same fields as the pages' uploader reads, with times as the rest of the API writes them.
def _evidence(evidence) -> dict:
    return evidence_state(evidence) | {"received_at": _moment(evidence.received_at)}


def _upload(upload) -> dict:
    return upload_state(upload) | {"expires_at": _moment(upload.expires_at)}


def _report(request, value) -> Report:
    """A report of the client's organisation; any other id answers as one that does not
    exist."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({"report": ["A report id."]}) from None
    report = selectors.reports_of_own_organization(request.user).filter(pk=pk).first()
    if report is None or report.organization_id != request.auth.organization_id:
        raise exceptions.ValidationError({"report": [f"No report #{pk} of your organisation."]})
    return report


class _Private(APIView):
    permission_classes = [HasSubmitScope]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def _found(self, request, upload_id):
        upload = services.upload_of(request.user, upload_id)
        if upload is None:
            raise exceptions.NotFound("No such upload, or it has expired.")
        return upload


class EvidenceFileView(_Private):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="evidence_create",
        summary="Attach a file to a report in one request",
        description="A photo (JPEG, PNG, WebP, HEIC), PDF, audio or video file, checked by its "
        "content, up to TRACKER_EVIDENCE_MAX_BYTES. For large files on slow connections use "
        "the resumable uploads.\n\n" + PROTOCOL,
        request={"multipart/form-data": FileIn},
        responses={
            201: EvidenceOut,
            400: OpenApiResponse(description="A field is wrong (named by `attr`)."),
            403: OpenApiResponse(description="No submit scope, or the report is closed."),
        },
    )
    def post(self, request):
        report = _report(request, request.data.get("report"))
        file = request.FILES.get("file")
        if file is None:
            raise exceptions.ValidationError({"file": ["Send the file as the part 'file'."]})
        checked = services.check_file(file, field="file")
        [evidence] = services.evidence_attach(
            report=report, actor=request.user, files=[checked], channel=EvidenceChannel.API
        )
        return Response(_evidence(evidence), status=201)


class UploadCreateView(_Private):
    parser_classes = [DepthLimitedJSONParser]

    @extend_schema(
        operation_id="evidence_uploads_create",
        summary="Start a resumable upload",
        description=PROTOCOL,
        request=UploadIn,
        responses={201: UploadOut, 400: OpenApiResponse(description="A field is wrong.")},
    )
    def post(self, request):
        data = UploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = _report(request, data.validated_data["report"])
        upload = services.upload_start(
            report=report,
            actor=request.user,
            size=data.validated_data["size"],
            name=data.validated_data.get("name", ""),
            channel=EvidenceChannel.API,
        )
        body = _upload(upload) | {"chunk_bytes": settings.TRACKER_EVIDENCE_CHUNK_BYTES}
        return Response(body, status=201)


class UploadView(_Private):
    @extend_schema(
        operation_id="evidence_uploads_retrieve",
        summary="How much of an upload arrived",
        responses={200: UploadOut, 404: OpenApiResponse(description="Unknown or expired.")},
    )
    def get(self, request, upload_id):
        return Response(_upload(self._found(request, upload_id)))

    @extend_schema(
        operation_id="evidence_uploads_append",
        summary="Send the next piece of an upload",
        parameters=[
            OpenApiParameter(
                "Upload-Offset",
                int,
                OpenApiParameter.HEADER,
                required=True,
                description="Where this piece starts: the server's current offset.",
            )
        ],
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={
            200: UploadOut,
            400: OpenApiResponse(description="Empty, too large, or past the announced size."),
            404: OpenApiResponse(description="Unknown or expired upload."),
            409: OpenApiResponse(description="Another offset than the server's (in `offset`)."),
        },
    )
    def patch(self, request, upload_id):
        upload = self._found(request, upload_id)
        try:
            data = request._request.body
        except RequestDataTooBig:
            raise exceptions.ValidationError(
                {"chunk": [f"At most {settings.TRACKER_EVIDENCE_CHUNK_BYTES} bytes a piece."]}
            ) from None
        try:
            offset = services.upload_append(
                upload=upload,
                actor=request.user,
                offset=request.headers.get("Upload-Offset"),
                data=data,
            )
        except services.OffsetMismatch as exc:
            body = {
                "type": "client_error",
                "errors": [{"code": exc.code, "detail": exc.message, "attr": "Upload-Offset"}],
                "offset": exc.offset,
            }
            return Response(body, status=409, headers={"Upload-Offset": str(exc.offset)})
        upload.received = offset
        return Response(_upload(upload), headers={"Upload-Offset": str(offset)})


class UploadFinishView(_Private):
    parser_classes = [DepthLimitedJSONParser]

    @extend_schema(
        operation_id="evidence_uploads_finish",
        summary="Finish an upload: check its size, SHA-256 and type, and keep it",
        request=FinishIn,
        responses={
            201: EvidenceOut,
            400: OpenApiResponse(description="SHA-256 mismatch or refused type: discarded."),
            404: OpenApiResponse(description="Unknown or expired upload."),
            422: OpenApiResponse(description="Not every byte has arrived yet."),
        },
    )
    def post(self, request, upload_id):
        upload = self._found(request, upload_id)
        data = FinishIn(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.upload_finish(
            upload=upload, actor=request.user, sha256=data.validated_data["sha256"]
        )
        return Response(_evidence(evidence), status=201)
