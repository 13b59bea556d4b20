"""The fixed vocabularies of DOMAIN.md: metrics (with stock/flow), causes, source types, units."""

from django.db import models


class Measure(models.TextChoices):
    """How a metric behaves over time: flows are summed, stocks are never summed over time."""

    FLOW = "flow", "Flow"
    STOCK = "stock", "Stock"


class Subject(models.TextChoices):
    PEOPLE = "people", "People"
    STRUCTURES = "structures", "Buildings"


class Metric(models.TextChoices):
    NEWLY_DISPLACED = "newly_displaced", "People newly displaced"
    CURRENTLY_DISPLACED = "currently_displaced", "People currently displaced"
    RETURNED = "returned", "People returned"
    KILLED = "killed", "Civilians killed"
    INJURED = "injured", "Civilians injured"
    DETAINED = "detained", "Civilians detained or abducted"
    HOMES_DESTROYED = "homes_destroyed", "Homes destroyed"
    RELIGIOUS_BUILDINGS_DAMAGED = "religious_buildings_damaged", "Religious buildings damaged"
    HEALTH_FACILITIES_DAMAGED = "health_facilities_damaged", "Health facilities damaged"
    SCHOOLS_DAMAGED = "schools_damaged", "Schools damaged"


MEASURE = {metric: Measure.FLOW for metric in Metric} | {
    Metric.CURRENTLY_DISPLACED: Measure.STOCK,
}
SUBJECT = {metric: Subject.PEOPLE for metric in Metric} | {
    Metric.HOMES_DESTROYED: Subject.STRUCTURES,
    Metric.RELIGIOUS_BUILDINGS_DAMAGED: Subject.STRUCTURES,
    Metric.HEALTH_FACILITIES_DAMAGED: Subject.STRUCTURES,
    Metric.SCHOOLS_DAMAGED: Subject.STRUCTURES,
}


class Qualifier(models.TextChoices):
    EXACT = "exact", "Exactly"
    APPROXIMATELY = "approximately", "Approximately"
    AT_LEAST = "at_least", "At least"
    AT_MOST = "at_most", "At most"
    RANGE = "range", "Between (range)"


class Unit(models.TextChoices):
    PEOPLE = "people", "People"
    HOUSEHOLDS = "households", "Households"
    STRUCTURES = "structures", "Buildings"


UNITS_FOR_SUBJECT = {
    Subject.PEOPLE: {Unit.PEOPLE, Unit.HOUSEHOLDS},
    Subject.STRUCTURES: {Unit.STRUCTURES},
}


class Cause(models.TextChoices):
    AIRSTRIKE = "airstrike", "Airstrike"
    DRONE_STRIKE = "drone_strike", "Drone strike"
    ARTILLERY = "artillery", "Artillery or shelling"
    GROUND_ASSAULT = "ground_assault", "Ground assault or armed clash"
    ARSON = "arson", "Arson"
    LANDMINE = "landmine", "Landmine or explosive remnant"
    RAID = "raid", "Raid"
    FORCED_EVICTION = "forced_eviction", "Forced eviction"
    ARBITRARY_ARREST = "arbitrary_arrest", "Arbitrary arrest"
    OTHER = "other", "Other"


class SourceType(models.TextChoices):
    NEWS_MEDIA = "news_media", "News media"
    UN_INGO = "un_ingo", "UN or international NGO"
    LOCAL_CSO = "local_cso", "Local civil society or monitor"
    PARTY_TO_CONFLICT = "party_to_conflict", "Party to the conflict"
    GOVERNMENT = "government", "Government"
    FIELD_OBSERVATION = "field_observation", "Direct observation by a field partner"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class LocationPrecision(models.TextChoices):
    """How well the report is located: only to its place, or at a point."""

    PLACE = "place", "Only to the place (admin unit)"
    APPROXIMATE = "approximate", "Approximate point (within a few km)"
    EXACT = "exact", "Exact point"
