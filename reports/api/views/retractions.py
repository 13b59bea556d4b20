"""GET /api/v1/retractions/: the feed of reports withdrawn from public data, for mirrors."""

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
from reports.models import ReportHistory
from reports.workflow import Action

from .base import ApiMixin, plain_table, rows_of


class RetractionFilterSet(filters.django_filters.FilterSet):
    updated_since = filters.UtcIsoDateTimeFilter(
        field_name="created_at",
        lookup_expr="gte",
        help_text="Retractions at or after this time (ISO 8601 with a time zone).",
    )

    class Meta:
        model = ReportHistory
        fields: list[str] = []


@extend_schema_view(
    get=extend_schema(
        summary="Reports withdrawn from public data",
        description="Each retraction once: its own opaque id (stable, for de-duplicating), "
        "the report's id and when it was withdrawn, oldest first. Retraction is final (a "
        "retracted report never returns). Formats: JSON, CSV.",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        examples=[
            OpenApiExample(
                "A retraction",
                value={
                    "id": "5f0c7e1a9b2d4c63a8e1f0b7d2c94e16",
                    "report_id": 42,
                    "retracted_at": "2023-12-02T10:00:00+06:30",
                },
                response_only=True,
            )
        ],
    ),
)
class RetractionList(ApiMixin, generics.ListAPIView):
    serializer_class = serializers.RetractionSerializer
    filterset_class = RetractionFilterSet
    pagination_class = pagination.RetractionCursorPagination
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def get_queryset(self):
        return ReportHistory.objects.filter(action=Action.RETRACT).only(
            "id", "report_id", "created_at"
        )

    def as_table(self, data):
        return plain_table("retractions", rows_of(data), ["id", "report_id", "retracted_at"])
