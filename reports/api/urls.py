"""The partner API, versioned under /api/v1/; the OpenAPI schema and its docs beside it."""

from django.urls import include, path

urlpatterns = [
    path("v1/", include("reports.api.urls_read")),
    path("v1/", include("reports.api.urls_write")),
]
