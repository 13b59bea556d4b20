"""GET /api/v1/aggregates/: the counting engine's totals by area and period, as on the
dashboard and in its downloads."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, renderers
from rest_framework.response import Response

from reports import aggregates, exports
from reports.api import serializers
from reports.api.renderers import CSVRenderer, GeoJSONRenderer, HXLRenderer

from .base import (
    CSV_RESPONSE,
    FORMAT_PARAMETER,
    FORMATS_NOTE,
    GEOJSON_RESPONSE,
    HXL_MEDIA_TYPE,
    ApiMixin,
)

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
        "perpetrator",
        OpenApiTypes.STR,
        description="Count only reports alleging this perpetrator: a party's slug or id "
        "(/api/v1/parties/), `unknown`, or `none` (no perpetrator stated).",
    ),
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
        "destination",
        OpenApiTypes.STR,
        description="Only figures whose destination (where people went) is within this P-code; "
        "`none`: only figures that give no destination (docs/counting.md).",
    ),
    OpenApiParameter(
        "by",
        OpenApiTypes.STR,
        enum=["origin", "destination"],
        description="`destination`: break the totals down by where people went, not by the "
        "report's place (destinations outside the area by state, then destination unknown).",
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
            "The counting engine's answer, as on the dashboard (docs/counting.md): "
            "each event once per metric, flows summed, stocks as the latest figure with its date "
            "(and whether it is stale), best estimate with a low-high range (no high, "
            '`high_open`, when it rests on an "at least" figure), its qualifier, and the '
            "events, reports and sources behind it. Flow figures reaching outside the period "
            "asked are listed in `beyond` (not in the totals); those longer than one period of "
            "the series in `longer` (in the total, in no period row). "
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
                            "metric": "killed",
                            "best": 12,
                            "low": 10,
                            "high": None,
                            "high_open": True,
                            "approximate": False,
                            "at_most": False,
                            "qualifier": "at_least",
                            "events": 3,
                            "reports": 5,
                            "sources": 4,
                            "as_of_oldest": None,
                            "as_of_newest": None,
                            "stale": False,
                        }
                    },
                    "by_area": [],
                    "by_period": [],
                    "beyond": {
                        "killed": [
                            {
                                "metric": "killed",
                                "event": None,
                                "name": "Civilians killed in Kayah since February 2021",
                                "report": 101,
                                "start": "2021-02-01",
                                "end": "2023-12-31",
                                "area": {"pcode": "MMR002", "name": "Kayah"},
                                "counted": {
                                    "metric": "killed",
                                    "best": 480,
                                    "low": 480,
                                    "high": 480,
                                    "high_open": False,
                                    "approximate": False,
                                    "at_most": False,
                                    "qualifier": "exact",
                                    "events": 1,
                                    "reports": 1,
                                    "sources": 1,
                                    "as_of_oldest": None,
                                    "as_of_newest": None,
                                    "stale": False,
                                },
                                "adds": {
                                    "metric": "killed",
                                    "best": 468,
                                    "low": 465,
                                    "high": 470,
                                    "high_open": False,
                                    "approximate": False,
                                    "at_most": False,
                                    "qualifier": "exact",
                                    "events": 1,
                                    "reports": 1,
                                    "sources": 1,
                                    "as_of_oldest": None,
                                    "as_of_newest": None,
                                    "stale": False,
                                },
                            }
                        ]
                    },
                    "longer": {"killed": []},
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

    def _site(self) -> str:
        return self.request.build_absolute_uri("/").rstrip("/")

    def as_table(self, data) -> exports.Table:
        if self.table == "periods":
            return exports.periods_table(self.answer, site=self._site())
        hxl = isinstance(self.request.accepted_renderer, HXLRenderer)
        # As the download: the HXL file leaves the total row out (HXL tools sum the rows).
        return exports.areas_table(self.answer, with_total=not hxl, site=self._site())

    def as_features(self, data) -> list[dict]:
        """The download's GeoJSON features (exports.area_features) of the same answer."""
        return exports.area_features(self.answer, site=self._site())
