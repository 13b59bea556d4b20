"""The read side of the partner API: approved reports in their public shape, the events,
places and sources behind them, the feed of retractions, and the counting engine's numbers.
Visibility is the selectors' (reports/selectors.py), numbers are the engine's
(reports.aggregates), file layouts are the downloads' (reports/exports.py)."""

import json
import re

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.urls import Resolver404, resolve
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, renderers, viewsets
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from gazetteer.models import Place
from reports import aggregates, exports, selectors
from reports.models import Event, Report, ReportHistory, Source
from reports.workflow import Action, Status

from . import filters, pagination, serializers
from .auth import HasReadScope
from .renderers import (
    CSVRenderer,
    DocumentJSONRenderer,
    Documents,
    GeoJSONRenderer,
    HXLRenderer,
    feature,
)

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


def _rows(data) -> list[dict]:
    if isinstance(data, dict) and "results" in data:
        return data["results"]
    return [data] if isinstance(data, dict) else list(data)


def _plain_table(kind: str, rows: list[dict], columns: list[str]) -> exports.Table:
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


# --- reports -----------------------------------------------------------------------------------

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


def report_rows(reports: list[dict]) -> list[list]:
    """One row per figure, in the columns of the web download's reports list (without
    "counted", which belongs to a question, not to a report)."""
    rows = []
    for report in reports:
        sources = report["sources"]
        shared = {
            "report_id": report["id"],
            "event_id": report["event"]["id"] if report["event"] else "",
            "event_name": report["event"]["name"] if report["event"] else "",
            "title": report["title"],
            "start_date": report["start_date"],
            "end_date": report["end_date"] or "",
            "date_precision": report["date_precision"],
            "place_pcode": report["place"]["pcode"],
            "place_name": report["place"]["name"],
            "place_type": report["place"]["kind"],
            "latitude": "" if report["latitude"] is None else report["latitude"],
            "longitude": "" if report["longitude"] is None else report["longitude"],
            "cause": report["cause"],
            "cause_name": report["cause_name"] or "",
            "tags": "; ".join(report["tags"]),
            "public_summary": report["public_summary"],
            "sources": "; ".join(s["label"] for s in sources),
            "source_urls": " ".join(s["url"] for s in sources if s["url"]),
            # The local date, as the download writes it (DRF gives local ISO times).
            "approved_at": (report["approved_at"] or "")[:10],
        }
        for figure in report["figures"]:
            row = shared | {
                "metric": figure["metric"],
                "metric_name": figure["metric_name"],
                "measure": figure["measure"],
                "as_reported": figure["as_reported"],
                "count_low": figure["count_low"],
                "count_best": figure["count_best"],
                "count_high": figure["count_high"],
            }
            rows.append([row[c.name] for c in REPORT_CSV_COLUMNS])
    return rows


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
        return exports.Table("reports", REPORT_CSV_COLUMNS, report_rows(_rows(data)))

    def as_features(self, data) -> list[dict]:
        features = []
        for report in _rows(data):
            properties = {k: v for k, v in report.items() if k not in ("latitude", "longitude")}
            features.append(feature(report["latitude"], report["longitude"], properties))
        return features

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._documents(page))

    def retrieve(self, request, *args, **kwargs):
        data = self._documents([self.get_object()])
        return Response(data if isinstance(data, Documents) else data[0])


# --- events, places, sources, retractions -------------------------------------------------------


def _approved_reports_exist(**outer):
    return Exists(Report.objects.filter(status=Status.APPROVED, **outer))


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
            Event.objects.filter(_approved_reports_exist(event=OuterRef("pk")))
            .only("id", "name")
            .prefetch_related(Prefetch("reports", queryset=approved, to_attr="approved"))
        )

    def filter_queryset(self, queryset):
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    def as_table(self, data):
        return _plain_table("events", _rows(data), ["id", "name", "report_ids"])


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
        return _plain_table("places", _rows(data), PLACE_COLUMNS)

    def as_features(self, data):
        return [
            feature(p["latitude"], p["longitude"], {k: p[k] for k in PLACE_COLUMNS[:-2]})
            for p in _rows(data)
        ]


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
        return _plain_table("sources", _rows(data), SOURCE_COLUMNS)


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
        description="Each retraction once: the report's id and when it was withdrawn, oldest "
        "first. Retraction is final (a retracted report never returns). Formats: JSON, CSV.",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        examples=[
            OpenApiExample(
                "A retraction",
                value={"id": 311, "report_id": 42, "retracted_at": "2023-12-02T10:00:00+06:30"},
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
        return _plain_table("retractions", _rows(data), ["id", "report_id", "retracted_at"])


# --- aggregates -----------------------------------------------------------------------------------

QUESTION_PARAMETERS = [
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description="First day (inclusive).",
        examples=[OpenApiExample("Operation 1027", value="2023-10-27")],
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (inclusive; default today)."),
    OpenApiParameter(
        "area",
        OpenApiTypes.STR,
        description="P-code of the area (any level).",
        examples=[OpenApiExample("Kayah State", value="MMR002")],
    ),
    OpenApiParameter(
        "metric",
        OpenApiTypes.STR,
        many=True,
        enum=list(aggregates.question.Metric.values),
        description="Metrics to count (repeat, or comma-separated); default all.",
    ),
    OpenApiParameter(
        "cause",
        OpenApiTypes.STR,
        enum=list(aggregates.question.Cause.values),
        description="Count only reports of this cause or means.",
    ),
    OpenApiParameter("tag", OpenApiTypes.STR, description="Count only reports with this tag."),
    OpenApiParameter(
        "source_type",
        OpenApiTypes.STR,
        enum=list(aggregates.question.SourceType.values),
        description="Count only reports citing a source of this type.",
    ),
    OpenApiParameter("event", OpenApiTypes.INT, description="Count only this event (id)."),
    OpenApiParameter(
        "level",
        OpenApiTypes.INT,
        enum=[1, 2, 3, 4],
        description="Admin level of the area breakdown (default: one below).",
    ),
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        enum=list(aggregates.PERIODS),
        description="Time series step (default chosen from the span).",
    ),
    OpenApiParameter(
        "table",
        OpenApiTypes.STR,
        enum=["areas", "periods"],
        description="For CSV and HXL: the area rows (default) or the time series.",
    ),
    FORMAT_PARAMETER,
]
QUESTION_NAMES = {p.name for p in QUESTION_PARAMETERS}


class AggregateView(ApiMixin, generics.GenericAPIView):
    """The dashboard's numbers (reports.aggregates.answer), same parameters, same totals."""

    serializer_class = serializers.AggregateSerializer
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, HXLRenderer, GeoJSONRenderer]
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        summary="Totals by area and period",
        description=(
            "The counting engine's answer, as on the dashboard (DOMAIN.md counting rules): "
            "each event once per metric, flows summed, stocks as the latest figure, best "
            "estimate with a low-high range and the events, reports and sources behind it. "
            "Never rounded. CSV/HXL/GeoJSON are the dashboard's downloads of the same answer. "
            + FORMATS_NOTE
        ),
        parameters=QUESTION_PARAMETERS,
        responses={
            (200, "application/json"): serializers.AggregateSerializer,
            (200, "text/csv"): CSV_RESPONSE,
            (200, HXL_MEDIA_TYPE): CSV_RESPONSE,
            (200, "application/geo+json"): GEOJSON_RESPONSE,
        },
        examples=[
            OpenApiExample(
                "Killed in Kayah, November 2023",
                value={
                    "question": {
                        "start": "2023-11-01",
                        "end": "2023-11-30",
                        "area": "MMR002",
                        "metric": ["killed"],
                    },
                    "area": {
                        "pcode": "MMR002",
                        "admin_level": 1,
                        "kind": "State",
                        "name": "Kayah",
                        "name_local": "",
                    },
                    "metrics": ["killed"],
                    "breakdown_level": 2,
                    "totals": {
                        "killed": {
                            "best": 12,
                            "low": 10,
                            "high": 15,
                            "events": 3,
                            "reports": 5,
                            "sources": 4,
                        }
                    },
                    "by_area": [],
                    "by_period": [],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        unknown = sorted(set(request.query_params) - QUESTION_NAMES)
        if unknown:
            known = ", ".join(sorted(QUESTION_NAMES))
            raise exceptions.ValidationError(
                {n[:60]: [f"Unknown parameter; this endpoint accepts: {known}."] for n in unknown}
            )
        table = request.query_params.get("table", "areas")
        if table not in ("areas", "periods"):
            raise exceptions.ValidationError({"table": ["Choose areas or periods."]})
        question = aggregates.parse_question(request.query_params)  # QuestionError -> 400
        self.answer = aggregates.answer(question)
        self.table = table
        level = exports.breakdown_level(self.answer)
        return Response(serializers.answer_data(self.answer, level))

    def as_table(self, data) -> exports.Table:
        if self.table == "periods":
            return exports.periods_table(self.answer)
        hxl = isinstance(self.request.accepted_renderer, HXLRenderer)
        # As the download: the HXL file leaves the total row out (HXL tools sum the rows).
        return exports.areas_table(self.answer, with_total=not hxl)

    def as_features(self, data) -> list[dict]:
        """The download's GeoJSON features (exports.geojson_response) of the same answer."""
        table = exports.areas_table(self.answer, with_total=False)
        names = [c.name for c in table.columns]
        features = []
        for row in table.rows:
            properties = dict(zip(names, (exports._cell(v) for v in row), strict=True))
            latitude, longitude = properties.pop("latitude"), properties.pop("longitude")
            features.append(
                feature(latitude if latitude != "" else None, longitude or None, properties)
            )
        return features
