"""The partner API, versioned under /api/v1/; the OpenAPI schema and its docs beside it."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from intake import api as intake_api
from reports.middleware import recorded_as
from reports.models import AccessKind

from . import (
    kobo,
    schema,  # noqa: F401 - registers the API key scheme with drf-spectacular
    views,
)
from .views import evidence
from .views import exports as export_views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="api-report")
router.register("events", views.EventViewSet, basename="api-event")
router.register("places", views.PlaceViewSet, basename="api-place")
router.register("context-events", views.ContextEventViewSet, basename="api-context-event")

# What the public and API clients with the read scope may fetch.
read_urlpatterns = [
    *router.urls,
    path("sources/", views.SourceList.as_view(), name="api-source-list"),
    path("parties/", views.PartyList.as_view(), name="api-party-list"),
    path("retractions/", views.RetractionList.as_view(), name="api-retraction-list"),
    path("aggregates/", views.AggregateView.as_view(), name="api-aggregates"),
    # The mirror file (docs/api.md, docs/exports.md).
    path("exports/", export_views.ExportListView.as_view(), name="api-exports"),
    path("exports/<uuid:job_id>/", export_views.ExportView.as_view(), name="api-export"),
    path(
        "exports/<uuid:job_id>/file/",
        export_views.ExportFileView.as_view(),
        name="api-export-file",
    ),
]

# Reports pushed in by API clients with the submit scope, and by KoboToolbox.
write_urlpatterns = [
    path("submissions/", views.SubmissionsView.as_view(), name="api-submissions"),
    # Informants' names leave the tracker here: each request is in the access record
    # (reports.middleware.RecordAccess), under the client's user.
    path(
        "submissions/sources/",
        recorded_as(AccessKind.DOWNLOAD)(views.OwnSourceList.as_view()),
        name="api-own-sources",
    ),
    path("ingest/kobo/<str:token>/", kobo.KoboIngestView.as_view(), name="api-kobo-ingest"),
    path("intake/extract/", intake_api.ExtractView.as_view(), name="api-intake-extract"),
    # Evidence files (docs/evidence.md): one request, or the resumable protocol.
    path("evidence/", evidence.EvidenceFileView.as_view(), name="api-evidence"),
    path("evidence/uploads/", evidence.UploadCreateView.as_view(), name="api-evidence-uploads"),
    path(
        "evidence/uploads/<uuid:upload_id>/",
        evidence.UploadView.as_view(),
        name="api-evidence-upload",
    ),
    path(
        "evidence/uploads/<uuid:upload_id>/finish/",
        evidence.UploadFinishView.as_view(),
        name="api-evidence-upload-finish",
    ),
]

urlpatterns = [
    path("v1/", include(read_urlpatterns)),
    path("v1/", include(write_urlpatterns)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # GET and HEAD only: its template renderer has no page to answer OPTIONS with (a 500).
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    # Last: an unknown path under /api/ answers in the API's error shape.
    re_path(r"^", views.NotFoundView.as_view(), name="api-not-found"),
]
