"""GET /api/v1/sources/: the sources approved reports cite, in their public shape."""

from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, renderers

from reports.api import filters, pagination, serializers
from reports.api.renderers import CSVRenderer
from reports.models import Report, Source
from reports.workflow import Status

from .base import ApiMixin, plain_table, rows_of

SOURCE_COLUMNS = list(serializers.PublicSourceSerializer.Meta.fields)


@extend_schema_view(
    get=extend_schema(
        summary="Sources cited by approved reports",
        description="Only sources some approved report cites. A confidential source appears "
        "by its type label only: id, name, title, URL, date and language are null. "
        "Formats: JSON, CSV.",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        examples=[
            OpenApiExample(
                "A news article",
                value={
                    "id": 3,
                    "source_type": "news_media",
                    "label": "The Irrawaddy, 13 Nov 2023: Karenni Armed Group Seizes Seven "
                    "Myanmar Junta Bases Since Saturday",
                    "is_confidential": False,
                    "conflict_of_interest": False,
                    "name": "The Irrawaddy",
                    "title": "Karenni Armed Group Seizes Seven Myanmar Junta Bases Since Saturday",
                    "url": "https://www.irrawaddy.com/",
                    "published_on": "2023-11-13",
                    "language": "en",
                },
                response_only=True,
            )
        ],
    ),
)
class SourceList(ApiMixin, generics.ListAPIView):
    serializer_class = serializers.PublicSourceSerializer
    filterset_class = filters.SourceFilter
    pagination_class = pagination.IdCursorPagination
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def get_queryset(self):
        through = Report.sources.through
        cited = through.objects.filter(source_id=OuterRef("pk"), report__status=Status.APPROVED)
        return Source.objects.filter(Exists(cited))

    def as_table(self, data):
        return plain_table("sources", rows_of(data), SOURCE_COLUMNS)
