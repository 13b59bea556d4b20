"""The API's response shapes. A public record (report, figure, source) is built once, by
reports.publication: the serializers for it only describe it in the OpenAPI schema."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gazetteer.models import Place
from reports import publication
from reports.models import Event, Figure, Report, ReportHistory, Source
from reports.vocabulary import Metric, SourceType


class PlaceSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="pcode", read_only=True, allow_null=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Place
        fields = [
            "pcode",
            "admin_level",
            "kind",
            "name",
            "name_en",
            "name_local",
            "parent",
            "path",
            "latitude",
            "longitude",
        ]


class PlaceInReportSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Place
        fields = ["pcode", "admin_level", "kind", "name", "name_local"]


def shown_as(schema: dict) -> serializers.ReadOnlyField:
    """A read-only field described in the schema by `schema`; its value is
    reports.publication's (these serializers never build a public record)."""
    field_class = type("PublicValueField", (serializers.ReadOnlyField,), {})
    return extend_schema_field(schema)(field_class)()


class PublicSourceSerializer(serializers.ModelSerializer):
    """A source as the public may see it: a confidential one by its type label only (its id,
    name, title, URL, date and language are null, so two reports citing the same confidential
    source cannot be matched up)."""

    id = shown_as({"type": "integer", "nullable": True})
    label = serializers.CharField(read_only=True)
    name = shown_as({"type": "string", "nullable": True})
    title = shown_as({"type": "string", "nullable": True})
    url = shown_as({"type": "string", "format": "uri", "nullable": True})
    published_on = shown_as({"type": "string", "format": "date", "nullable": True})
    language = shown_as({"type": "string", "nullable": True})
    source_type = serializers.ChoiceField(choices=SourceType.choices, read_only=True)
    conflict_of_interest = serializers.BooleanField(
        source="has_conflict_of_interest", read_only=True
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "source_type",
            "label",
            "is_confidential",
            "conflict_of_interest",
            "name",
            "title",
            "url",
            "published_on",
            "language",
        ]

    def to_representation(self, source):
        return publication.source_data(source)


class FigureSerializer(serializers.ModelSerializer):
    metric_name = serializers.CharField(read_only=True)
    measure = shown_as({"type": "string", "enum": ["flow", "stock"]})
    as_reported = serializers.CharField(read_only=True)

    class Meta:
        model = Figure
        fields = [
            "id",
            "metric",
            "metric_name",
            "measure",
            "qualifier",
            "value",
            "value_min",
            "value_max",
            "unit",
            "household_size",
            "count_low",
            "count_best",
            "count_high",
            "women",
            "men",
            "girls",
            "boys",
            "as_reported",
        ]

    def to_representation(self, figure):
        return publication.figure_data(figure, {m: str(label) for m, label in Metric.choices})


class EventRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "name"]


class ReportSerializer(serializers.ModelSerializer):
    """Describes a report's public record in the schema; the API serves the documents kept by
    reports.publication, which builds them in this shape."""

    place = PlaceInReportSerializer(read_only=True)
    latitude = shown_as({"type": "number", "nullable": True})
    longitude = shown_as({"type": "number", "nullable": True})
    location_precision = shown_as({"type": "string", "enum": ["place", "approximate", "exact"]})
    cause_name = shown_as({"type": "string", "nullable": True})
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    event = EventRefSerializer(read_only=True, allow_null=True)
    figures = FigureSerializer(many=True, read_only=True)
    sources = PublicSourceSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "title",
            "start_date",
            "end_date",
            "date_precision",
            "place",
            "latitude",
            "longitude",
            "location_precision",
            "cause",
            "cause_name",
            "tags",
            "public_summary",
            "event",
            "figures",
            "sources",
            "approved_at",
            "updated_at",
        ]

    updated_at = serializers.DateTimeField(
        read_only=True,
        help_text="When this public record last changed: approved, edited, or something it "
        "shows (a source, event, tag or place) renamed. What `updated_since` filters on.",
    )

    def to_representation(self, report):
        # Never the raw row (an unreleased point, a confidential source): the public shape.
        return publication.report_data(report)


class EventSerializer(serializers.ModelSerializer):
    report_ids = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "name", "report_ids"]

    def get_report_ids(self, event) -> list[int]:
        """The approved reports of the event (prefetched as `approved`)."""
        return sorted(r.pk for r in event.approved)


class RetractionSerializer(serializers.ModelSerializer):
    report_id = serializers.IntegerField(read_only=True)
    retracted_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ReportHistory
        fields = ["id", "report_id", "retracted_at"]


# --- aggregates ---------------------------------------------------------------------------------


class TotalSerializer(serializers.Serializer):
    best = serializers.IntegerField(help_text="Best estimate (never rounded).")
    low = serializers.IntegerField(help_text="Sum of the lows.")
    high = serializers.IntegerField(help_text="Sum of the highs.")
    events = serializers.IntegerField(help_text="Events counted.")
    reports = serializers.IntegerField(help_text="Approved reports behind them.")
    sources = serializers.IntegerField(help_text="Distinct sources those reports cite.")


def _totals(totals: dict, metrics) -> dict:
    return {m: TotalSerializer(totals[m]).data for m in metrics}


class AreaRowSerializer(serializers.Serializer):
    pcode = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    unspecified = serializers.BooleanField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    totals = serializers.DictField(child=TotalSerializer())


class PeriodRowSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()
    totals = serializers.DictField(child=TotalSerializer())


class AggregateSerializer(serializers.Serializer):
    """The engine's Answer, laid out for JSON."""

    question = serializers.DictField(help_text="The parameters as understood (defaults out).")
    area = PlaceInReportSerializer(allow_null=True)
    metrics = serializers.ListField(child=serializers.ChoiceField(choices=Metric.choices))
    breakdown_level = serializers.IntegerField(allow_null=True)
    totals = serializers.DictField(child=TotalSerializer())
    by_area = AreaRowSerializer(many=True)
    by_period = PeriodRowSerializer(many=True)


def answer_data(answer, breakdown_level) -> dict:
    from reports import aggregates

    metrics = answer.metrics
    return {
        "question": aggregates.question_params(answer.question),
        "area": PlaceInReportSerializer(answer.area).data if answer.area is not None else None,
        "metrics": list(metrics),
        "breakdown_level": breakdown_level,
        "totals": _totals(answer.totals, metrics),
        "by_area": [
            {
                "pcode": row.pcode,
                "name": row.name,
                "unspecified": row.unspecified,
                "latitude": None if row.latitude is None else float(row.latitude),
                "longitude": None if row.longitude is None else float(row.longitude),
                "totals": _totals(row.totals, metrics),
            }
            for row in answer.by_area
        ],
        "by_period": [
            {
                "start": row.start.isoformat(),
                "end": row.end.isoformat(),
                "label": row.label,
                "totals": _totals(row.totals, metrics),
            }
            for row in answer.by_period
        ],
    }
