"""What every read endpoint of the partner API shares: content negotiation (JSON, CSV, HXL,
GeoJSON), errors in one JSON shape, and the 404 for any other path under /api/."""

import re

from django.urls import Resolver404, resolve
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, renderers
from rest_framework.negotiation import DefaultContentNegotiation

from reports import exports
from reports.api import filters
from reports.api.auth import HasReadScope
from reports.api.renderers import HXLRenderer

FORMATS_NOTE = (
    "Formats: JSON (default), CSV, HXL-tagged CSV and GeoJSON where listed, chosen with the "
    "Accept header (application/json, text/csv, text/csv; hxl=true, application/geo+json) or "
    "?format=json|csv|hxl|geojson."
)


HXL_ACCEPTED = re.compile(r"text/csv\s*;[^,]*\bhxl=(true|1|yes)\b", re.IGNORECASE)
HXL_MEDIA_TYPE = "text/csv; hxl=true"


class Negotiation(DefaultContentNegotiation):
    """HXL is CSV with a hashtag row: asked for with ?format=hxl or "Accept: text/csv;
    hxl=true", and answered as "text/csv; hxl=true". An unknown ?format= is a 406 naming the
    formats, not DRF's bare 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        hxl = next((r for r in renderers if isinstance(r, HXLRenderer)), None)
        asked = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if (
            hxl is not None
            and not asked
            and HXL_ACCEPTED.search(request.META.get("HTTP_ACCEPT", ""))
        ):
            return hxl, HXL_MEDIA_TYPE
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if isinstance(renderer, HXLRenderer):
            media_type = HXL_MEDIA_TYPE
        return renderer, media_type

    def filter_renderers(self, renderers, format):
        chosen = [r for r in renderers if r.format == format]
        if not chosen:
            offered = ", ".join(r.format for r in renderers)
            raise exceptions.NotAcceptable(
                f"Unknown format {format[:20]!r}; this endpoint offers: {offered}."
            )
        return chosen


class ApiMixin:
    # Approved data in their public shape, as on the public dashboard: anyone the anonymous
    # rate lets in (TRACKER_API_ANON_RATE=off asks for a key), or a key with the read scope.
    permission_classes = [HasReadScope]
    content_negotiation_class = Negotiation
    filter_backends = [filters.StrictFilterBackend]
    # No OPTIONS self-description: the OpenAPI schema at /api/schema/ is the description.
    metadata_class = None

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are always answered in the one JSON shape, whatever format was asked.
        if response.status_code >= 400:
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def rows_of(data) -> list[dict]:
    if isinstance(data, dict) and "results" in data:
        return data["results"]
    return [data] if isinstance(data, dict) else list(data)


def plain_table(kind: str, rows: list[dict], columns: list[str]) -> exports.Table:
    """A CSV table of flat records; lists become "; "-separated text."""

    def cell(value):
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return "" if value is None else value

    return exports.Table(
        kind,
        [exports.Column(name, "", "") for name in columns],
        [[cell(row.get(name)) for name in columns] for row in rows],
    )


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "hxl", "geojson"],
    description="Response format, instead of the Accept header.",
)
CSV_RESPONSE = OpenApiResponse(
    OpenApiTypes.STR, description="CSV: one header row (HXL: a second row of hashtags)."
)
# The shape is set by reports.api.schema.describe_read_parameters (not paginated).
GEOJSON_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection of the same records."
)


@extend_schema(exclude=True)
class NotFoundView(ApiMixin, generics.GenericAPIView):
    """Any other path under /api/: a 404 in the API's error shape, not an HTML page."""

    permission_classes: list = []
    filter_backends: list = []

    def initial(self, request, *args, **kwargs):
        path = request.path
        try:
            resolve(path + "/")
        except Resolver404:
            pass
        else:
            if not path.endswith("/") and resolve(path + "/").url_name != "api-not-found":
                raise exceptions.NotFound(f"Add a trailing slash: {path[:200]}/")
        raise exceptions.NotFound(f"There is no API endpoint at {path[:200]}; see /api/docs/.")
