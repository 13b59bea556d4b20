"""Filters of the read API (django-filter). Each list accepts only its own parameters: an
unknown one is answered 400 naming it, so a typo never silently returns everything."""

import datetime

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from gazetteer.models import AdminLevel, Place
from reports.aggregates.facets import perpetrator_condition
from reports.aggregates.question import read_perpetrator
from reports.forms.fields import DayFilter
from reports.models import ContextEvent, Event, Figure, PublicReport, Report
from reports.vocabulary import Cause, Metric, SourceType
from reports.workflow import Status

# Parameters every list understands besides its filters.
PAGING = frozenset({"cursor", "page_size", "format"})


def _clean_text(value: str) -> str:
    # PostgreSQL refuses a NUL in text; no name or code contains one.
    if "\x00" in value:
        raise ValidationError("A NUL character is not allowed here.")
    return value.strip()


class CommaMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    def to_python(self, value):
        return [v.strip() for raw in super().to_python(value) for v in raw.split(",") if v.strip()]


class CommaMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """?metric=killed&metric=injured or ?metric=killed,injured, as the dashboard reads it."""

    field_class = CommaMultipleChoiceField


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time, sent to the database in UTC: PostgreSQL refuses offsets beyond
    ±15:59 that Python accepts (-22:36), and a time near year 1 or 9999 may not convert."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise DjangoValidationError(
                "Enter a time between the years 1 and 9999.", code="invalid"
            ) from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing parameters the list does not know."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        self._refuse_unknown(request, view, filterset_class)
        if filterset_class is None or not set(request.query_params) & set(
            filterset_class.base_filters
        ):
            # No filter asked for: nothing to validate or apply, and building the filter
            # form was a fifth of an unfiltered page's time.
            return queryset
        return super().filter_queryset(request, queryset, view)

    def _refuse_unknown(self, request, view, filterset_class):
        known = set(PAGING) | set(getattr(view, "extra_parameters", ()))
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError(
                {
                    name[:60]: [
                        f"Unknown parameter; this list accepts: {', '.join(sorted(known))}."
                    ]
                    for name in unknown
                }
            )


def _place(pcode: str) -> Place:
    pcode = _clean_text(pcode)
    place = Place.objects.filter(pcode=pcode).only("pk", "path", "admin_level").first()
    if place is None:
        raise ValidationError({"area": [f"Unknown area code {pcode[:40]!r}."]})
    return place


class ReportFilter(django_filters.FilterSet):
    """Filters over the approved reports' public records (reports.PublicReport, whose pk is
    the report's id)."""

    start = DayFilter(
        method="filter_start",
        help_text="Reports whose dates reach this day or later (YYYY-MM-DD): with `end`, the "
        "reports whose dates overlap the period.",
    )
    end = DayFilter(
        method="filter_end", help_text="Reports that began on or before this day (YYYY-MM-DD)."
    )
    area = django_filters.CharFilter(
        method="filter_area",
        help_text="P-code of a place at any admin level: reports there or anywhere beneath it.",
    )
    admin_level = django_filters.TypedChoiceFilter(
        field_name="report__place__admin_level",
        choices=AdminLevel.choices,
        coerce=int,
        help_text="Only reports placed at this admin level (0 country ... 4 town/village tract).",
    )
    metric = CommaMultipleChoiceFilter(
        choices=Metric.choices,
        method="filter_metric",
        help_text="Reports with a figure of this metric; repeat it for any of several.",
    )
    cause = django_filters.ChoiceFilter(
        field_name="report__cause", choices=Cause.choices, help_text="Cause or means."
    )
    tag = django_filters.CharFilter(
        method="filter_tag", max_length=100, help_text="A free tag (case-insensitive)."
    )
    source_type = django_filters.ChoiceFilter(
        choices=SourceType.choices,
        method="filter_source_type",
        help_text="Reports citing at least one source of this type.",
    )
    event = django_filters.NumberFilter(
        field_name="report__event_id",
        min_value=1,
        max_value=2**62,
        help_text="Reports of this event (id).",
    )
    perpetrator = django_filters.CharFilter(
        method="filter_perpetrator",
        max_length=60,
        help_text="Reports alleging this perpetrator: a party's slug (/api/v1/parties/) or "
        "`unknown`.",
    )
    updated_since = UtcIsoDateTimeFilter(
        field_name="changed_at",
        lookup_expr="gte",
        help_text="Reports whose public record changed at or after this time (ISO 8601, with "
        "a time zone): approved, edited, or a source, event, tag or place they show renamed. "
        "For syncing; pair it with /retractions/?updated_since= for reports withdrawn.",
    )

    class Meta:
        model = PublicReport
        fields: list[str] = []

    def filter_start(self, qs, name, value):
        last_day = Coalesce("report__end_date", "report__start_date")
        return qs.alias(last_day=last_day).filter(last_day__gte=value)

    def filter_end(self, qs, name, value):
        return qs.filter(report__start_date__lte=value)

    def filter_area(self, qs, name, value):
        return qs.filter(report__place__path__startswith=_place(value).path)

    def filter_metric(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Exists(Figure.objects.filter(report=OuterRef("pk"), metric__in=value)))

    def filter_tag(self, qs, name, value):
        value = " ".join(_clean_text(value).split())
        # As the counting engine reads a tag (aggregates/from_base_tables.py).
        return qs.filter(pk__in=Report.objects.filter(tags__name__iexact=value).values("pk"))

    def filter_source_type(self, qs, name, value):
        through = Report.sources.through
        return qs.filter(
            Exists(through.objects.filter(report_id=OuterRef("pk"), source__source_type=value))
        )

    def filter_perpetrator(self, qs, name, value):
        # As the counting engine reads it (aggregates/question.py), with the same message.
        errors: dict[str, str] = {}
        asked = read_perpetrator(_clean_text(value), errors)
        if errors:
            raise ValidationError(errors)
        return qs.filter(perpetrator_condition(asked, "report__"))


class PlaceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text="Part of the English or Burmese name, or the start of a P-code.",
    )
    admin_level = django_filters.TypedChoiceFilter(
        choices=AdminLevel.choices, coerce=int, help_text="Admin level (0 ... 4)."
    )
    area = django_filters.CharFilter(
        method="filter_area", help_text="P-code: this place and everything beneath it."
    )
    parent = django_filters.CharFilter(
        field_name="parent__pcode", help_text="P-code of the parent: its direct children."
    )

    class Meta:
        model = Place
        fields: list[str] = []

    def filter_q(self, qs, name, value):
        value = _clean_text(value)
        if not value:
            return qs
        return qs.filter(
            Q(name_en__icontains=value)
            | Q(name_local__icontains=value)
            | Q(pcode__istartswith=value)
        )

    def filter_area(self, qs, name, value):
        return qs.filter(path__startswith=_place(value).path)


class SourceFilter(django_filters.FilterSet):
    # The sources list pages over citations (reports.api.views.sources), not over sources.
    source_type = django_filters.ChoiceFilter(
        field_name="source__source_type", choices=SourceType.choices, help_text="Type."
    )

    class Meta:
        model = Report.sources.through
        fields: list[str] = []


class EventFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(
        method="filter_area",
        help_text="P-code: events with an approved report there or beneath it.",
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_area(self, qs, name, value):
        path = _place(value).path
        return qs.filter(
            Exists(
                Report.objects.filter(
                    event=OuterRef("pk"), status=Status.APPROVED, place__path__startswith=path
                )
            )
        )


class ContextEventFilter(django_filters.FilterSet):
    """Context events beside a question, chosen exactly as the dashboard's charts choose them
    (selectors.context_events_for): overlapping the dates, with an area containing the one
    asked or within it."""

    area = django_filters.CharFilter(
        help_text="P-code: events whose area contains this place or lies within it."
    )
    start = DayFilter(help_text="Events ending on or after this day (YYYY-MM-DD).")
    end = DayFilter(help_text="Events starting on or before this day (YYYY-MM-DD).")

    class Meta:
        model = ContextEvent
        fields: list[str] = []

    def filter_queryset(self, queryset):
        from reports import selectors

        asked = self.form.cleaned_data
        area = _place(asked["area"]) if asked.get("area") else None
        chosen = selectors.context_events_for(area, asked.get("start"), asked.get("end"))
        return queryset.filter(pk__in=chosen.values("pk"))
