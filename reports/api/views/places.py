"""GET /api/v1/places/: the gazetteer's places, by P-code."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import renderers, viewsets

from gazetteer.models import Place
from reports.api import filters, pagination, serializers
from reports.api.renderers import CSVRenderer, GeoJSONRenderer, feature

from .base import ApiMixin, plain_table, rows_of

PLACE_EXAMPLE = {
    "pcode": "MMR002001701",
    "admin_level": 4,
    "kind": "Town",
    "name": "Loikaw Town",
    "name_en": "Loikaw Town",
    "name_local": "လွိုင်ကော်",
    "parent": "MMR002001",
    "path": "/MMR/MMR002/MMR002D001/MMR002001/MMR002001701/",
    "latitude": 19.67424,
    "longitude": 97.20993,
}
PLACE_COLUMNS = list(PLACE_EXAMPLE)


@extend_schema_view(
    list=extend_schema(
        summary="Places of the gazetteer",
        description="MIMU P-codes with their admin level, names in English and Burmese, parent "
        "and point, in gazetteer order. `q` searches names in either script and P-codes. "
        "Formats: JSON, CSV, GeoJSON.",
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "geojson"]),
        ],
        examples=[OpenApiExample("A town", value=PLACE_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One place, by P-code",
        description="404 if the gazetteer has no such P-code. Formats: JSON, CSV, GeoJSON.",
    ),
)
class PlaceViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PlaceSerializer
    filterset_class = filters.PlaceFilter
    pagination_class = pagination.PlaceCursorPagination
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, GeoJSONRenderer]
    queryset = Place.objects.select_related("parent")
    lookup_field = "pcode"
    lookup_value_regex = r"[A-Za-z0-9_-]{1,32}"

    def filter_queryset(self, queryset):
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    def as_table(self, data):
        return plain_table("places", rows_of(data), PLACE_COLUMNS)

    def as_features(self, data):
        return [
            feature(p["latitude"], p["longitude"], {k: p[k] for k in PLACE_COLUMNS[:-2]})
            for p in rows_of(data)
        ]
