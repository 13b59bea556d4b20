"""The fixed vocabularies of docs/domain.md: metrics (each a stock or a flow), qualifiers, units,
causes, source types, and how precise a date or a location is."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    """How a metric behaves over time: flows are summed, stocks are never summed over time."""

    FLOW = "flow", _("Flow")
    STOCK = "stock", _("Stock")


class Subject(models.TextChoices):
    PEOPLE = "people", _("People")
    STRUCTURES = "structures", _("Buildings")


class Metric(models.TextChoices):
    NEWLY_DISPLACED = "newly_displaced", _("People newly displaced")
    CURRENTLY_DISPLACED = "currently_displaced", _("People currently displaced")
    RETURNED = "returned", _("People returned")
    KILLED = "killed", _("Civilians killed")
    INJURED = "injured", _("Civilians injured")
    DETAINED = "detained", _("Civilians detained or abducted")
    HOMES_DESTROYED = "homes_destroyed", _("Homes destroyed")
    RELIGIOUS_BUILDINGS_DAMAGED = "religious_buildings_damaged", _("Religious buildings damaged")
    HEALTH_FACILITIES_DAMAGED = "health_facilities_damaged", _("Health facilities damaged")
    SCHOOLS_DAMAGED = "schools_damaged", _("Schools damaged")


MEASURE = {metric: Measure.FLOW for metric in Metric} | {
    Metric.CURRENTLY_DISPLACED: Measure.STOCK,
}
# Figures that may say where people went (Figure.destination). "Returned" does not: the
# report's place is where people returned to.
DESTINATION_METRICS = frozenset({Metric.NEWLY_DISPLACED, Metric.CURRENTLY_DISPLACED})

# Harm to civilians (killed, injured, detained or abducted) and to the objects international
# humanitarian law protects, in the order the IHL view and the briefing's key messages ask.
HARM_METRICS = (
    Metric.KILLED,
    Metric.INJURED,
    Metric.DETAINED,
    Metric.HOMES_DESTROYED,
    Metric.HEALTH_FACILITIES_DAMAGED,
    Metric.SCHOOLS_DAMAGED,
    Metric.RELIGIOUS_BUILDINGS_DAMAGED,
)

SUBJECT = {metric: Subject.PEOPLE for metric in Metric} | {
    Metric.HOMES_DESTROYED: Subject.STRUCTURES,
    Metric.RELIGIOUS_BUILDINGS_DAMAGED: Subject.STRUCTURES,
    Metric.HEALTH_FACILITIES_DAMAGED: Subject.STRUCTURES,
    Metric.SCHOOLS_DAMAGED: Subject.STRUCTURES,
}


class Qualifier(models.TextChoices):
    EXACT = "exact", _("Exactly")
    APPROXIMATELY = "approximately", _("Approximately")
    AT_LEAST = "at_least", _("At least")
    AT_MOST = "at_most", _("At most")
    RANGE = "range", _("Between (range)")


class Unit(models.TextChoices):
    PEOPLE = "people", _("People")
    HOUSEHOLDS = "households", _("Households")
    STRUCTURES = "structures", _("Buildings")


UNITS_FOR_SUBJECT = {
    Subject.PEOPLE: {Unit.PEOPLE, Unit.HOUSEHOLDS},
    Subject.STRUCTURES: {Unit.STRUCTURES},
}


class Cause(models.TextChoices):
    AIRSTRIKE = "airstrike", _("Airstrike")
    DRONE_STRIKE = "drone_strike", _("Drone strike")
    ARTILLERY = "artillery", _("Artillery or shelling")
    GROUND_ASSAULT = "ground_assault", _("Ground assault or armed clash")
    ARSON = "arson", _("Arson")
    LANDMINE = "landmine", _("Landmine or explosive remnant")
    RAID = "raid", _("Raid")
    FORCED_EVICTION = "forced_eviction", _("Forced eviction")
    ARBITRARY_ARREST = "arbitrary_arrest", _("Arbitrary arrest")
    OTHER = "other", _("Other")


class SourceType(models.TextChoices):
    NEWS_MEDIA = "news_media", _("News media")
    UN_INGO = "un_ingo", _("UN or international NGO")
    LOCAL_CSO = "local_cso", _("Local civil society or monitor")
    PARTY_TO_CONFLICT = "party_to_conflict", _("Party to the conflict")
    GOVERNMENT = "government", _("Government")
    FIELD_OBSERVATION = "field_observation", _("Direct observation by a field partner")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class LocationPrecision(models.TextChoices):
    """How well the report is located: only to its place, or at a point."""

    PLACE = "place", _("Only to the place (admin unit)")
    APPROXIMATE = "approximate", _("Approximate point (within a few km)")
    EXACT = "exact", _("Exact point")
