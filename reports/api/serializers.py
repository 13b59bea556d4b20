"""The API's response shapes. A public record (report, figure, source) is built once, by
reports.publication: the serializers for it only describe it in the OpenAPI schema."""

from django.utils.crypto import salted_hmac
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gazetteer.models import Place
from reports import publication
from reports.models import ContextEvent, Event, Figure, Report, ReportHistory, Source
from reports.vocabulary import Metric, SourceType


class PlaceSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="pcode", read_only=True, allow_null=True)
    name = serializers.CharField(source="english_name", read_only=True)

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
    name = serializers.CharField(source="english_name", read_only=True)

    class Meta:
        model = Place
        fields = ["pcode", "admin_level", "kind", "name", "name_local"]


def shown_as(schema: dict) -> serializers.ReadOnlyField:
    """A read-only field described in the schema by `schema`; its value is
    reports.publication's (these serializers never build a public record)."""
    field_class = type("PublicValueField", (serializers.ReadOnlyField,), {})
    return extend_schema_field(schema)(field_class)()


class OwnSourceSerializer(serializers.ModelSerializer):
    """A source the client's organisation added, in full (its confidential ones too): what it
    needs to cite it again by id in a submission's `sources`."""

    id = serializers.IntegerField(
        source="public_id",
        read_only=True,
        help_text="The source's public id, as a submission's `sources` take it (never the "
        "database's count).",
    )
    source_type = serializers.ChoiceField(choices=SourceType.choices, read_only=True)
    # Left blank: null, as the public sources' fields are (an empty string is no address).
    title = shown_as({"type": "string", "nullable": True})
    url = shown_as({"type": "string", "format": "uri", "nullable": True})
    language = shown_as({"type": "string", "nullable": True})

    class Meta:
        model = Source
        fields = [
            "id",
            "source_type",
            "is_confidential",
            "name",
            "title",
            "url",
            "published_on",
            "language",
        ]
        read_only_fields = fields

    def to_representation(self, source):
        data = super().to_representation(source)
        for key in ("title", "url", "language"):
            data[key] = data[key] or None
        return data


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
    alleged_perpetrator = shown_as(
        {
            "type": "object",
            "description": "An allegation, with the sources that make it. `code`: a party's "
            "slug (/api/v1/parties/), `unknown` (the sources say it is not known) or null (not "
            "stated). `sources`: the report's sources attributing it, in their public shape, "
            "`claim` `self` for a party's claim about itself, `party` for a claim by a party to "
            "the conflict, `` otherwise.",
            "properties": {
                "code": {"type": "string", "nullable": True},
                "party": {"type": "object", "nullable": True},
                "sources": {"type": "array", "items": {"type": "object"}},
            },
        }
    )

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
            "alleged_perpetrator",
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


class ContextEventSerializer(serializers.ModelSerializer):
    """An operation or offensive beside the numbers; its sources in their public shape
    (a confidential one by its type only)."""

    area = PlaceInReportSerializer(read_only=True)
    sources = serializers.SerializerMethodField(
        help_text="Public sources by date, then confidential ones by their type label only."
    )
    page = serializers.SerializerMethodField(help_text="Its public page on the dashboard.")

    class Meta:
        model = ContextEvent
        fields = [
            "id",
            "name",
            "kind",
            "start_date",
            "end_date",
            "area",
            "description",
            "sources",
            "page",
        ]

    @extend_schema_field(PublicSourceSerializer(many=True))
    def get_sources(self, event) -> list[dict]:
        from reports import selectors

        return [publication.source_data(s) for s in selectors.sources_in_public_order(event)]

    def get_page(self, event) -> str:
        from django.urls import reverse

        return reverse("dashboard:context_event", args=[event.pk])


def retraction_id(history_id: int) -> str:
    """A retraction's own id: a keyed hash of its history row's id, the same at every request
    (a mirror can tell a retraction it has seen), but neither that row's id nor how many
    moderation actions came between two retractions can be read from it."""
    return salted_hmac("reports.api.retraction", str(history_id), algorithm="sha256").hexdigest()[
        :32
    ]


class RetractionSerializer(serializers.ModelSerializer):
    id = serializers.SerializerMethodField(
        help_text="The retraction's own opaque id (32 hexadecimal digits), stable across "
        "requests: not the id of anything else."
    )
    report_id = serializers.IntegerField(read_only=True)
    retracted_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ReportHistory
        fields = ["id", "report_id", "retracted_at"]

    def get_id(self, entry) -> str:
        return retraction_id(entry.pk)


# --- aggregates ---------------------------------------------------------------------------------
# The engine's Answer in JSON (reports.aggregates.results). A Total never drops what qualifies it
# (DOMAIN.md rules 4 and 7): "high" is null when the total rests on an "at least" figure, and a
# stock says the dates of the figures standing and whether one of them is stale.

QUALIFIERS = [
    ("at_least", 'at least: rests on an "at least" figure, there is no finite high'),
    ("at_most", 'at most: rests on an "at most" figure, the best is an upper bound'),
    ("approximately", 'approximately: rests on an "approximately" figure'),
    ("exact", "exact"),
]


def total_data(total) -> dict:
    """One Total as the API, the downloads' JSON and the tests read it."""
    return {
        "metric": total.metric,
        "best": total.best,
        "low": total.low,
        "high": None if total.high_open else total.high,
        "high_open": total.high_open,
        "approximate": total.approximate,
        "at_most": total.at_most,
        "qualifier": total.qualifier,
        "events": total.events,
        "reports": total.reports,
        "sources": total.sources,
        "as_of_oldest": _day(total.as_of_oldest),
        "as_of_newest": _day(total.as_of_newest),
        "stale": total.stale,
    }


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


class TotalSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    best = serializers.IntegerField(help_text="Best estimate (never rounded).")
    low = serializers.IntegerField(
        help_text="Sum over the events counted of the lowest figure their approved reports give "
        '(an "at most" figure: 0), never above `best` (where covering figures overlap, the '
        "range is read around the best: docs/counting.md, rule 5)."
    )
    high = serializers.IntegerField(
        allow_null=True,
        help_text="Sum over the events counted of the highest figure their approved reports "
        "give, never below `best`; null when `high_open` (the total has no finite high).",
    )
    high_open = serializers.BooleanField(
        help_text='The total rests on an "at least" figure: it is a lower bound, with no high.'
    )
    approximate = serializers.BooleanField(
        help_text='The total rests on an "approximately" figure.'
    )
    at_most = serializers.BooleanField(
        help_text='The total rests on an "at most" figure: its best is an upper bound (unless '
        'it also rests on an "at least" one: then it has none).'
    )
    qualifier = serializers.ChoiceField(
        choices=QUALIFIERS,
        help_text="How the total reads: at_least (high_open), at_most, approximately, or exact.",
    )
    events = serializers.IntegerField(help_text="Events counted.")
    reports = serializers.IntegerField(help_text="Approved reports behind them.")
    sources = serializers.IntegerField(help_text="Distinct sources those reports cite.")
    as_of_oldest = serializers.DateField(
        allow_null=True,
        help_text="Stocks: the date of the oldest figure standing at the period's end (null for "
        "flows and when nothing stands).",
    )
    as_of_newest = serializers.DateField(
        allow_null=True, help_text="Stocks: the date of the newest figure standing."
    )
    stale = serializers.BooleanField(
        help_text="Stocks: a figure standing is older than the deployment's staleness limit at "
        "the period's end, so the total is not current (always false for flows)."
    )

    def to_representation(self, total):
        return total_data(total)


def _totals(totals: dict, metrics) -> dict:
    return {m: total_data(totals[m]) for m in metrics}


class SpanningAreaSerializer(serializers.Serializer):
    pcode = serializers.CharField()
    name = serializers.CharField()


class SpanningFigureSerializer(serializers.Serializer):
    """A flow figure on its own line (DOMAIN.md rule 3): reaching outside the period asked
    ("beyond", not in the totals), or longer than one period of the series ("longer", in the
    total but in no period row)."""

    metric = serializers.ChoiceField(choices=Metric.choices)
    event = serializers.IntegerField(
        allow_null=True, help_text="The event's id (null: the report is its own event)."
    )
    name = serializers.CharField(help_text="The event's name, or the report's title.")
    report = serializers.IntegerField(
        help_text="The report whose figure is counted: the evidence (/api/v1/reports/{id}/)."
    )
    start = serializers.DateField(help_text="First day of the figure's span.")
    end = serializers.DateField(help_text="Last day of the figure's span (inclusive).")
    area = SpanningAreaSerializer(help_text="The figure's place.")
    counted = TotalSerializer(help_text="The figure itself, with its event's range.")
    adds = TotalSerializer(
        help_text="What it adds beyond the figures it covers (rule 5), never below zero."
    )

    def to_representation(self, figure):
        return spanning_data(figure)


def spanning_data(figure) -> dict:
    return {
        "metric": figure.metric,
        "event": figure.event_id,
        "name": figure.name,
        "report": figure.report_id,
        "start": figure.start.isoformat(),
        "end": figure.end.isoformat(),
        "area": {"pcode": figure.pcode, "name": figure.place_name},
        "counted": total_data(figure.counted),
        "adds": total_data(figure.adds),
    }


def _spanning(by_metric: dict, metrics) -> dict:
    return {m: [spanning_data(f) for f in by_metric.get(m, ())] for m in metrics}


class AreaRowSerializer(serializers.Serializer):
    pcode = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    unspecified = serializers.BooleanField()
    where = serializers.CharField(
        help_text='By destination (by=destination): "outside" (a destination outside the area, '
        'by its state or region), "unknown" (figures that give no destination), else "".'
    )
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
    beyond = serializers.DictField(
        child=serializers.ListField(child=SpanningFigureSerializer()),
        help_text="Per metric asked (an empty list when none): flow figures overlapping the "
        'period asked but reaching outside it, shown beside the total as "spanning beyond"; '
        "they are NOT in the totals. Newest first.",
    )
    longer = serializers.DictField(
        child=serializers.ListField(child=SpanningFigureSerializer()),
        help_text="Per metric asked (an empty list when none): flow figures counted in the total "
        "but longer than one period of the series, so in no period row. The period rows plus "
        "these figures' `adds` make the total. Newest first.",
    )


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
                "where": row.where,
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
        "beyond": _spanning(answer.beyond, metrics),
        "longer": _spanning(answer.longer, metrics),
    }
