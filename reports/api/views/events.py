"""GET /api/v1/events/: events with at least one approved report, and those reports' ids."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import renderers, viewsets

from reports import selectors
from reports.api import filters, pagination, serializers
from reports.api.renderers import CSVRenderer
from reports.models import Report
from reports.workflow import Status

from .base import ApiMixin, plain_table, rows_of


@extend_schema_view(
    list=extend_schema(
        summary="Events",
        description="Events with at least one approved report, and the ids of those reports. "
        "A report linked to no event is its own event. Formats: JSON, CSV.",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        examples=[
            OpenApiExample(
                "An event",
                value={"id": 7, "name": "Displacement from Loikaw", "report_ids": [42, 43]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One event", description="404 unless it has approved reports. Formats: JSON, CSV."
    ),
)
class EventViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter
    pagination_class = pagination.IdCursorPagination
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        approved = Report.objects.filter(status=Status.APPROVED).only("id", "event_id")
        return (
            selectors.public_events()
            .only("id", "name")
            .prefetch_related(Prefetch("reports", queryset=approved, to_attr="approved"))
        )

    def filter_queryset(self, queryset):
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    def as_table(self, data):
        return plain_table("events", rows_of(data), ["id", "name", "report_ids"])
