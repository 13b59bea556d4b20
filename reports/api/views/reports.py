"""GET /api/v1/reports/: approved reports, served from the public records reports.publication
keeps (JSON as stored; CSV, HXL and GeoJSON parsed from them)."""

import json

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from reports import exports, selectors
from reports.api import filters, pagination, serializers
from reports.api.renderers import (
    CSVRenderer,
    DocumentJSONRenderer,
    Documents,
    GeoJSONRenderer,
    HXLRenderer,
    feature,
)
from reports.exports.tables import document_rows
from reports.vocabulary import Metric

from .base import (
    CSV_RESPONSE,
    FORMAT_PARAMETER,
    FORMATS_NOTE,
    GEOJSON_RESPONSE,
    HXL_MEDIA_TYPE,
    ApiMixin,
    rows_of,
)

REPORT_EXAMPLE = {
    "id": 42,
    "title": "Residents flee Loikaw",
    "start_date": "2023-11-11",
    "end_date": "2023-11-13",
    "date_precision": "day",
    "place": {
        "pcode": "MMR002001701",
        "admin_level": 4,
        "kind": "Town",
        "name": "Loikaw Town",
        "name_local": "လွိုင်ကော်",
    },
    "latitude": 19.67424,
    "longitude": 97.20993,
    "location_precision": "place",
    "cause": "ground_assault",
    "cause_name": "Ground assault or armed clash",
    "tags": ["Operation 1111"],
    "public_summary": "About 35,000 residents left the town.",
    "event": {"id": 7, "name": "Displacement from Loikaw, November 2023"},
    "figures": [
        {
            "id": 90,
            "metric": "newly_displaced",
            "metric_name": "People newly displaced",
            "measure": "flow",
            "qualifier": "approximately",
            "value": 35000,
            "value_min": None,
            "value_max": None,
            "unit": "people",
            "household_size": None,
            "count_low": 35000,
            "count_best": 35000,
            "count_high": 35000,
            "women": None,
            "men": None,
            "girls": None,
            "boys": None,
            "as_reported": "approximately 35,000 people",
        }
    ],
    "sources": [
        {
            "id": None,
            "source_type": "local_cso",
            "label": "confidential local source",
            "is_confidential": True,
            "conflict_of_interest": False,
            "name": None,
            "title": None,
            "url": None,
            "published_on": None,
            "language": None,
        }
    ],
    "approved_at": "2023-11-14T09:30:00+06:30",
    "updated_at": "2023-11-14T09:30:00+06:30",
}

REPORT_CSV_COLUMNS = [c for c in exports.REPORT_COLUMNS if c.name != "counted"]


ALL_METRICS = frozenset(Metric.values)


def reportrows_of(reports: list[dict]) -> list[list]:
    """One row per figure, in the columns of the web download's reports list (without
    "counted", which belongs to a question, not to a report): the same rows, written by the
    same function."""
    return [row for report in reports for row in document_rows(report, ALL_METRICS, None)]


@extend_schema_view(
    list=extend_schema(
        summary="Approved reports",
        description=(
            "Approved reports in their public shape, oldest change first (cursor pages in the "
            "order updated_at, id). To keep a mirror: remember when you started, fetch "
            "`?updated_since=<last start>` page by page, then `/retractions/?updated_since=` "
            "and drop those ids. " + FORMATS_NOTE
        ),
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): serializers.ReportSerializer(many=True),
            (200, "text/csv"): CSV_RESPONSE,
            (200, HXL_MEDIA_TYPE): CSV_RESPONSE,
            (200, "application/geo+json"): GEOJSON_RESPONSE,
        },
        examples=[
            OpenApiExample("A report", value=REPORT_EXAMPLE, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="One approved report",
        description="404 if there is no approved report with this id (a retracted one "
        "included: see /retractions/). " + FORMATS_NOTE,
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): serializers.ReportSerializer,
            (200, "text/csv"): CSV_RESPONSE,
            (200, HXL_MEDIA_TYPE): CSV_RESPONSE,
            (200, "application/geo+json"): GEOJSON_RESPONSE,
        },
        examples=[OpenApiExample("A report", value=REPORT_EXAMPLE, response_only=True)],
    ),
)
class ReportViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """Served from the public records kept by reports.publication: a page is one indexed
    query and its documents joined as they are stored (JSON), or parsed for CSV and GeoJSON."""

    serializer_class = serializers.ReportSerializer
    filterset_class = filters.ReportFilter
    pagination_class = pagination.StableCursorPagination
    renderer_classes = [DocumentJSONRenderer, CSVRenderer, HXLRenderer, GeoJSONRenderer]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return selectors.public_records().values("report_id", "changed_at", "document")

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            # The same answer whether the report is a draft, rejected, retracted or absent.
            raise exceptions.NotFound(
                f"There is no approved report #{self.kwargs['pk']}."
            ) from None

    def filter_queryset(self, queryset):
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)

    def _documents(self, rows):
        documents = [row["document"] for row in rows]
        if isinstance(self.request.accepted_renderer, DocumentJSONRenderer):
            return Documents(documents)
        return [json.loads(document) for document in documents]

    def as_table(self, data) -> exports.Table:
        return exports.Table("reports", REPORT_CSV_COLUMNS, reportrows_of(rows_of(data)))

    def as_features(self, data) -> list[dict]:
        features = []
        for report in rows_of(data):
            properties = {k: v for k, v in report.items() if k not in ("latitude", "longitude")}
            features.append(feature(report["latitude"], report["longitude"], properties))
        return features

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._documents(page))

    def retrieve(self, request, *args, **kwargs):
        data = self._documents([self.get_object()])
        return Response(data if isinstance(data, Documents) else data[0])
