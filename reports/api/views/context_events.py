"""GET /api/v1/context-events/: the operations and offensives moderators keep beside the
numbers (the dashboard draws them on its time series), read-only."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import renderers, viewsets

from reports import selectors
from reports.api import filters, pagination, serializers

from .base import ApiMixin


@extend_schema_view(
    list=extend_schema(
        summary="Context events",
        description="Operations and offensives with their dates, area and sources (confidential "
        "ones by type only), oldest id first. Context only: no figure is counted in one.",
        examples=[
            OpenApiExample(
                "An operation",
                value={
                    "id": 3,
                    "name": "Operation 1111",
                    "kind": "operation",
                    "start_date": "2023-11-11",
                    "end_date": "2023-11-21",
                    "area": {
                        "pcode": "MMR002001",
                        "admin_level": 3,
                        "kind": "Township",
                        "name": "Loikaw Township",
                        "name_local": "လွိုင်ကော်",
                    },
                    "description": "",
                    "sources": [],
                    "page": "/dashboard/context/3/",
                },
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One context event"),
)
class ContextEventViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ContextEventSerializer
    filterset_class = filters.ContextEventFilter
    pagination_class = pagination.IdCursorPagination
    renderer_classes = [renderers.JSONRenderer]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.public_context_events()

    def filter_queryset(self, queryset):
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)
