"""The partner API, versioned under /api/v1/; the OpenAPI schema and its docs beside it."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import schema  # noqa: F401 - registers the API key scheme with drf-spectacular
from .views import NotFoundView

urlpatterns = [
    path("v1/", include("reports.api.urls_read")),
    path("v1/", include("reports.api.urls_write")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: an unknown path under /api/ answers in the API's error shape.
    re_path(r"^", NotFoundView.as_view(), name="api-not-found"),
]
