"""/api/v1/exports/: the mirror file, every approved report in one file (CSV, HXL-tagged CSV or
JSON lines), made by the same export jobs as the dashboard's large downloads (docs/exports.md,
docs/api.md). Ask with POST, poll the job, fetch its file; then keep the mirror up to date with
`/reports/?updated_since=` and `/retractions/?updated_since=` from the job's `updated_since`."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.api.auth import HasReadScope, client_of
from reports.exports import files
from reports.models import ExportJob, ExportStatus
from reports.selectors import exports as export_selectors
from reports.services import exports as export_services

from .base import ApiMixin


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=sorted(files.MIRROR_FORMATS),
        help_text="csv (the API's CSV columns, one row per figure), hxl (the same, HXL-tagged) "
        "or jsonl (one report a line, exactly as GET /reports/{id}/ gives it).",
    )


class ExportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    format = serializers.CharField()
    status = serializers.ChoiceField(choices=ExportStatus.values)
    rows_done = serializers.IntegerField(help_text="Reports written so far.")
    rows_total = serializers.IntegerField(allow_null=True, help_text="Reports to write.")
    error = serializers.CharField(help_text="Why it failed (blank otherwise).")
    url = serializers.CharField(help_text="This job's status.")
    file_url = serializers.CharField(allow_null=True, help_text="The file, once done.")
    size = serializers.IntegerField(allow_null=True, help_text="The file's size in bytes.")
    updated_since = serializers.DateTimeField(
        allow_null=True,
        help_text="When the file's data was read: pass it as updated_since to /reports/ and "
        "/retractions/ to fetch what changed after.",
    )
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


FORMAT_OF = {name: fmt for fmt, name in files.MIRROR_FORMATS.items()}


def _asker(request):
    client = client_of(request)
    if client is not None:
        return export_selectors.asker_of_client(client)
    if request.user and request.user.is_authenticated:
        return export_selectors.Asker(user_id=request.user.pk)
    raise exceptions.NotAuthenticated(
        "The mirror file needs an API key with the read scope: 'Authorization: Api-Key <key>'."
    )


def job_data(request, job: ExportJob) -> dict:
    done = job.status == ExportStatus.DONE
    return {
        "id": job.pk,
        "format": FORMAT_OF.get(job.name, job.name),
        "status": job.status,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "error": job.error,
        "url": request.build_absolute_uri(reverse("api-export", args=[job.pk])),
        "file_url": request.build_absolute_uri(reverse("api-export-file", args=[job.pk]))
        if done
        else None,
        "size": job.size if done else None,
        "updated_since": (job.reused_from.started_at if job.reused_from else job.started_at)
        if done
        else None,
        "created_at": job.created_at,
        "expires_at": job.expires_at,
    }


def _visible(request, job_id) -> ExportJob:
    job = export_selectors.visible_job(_asker(request), job_id)
    if job is None or not export_services.is_mirror(job.name):
        raise exceptions.NotFound("There is no export job with this id for this API key.")
    return job


class ExportListView(ApiMixin, APIView):
    permission_classes = [HasReadScope]
    filter_backends: list = []

    @extend_schema(
        summary="Ask for the mirror file",
        description=(
            "Every approved report in one file, made in the background: the answer (202) is "
            "the job; poll its `url` until `status` is done, then fetch `file_url` (kept "
            "TRACKER_EXPORT_KEEP_HOURS, 24 by default). Asked again while the data has not "
            "changed, the same file is given at once. Needs an API key with the read scope; "
            "a job is seen only by the key that asked."
        ),
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer, 200: ExportJobSerializer},
    )
    def post(self, request):
        asker = _asker(request)
        asked = ExportRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        job = export_services.request_export(
            asker=asker, name=files.MIRROR_FORMATS[asked.validated_data["format"]]
        )
        code = status.HTTP_200_OK if job.status == ExportStatus.DONE else status.HTTP_202_ACCEPTED
        return Response(job_data(request, job), status=code)


class ExportView(ApiMixin, APIView):
    permission_classes = [HasReadScope]
    filter_backends: list = []

    @extend_schema(
        summary="An export job",
        description="Its status and, once done, its file's address.",
        responses={200: ExportJobSerializer},
    )
    def get(self, request, job_id):
        return Response(job_data(request, _visible(request, job_id)))


class ExportFileView(ApiMixin, APIView):
    permission_classes = [HasReadScope]
    filter_backends: list = []

    @extend_schema(
        summary="An export job's file",
        description="404 until the job is done, and after the file expired.",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            (200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR),
        },
    )
    def get(self, request, job_id):
        job = _visible(request, job_id)
        path = export_services.export_root() / job.file_path
        if job.status != ExportStatus.DONE or not job.file_path or not path.is_file():
            raise exceptions.NotFound("This export has no file (not ready, failed or expired).")
        content_type = (
            "application/jsonl; charset=utf-8"
            if path.suffix == ".jsonl"
            else "text/csv; charset=utf-8"
        )
        return FileResponse(
            path.open("rb"), as_attachment=True, filename=job.file_name, content_type=content_type
        )
