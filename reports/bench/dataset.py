"""The benchmark's synthetic data set, loaded in bulk for `manage.py bench_aggregates`: a
Myanmar-like gazetteer and five years of reports, events and sources (docs/benchmarks.md)."""

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.text import slugify
from taggit.models import Tag

from gazetteer.models import PlaceSearchStamp
from gazetteer.names import place_keys

from ..aggregates.places import LEVELS
from ..aggregates.question import period_start
from ..figures import MAX_VALUE, counts
from ..models import Report
from ..models.core import new_public_id
from ..vocabulary import Cause, Metric, Qualifier, SourceType, Unit
from ..workflow import Status

COUNTRY = "BMM"
STATES, DISTRICTS_PER_STATE, TOWNSHIPS = 15, (4, 5), 330
VILLAGE_TRACTS_PER_TOWNSHIP = 4
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2025, 12, 31)
PLACE_LEVEL_WEIGHTS = {3: 70, 4: 10, 2: 5, 1: 13, 0: 2}
METRIC_WEIGHTS = {
    Metric.NEWLY_DISPLACED: 24,
    Metric.RETURNED: 5,
    Metric.KILLED: 20,
    Metric.INJURED: 14,
    Metric.DETAINED: 7,
    Metric.HOMES_DESTROYED: 10,
    Metric.RELIGIOUS_BUILDINGS_DAMAGED: 3,
    Metric.HEALTH_FACILITIES_DAMAGED: 3,
    Metric.SCHOOLS_DAMAGED: 6,
}
TYPICAL = {
    Metric.NEWLY_DISPLACED: 1500,
    Metric.CURRENTLY_DISPLACED: 6000,
    Metric.RETURNED: 600,
    Metric.KILLED: 3,
    Metric.INJURED: 5,
    Metric.DETAINED: 4,
    Metric.HOMES_DESTROYED: 25,
    Metric.RELIGIOUS_BUILDINGS_DAMAGED: 1,
    Metric.HEALTH_FACILITIES_DAMAGED: 1,
    Metric.SCHOOLS_DAMAGED: 1,
}
PEOPLE = {Metric.NEWLY_DISPLACED, Metric.CURRENTLY_DISPLACED, Metric.RETURNED}
OTHER_STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.REJECTED,
                  Status.RETRACTED]  # fmt: skip
# Operations and themes moderators tag happenings with; a tenth of the tagged reports spell a
# tag in another case (a question by tag matches any case).
TAGS = ("Operation 1027", "Operation 1111", "Airstrike on camp", "Church", "School", "Landmine",
        "Arson", "Forced recruitment", "Blocked aid", "Flood", "Hostage", "Checkpoint")  # fmt: skip
SOURCE_TYPES = (
    [SourceType.NEWS_MEDIA] * 5
    + [SourceType.LOCAL_CSO] * 3
    + [
        SourceType.FIELD_OBSERVATION,
        SourceType.PARTY_TO_CONFLICT,
    ]
)


COLUMNS = {
    "reports_event": ["id", "name", "description", "created_by_id", "created_at"],
    "reports_source": ["id", "source_type", "name", "title", "url", "published_on", "language",
                       "is_confidential", "created_by_id", "created_at", "public_id"],
    "reports_report": ["id", "status", "version", "organization_id", "submitted_by_id", "title",
                       "start_date", "end_date", "date_precision", "place_id", "latitude",
                       "longitude", "location_precision", "point_released", "public_summary",
                       "internal_notes", "cause", "event_id", "created_at", "updated_at",
                       "submitted_at", "approved_at", "perpetrator_unknown"],
    "reports_figure": ["id", "report_id", "metric", "qualifier", "value", "value_min",
                       "value_max", "unit", "household_size", "count_low", "count_best",
                       "count_high", "note"],
    "reports_report_sources": ["report_id", "source_id"],
    "taggit_taggeditem": ["tag_id", "object_id", "content_type_id"],
    "reports_eventreferencefigure": ["event_id", "metric", "figure_id", "chosen_by_id",
                                     "chosen_at"],
}  # fmt: skip


# --- writing rows ------------------------------------------------------------------------------


def insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Many rows into one table: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def _sqlite_value(value):
    """Values as Django stores them in SQLite: naive UTC datetimes and ISO dates as text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def reset_sequences(tables) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) "  # noqa: S608
                f"FROM {table}",
                [table],
            )


# --- the gazetteer -----------------------------------------------------------------------------


@dataclass
class BenchPlace:
    id: int
    pcode: str
    level: int
    parent: "BenchPlace | None"
    path: str

    def ancestor(self, level: int) -> "BenchPlace":
        place = self
        while place.level > level:
            place = place.parent
        return place


def make_gazetteer(rng: random.Random) -> dict[int, list[BenchPlace]]:
    """Places by level, inserted into gazetteer_place."""
    first = next_id("gazetteer_place")
    by_level: dict[int, list[BenchPlace]] = {level: [] for level in LEVELS}
    rows = []

    def add(pcode, level, parent, name, kind):
        place = BenchPlace(first + len(rows), pcode, level, parent,
                           (parent.path if parent else "/") + pcode + "/")  # fmt: skip
        lat = round(rng.uniform(10.0, 28.0), 6) if level >= 3 else None
        lon = round(rng.uniform(92.5, 101.0), 6) if level >= 3 else None
        rows.append((place.id, pcode, level, kind, parent.id if parent else None, place.path,
                     name, "", lat, lon, "4.4" if level == 0 else None, "bench",
                     *place_keys(name, "", kind)))  # fmt: skip
        by_level[level].append(place)
        return place

    country = add(COUNTRY, 0, None, "Benchland", "Country")
    townships_left = TOWNSHIPS
    for s in range(1, STATES + 1):
        state = add(f"{COUNTRY}{s:03d}", 1, country, f"State {s}", "State")
        districts = rng.randint(*DISTRICTS_PER_STATE)
        for d in range(1, districts + 1):
            district = add(f"{state.pcode}D{d:03d}", 2, state, f"District {s}.{d}", "District")
            share = round(townships_left / ((STATES - s) * 4.5 + districts - d + 1))
            for t in range(1, max(1, share) + 1):
                townships_left -= 1
                township = add(f"{district.pcode}T{t:02d}", 3, district, f"Township {s}.{d}.{t}",
                               "Township")  # fmt: skip
                for v in range(1, VILLAGE_TRACTS_PER_TOWNSHIP + 1):
                    add(f"{township.pcode}V{v}", 4, township, f"Village tract {s}.{d}.{t}.{v}",
                        "Village tract")  # fmt: skip
    insert(
        "gazetteer_place",
        [
            "id",
            "pcode",
            "admin_level",
            "kind",
            "parent_id",
            "path",
            "name_en",
            "name_local",
            "latitude",
            "longitude",
            "default_household_size",
            "gazetteer",
            "search_key",
            "search_key_local",
        ],  # fmt: skip
        rows,
    )
    PlaceSearchStamp.renew()  # places written beside the ORM: the place search re-reads them
    return by_level


# --- reports -----------------------------------------------------------------------------------


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _value(rng, metric) -> int:
    return min(MAX_VALUE // 2, max(1, int(rng.lognormvariate(math.log(TYPICAL[metric]), 1.0))))


def _moment(rng, day: date) -> datetime:
    return datetime.combine(day, time(rng.randrange(24), rng.randrange(60), rng.randrange(60)),
                            tzinfo=UTC)  # fmt: skip


def _figure(rng, metric, base):
    value = max(0, int(base * rng.uniform(0.7, 1.3)))
    roll = rng.random()
    unit = Unit.STRUCTURES if metric not in PEOPLE and metric not in {
        Metric.KILLED, Metric.INJURED, Metric.DETAINED} else Unit.PEOPLE  # fmt: skip
    size = None
    if metric in PEOPLE and rng.random() < 0.12:
        unit, size = Unit.HOUSEHOLDS, rng.choice(["4.4", "4.4", "5", "4.8"])
        value = max(1, int(value / float(size)))
    if roll < 0.12:
        low, high = value, value + max(1, int(value * rng.uniform(0.1, 0.6)))
        qualifier, single = Qualifier.RANGE, None
    else:
        qualifier = rng.choices(
            [Qualifier.EXACT, Qualifier.APPROXIMATELY, Qualifier.AT_LEAST, Qualifier.AT_MOST],
            weights=[55, 20, 15, 5],
        )[0]
        low = high = None
        single = value
    c_low, c_best, c_high = counts(qualifier=qualifier, value=single, value_min=low,
                                   value_max=high, unit=unit, household_size=size)  # fmt: skip
    return (metric, qualifier, single, low, high, unit, size, c_low, c_best, c_high)


def _tags() -> dict[str, int]:
    """The benchmark's tags (and their lower-case spellings), by name: their ids."""
    found = {}
    for name in TAGS + tuple(t.lower() for t in TAGS):
        tag = Tag.objects.filter(name=name).first() or Tag.objects.create(
            name=name, slug=f"bench-{slugify(name)}-{'lower' if name.islower() else 'title'}"
        )
        found[name] = tag.pk
    return found


def load(n_reports: int, *, organization_id: int, user_id: int, seed: int = 2023, out=print):
    """Insert the synthetic data set; returns counts of what was written."""
    rng = random.Random(seed)  # noqa: S311 - invented data, not secrets
    places = make_gazetteer(rng)
    states = {p.id: p for p in places[1]}
    tag_ids = _tags()
    report_type = ContentType.objects.get_for_model(Report).pk
    ids = {t: next_id(t) for t in ("reports_report", "reports_figure", "reports_source",
                                   "reports_event")}  # fmt: skip
    report_id, figure_id, source_id, event_id = (ids[t] for t in ids)
    sitreps: dict[tuple[int, date], int] = {}
    written = dict.fromkeys(("reports", "approved", "figures", "approved_figures", "sources",
                             "events", "references"), 0)  # fmt: skip
    reports, figures, sources, citations, events, references = [], [], [], [], [], []
    tagged = []
    days = (LAST_DAY - FIRST_DAY).days
    causes = [""] + list(Cause.values)

    def flush():
        for table, rows in (
            ("reports_event", events),
            ("reports_source", sources),
            ("reports_report", reports),
            ("reports_figure", figures),
            ("reports_report_sources", citations),
            ("reports_eventreferencefigure", references),
            ("taggit_taggeditem", tagged),
        ):
            insert(table, COLUMNS[table], rows)
            rows.clear()

    made = 0
    while made < n_reports:
        size = 1 if rng.random() < 0.6 else rng.choice([2, 2, 3, 3, 4, 6])
        size = min(size, n_reports - made)
        level = _weighted(rng, PLACE_LEVEL_WEIGHTS)
        place = rng.choice(places[level])
        day = FIRST_DAY + timedelta(days=rng.randrange(days + 1))
        if rng.random() < 0.08:
            metrics = [Metric.CURRENTLY_DISPLACED]
        else:
            metrics = list(dict.fromkeys(_weighted(rng, METRIC_WEIGHTS) for _ in range(
                rng.choice([1, 1, 1, 2]))))  # fmt: skip
        base = {m: _value(rng, m) for m in metrics}
        event = None
        if size > 1:
            event = event_id
            event_id += 1
            events.append((event, f"Bench event {event}", "", user_id, _moment(rng, day)))
            written["events"] += 1
        articles = []
        approved_figures = []
        # A third of happenings are tagged (one or two tags), most of their reports carrying them.
        tags = rng.sample(TAGS, rng.choice([1, 1, 2])) if rng.random() < 0.3 else []
        for i in range(size):
            where = place
            if i and rng.random() < 0.2 and place.level > 1:
                where = place.ancestor(1)  # the same happening reported for the whole state
            start = min(LAST_DAY, day + timedelta(days=rng.randrange(4)))
            end = (
                min(LAST_DAY, start + timedelta(days=rng.randrange(31)))
                if rng.random() < 0.1
                else None
            )
            status = Status.APPROVED if rng.random() < 0.93 else rng.choice(OTHER_STATUSES)
            submitted = _moment(rng, (end or start) + timedelta(days=1))
            approved = submitted + timedelta(days=rng.randrange(1, 30))
            reports.append((
                report_id, status, 3, organization_id, user_id, f"Bench report {report_id}",
                start, end, "day", where.id, None, None, "place", False, "", "",
                rng.choice(causes), event, submitted, approved, submitted,
                approved if status in (Status.APPROVED, Status.RETRACTED) else None, False,
            ))  # fmt: skip
            for metric in metrics:
                row = _figure(rng, metric, base[metric])
                figures.append((figure_id, report_id, *row, ""))
                if status == Status.APPROVED:
                    approved_figures.append((figure_id, metric))
                    written["approved_figures"] += 1
                figure_id += 1
                written["figures"] += 1
            published = (end or start) + timedelta(days=rng.randrange(8))
            if articles and rng.random() < 0.15:
                cited = [rng.choice(articles)]
            else:
                sources.append((source_id, rng.choice(SOURCE_TYPES), f"Outlet {rng.randrange(400)}",
                                f"Article {source_id}", "", min(published, LAST_DAY), "en",
                                rng.random() < 0.03, user_id, submitted,
                                new_public_id()))  # fmt: skip
                cited = [source_id]
                articles.append(source_id)
                source_id += 1
                written["sources"] += 1
            if rng.random() < 1 / 12:
                state = where.ancestor(1) if where.level >= 1 else rng.choice(list(states.values()))
                week = period_start(start, "week")
                if (state.id, week) not in sitreps:
                    sitreps[state.id, week] = source_id
                    sources.append((source_id, SourceType.UN_INGO, "OCHA", f"Situation report "
                                    f"{state.pcode} {week}", "", min(week + timedelta(days=6),
                                    LAST_DAY), "en", False, user_id, submitted,
                                    new_public_id()))  # fmt: skip
                    source_id += 1
                    written["sources"] += 1
                cited.append(sitreps[state.id, week])
            citations += [(report_id, s) for s in cited]
            tagged += [
                (tag_ids[name.lower() if rng.random() < 0.1 else name], report_id, report_type)
                for name in tags
                if rng.random() < 0.8
            ]
            written["reports"] += 1
            written["approved"] += status == Status.APPROVED
            report_id += 1
            made += 1
        if event is not None and approved_figures and rng.random() < 0.25:
            chosen, metric = rng.choice(approved_figures)
            references.append((event, metric, chosen, user_id, _moment(rng, LAST_DAY)))
            written["references"] += 1
        if len(reports) >= 20000:
            flush()
            out(f"  {made:,} reports written")
    flush()
    reset_sequences(["gazetteer_place", "reports_report", "reports_figure", "reports_source",
                     "reports_event", "reports_eventreferencefigure",
                     "reports_report_sources"])  # fmt: skip
    written["places"] = sum(len(v) for v in places.values())
    return written, places
