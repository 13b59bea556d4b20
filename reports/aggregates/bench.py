"""Benchmark support: a synthetic but realistic data set loaded in bulk, and the same dashboard
questions answered by plain SQL over the base tables, for `manage.py bench_aggregates`.

The data: a Myanmar-like gazetteer under its own country code (15 states and regions, 70
districts, 330 townships, 4 village tracts each), reports from 2021 to 2025 at every level
(mostly townships; some whole states, districts, village tracts, the whole country), about
40% of them in events of 2-6 reports with different numbers, every metric (people currently
displaced, the stock, in 8% of happenings), ranges, "about", "at least" and households, one
new article per report, some reused within an event, and weekly situation reports per state
cited by one report in twelve across events. 93% of reports approved, the rest in every other
status; a quarter of events have a moderator's reference figure."""

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from ..figures import MAX_VALUE, counts
from ..vocabulary import Cause, Metric, Qualifier, SourceType, Unit
from ..workflow import Status
from .places import LEVELS
from .question import period_start
from .rules import is_stock

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
                       "is_confidential", "created_by_id", "created_at"],
    "reports_report": ["id", "status", "version", "organization_id", "submitted_by_id", "title",
                       "start_date", "end_date", "date_precision", "place_id", "latitude",
                       "longitude", "location_precision", "point_released", "public_summary",
                       "internal_notes", "cause", "event_id", "created_at", "updated_at",
                       "submitted_at", "approved_at"],
    "reports_figure": ["id", "report_id", "metric", "qualifier", "value", "value_min",
                       "value_max", "unit", "household_size", "count_low", "count_best",
                       "count_high", "note"],
    "reports_report_sources": ["report_id", "source_id"],
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
                     name, "", lat, lon, "4.4" if level == 0 else None, "bench"))  # fmt: skip
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
        ],  # fmt: skip
        rows,
    )
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


def load(n_reports: int, *, organization_id: int, user_id: int, seed: int = 2023, out=print):
    """Insert the synthetic data set; returns counts of what was written."""
    rng = random.Random(seed)  # noqa: S311 - invented data, not secrets
    places = make_gazetteer(rng)
    states = {p.id: p for p in places[1]}
    ids = {t: next_id(t) for t in ("reports_report", "reports_figure", "reports_source",
                                   "reports_event")}  # fmt: skip
    report_id, figure_id, source_id, event_id = (ids[t] for t in ids)
    sitreps: dict[tuple[int, date], int] = {}
    written = dict.fromkeys(("reports", "approved", "figures", "approved_figures", "sources",
                             "events", "references"), 0)  # fmt: skip
    reports, figures, sources, citations, events, references = [], [], [], [], [], []
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
                approved if status in (Status.APPROVED, Status.RETRACTED) else None,
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
                                rng.random() < 0.03, user_id, submitted))  # fmt: skip
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
                                    LAST_DAY), "en", False, user_id, submitted))  # fmt: skip
                    source_id += 1
                    written["sources"] += 1
                cited.append(sitreps[state.id, week])
            citations += [(report_id, s) for s in cited]
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


# --- the same questions in plain SQL -----------------------------------------------------------


def _bucket(expression: str, kind: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('{kind}', {expression}) AS date)"
    if kind == "month":
        return f"date({expression}, 'start of month')"
    if kind == "year":
        return f"date({expression}, 'start of year')"
    if kind == "week":
        return f"date({expression}, '-' || ((CAST(strftime('%%w', {expression}) AS integer) + 6) %% 7) || ' days')"  # noqa: E501
    return (
        f"date({expression}, 'start of month', '-' || ((CAST(strftime('%%m', {expression}) "
        "AS integer) - 1) %% 3) || ' months')"
    )


def _date(name: str) -> str:
    """A date parameter (SQLite keeps dates as ISO text: no cast)."""
    return f"CAST(%({name})s AS date)" if connection.vendor == "postgresql" else f"%({name})s"


def _local_date(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(({expression} AT TIME ZONE '{settings.TIME_ZONE}') AS date)"
    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(datetime(2023, 1, 1))
    return f"date({expression}, '{int(offset.total_seconds() // 60):+d} minutes')"


def plain_sql(plan, kind: str, periods) -> dict:
    """The question's totals, area rows and period rows from the base tables in three plain SQL
    statements (CTEs, window functions, GROUP BY) applying the same counting rules."""
    metrics = list(plan.metrics)
    params: dict = {
        "area": (plan.area.path if plan.area else "/") + "%",
        "start": plan.start or date(1, 1, 1),
        "end": plan.end,
        "level": plan.level,
        "cause": plan.question.cause,
    }

    def names(prefix, values):
        for i, value in enumerate(values):
            params[f"{prefix}{i}"] = value
        return ", ".join(f"%({prefix}{i})s" for i in range(len(values))) or "NULL"

    every = names("m", metrics)
    flows = names("f", [m for m in metrics if not is_stock(m)])
    stocks = names("s", [m for m in metrics if is_stock(m)])
    cause = "AND r.cause = %(cause)s" if plan.question.cause else ""
    head = f"""
    WITH RECURSIVE tree AS (
      SELECT id AS place_id, parent_id AS above_id FROM gazetteer_place WHERE parent_id IS NOT NULL
      UNION ALL
      SELECT t.place_id, pl.parent_id FROM tree t JOIN gazetteer_place pl ON pl.id = t.above_id
      WHERE pl.parent_id IS NOT NULL
    ),
    pub AS (
      SELECT rs.report_id, MAX(s.published_on) AS published
      FROM reports_report_sources rs JOIN reports_source s ON s.id = rs.source_id
      GROUP BY rs.report_id
    ),
    cand AS (
      SELECT f.id AS figure_id, f.metric, f.count_low AS low, f.count_best AS best,
             f.count_high AS high, r.id AS report_id, r.place_id,
             COALESCE(r.end_date, r.start_date) AS dated, r.approved_at,
             COALESCE(pub.published, {_local_date("r.approved_at")}) AS published,
             CASE WHEN r.event_id IS NULL THEN 'r' || r.id ELSE 'e' || r.event_id END AS ekey,
             CASE WHEN x.id IS NULL THEN 0 ELSE 1 END AS is_ref
      FROM reports_figure f JOIN reports_report r ON r.id = f.report_id
      LEFT JOIN pub ON pub.report_id = r.id
      LEFT JOIN reports_eventreferencefigure x
        ON x.figure_id = f.id AND x.event_id = r.event_id AND x.metric = f.metric
      WHERE r.status = 'approved' AND f.metric IN ({every}) {cause}
    ),
    counted AS (
      SELECT * FROM (
        SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.metric, c.ekey ORDER BY c.is_ref DESC,
               c.published DESC, c.approved_at DESC, c.report_id DESC, c.figure_id DESC) AS rn
        FROM cand c) ranked
      WHERE rn = 1
    ),
    located AS (
      SELECT k.metric, k.ekey, k.best, k.low, k.high, k.dated, k.published, k.approved_at,
             k.report_id, k.figure_id, k.place_id, pl.path
      FROM counted k JOIN gazetteer_place pl ON pl.id = k.place_id
      WHERE pl.path LIKE %(area)s
    ),
    ev AS (SELECT metric, ekey, COUNT(DISTINCT report_id) AS n FROM cand GROUP BY metric, ekey)
    """  # noqa: S608 - our own table and column names; every value is a parameter
    flows_in = f"l.metric IN ({flows}) AND l.dated BETWEEN %(start)s AND %(end)s"

    def standing(ends_join: str, group: str) -> str:
        """Stock figures standing at each end date (one end per group)."""
        return f"""
    latest AS (
      SELECT * FROM (
        SELECT {group} AS g, l.*, ROW_NUMBER() OVER (PARTITION BY {group}, l.metric, l.place_id
               ORDER BY l.dated DESC, l.published DESC, l.approved_at DESC, l.report_id DESC,
               l.figure_id DESC) AS pr
        FROM located l {ends_join}
        WHERE l.metric IN ({stocks})) x
      WHERE pr = 1
    ),
    beneath AS (
      SELECT t.above_id AS place_id, b.g, b.metric, MAX(b.dated) AS newest
      FROM latest b JOIN tree t ON t.place_id = b.place_id GROUP BY t.above_id, b.g, b.metric
    ),
    holds AS (
      SELECT a.* FROM latest a LEFT JOIN beneath n
        ON n.place_id = a.place_id AND n.g = a.g AND n.metric = a.metric
      WHERE n.newest IS NULL OR a.dated >= n.newest
    ),
    covered AS (
      SELECT DISTINCT t.place_id, h.g, h.metric FROM holds h JOIN tree t ON t.above_id = h.place_id
    ),
    standing AS (
      SELECT h.* FROM holds h LEFT JOIN covered c
        ON c.place_id = h.place_id AND c.g = h.g AND c.metric = h.metric
      WHERE c.place_id IS NULL
    )"""  # noqa: S608

    def run(units_sql: str) -> dict:
        sql = f"""{head}, {units_sql},
    sums AS (
      SELECT u.metric, u.g, SUM(u.best) AS best, SUM(u.low) AS low, SUM(u.high) AS high,
             COUNT(*) AS events, SUM(ev.n) AS reports
      FROM units u JOIN ev ON ev.metric = u.metric AND ev.ekey = u.ekey GROUP BY u.metric, u.g
    ),
    cited AS (
      SELECT u.metric, u.g, COUNT(DISTINCT rs.source_id) AS sources
      FROM units u JOIN cand c ON c.metric = u.metric AND c.ekey = u.ekey
      JOIN reports_report_sources rs ON rs.report_id = c.report_id GROUP BY u.metric, u.g
    )
    SELECT s.metric, s.g, s.best, s.low, s.high, s.events, s.reports, COALESCE(x.sources, 0)
    FROM sums s LEFT JOIN cited x ON x.metric = s.metric AND x.g = s.g"""  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The planner badly underestimates these CTEs and picks nested loops that run
                # for hours at a million figures; hash joins are what a person tuning them
                # by hand would ask for.
                cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        result: dict = {}
        for metric, g, *numbers in rows:
            result.setdefault(g, {})[metric] = tuple(int(n) for n in numbers)
        return result

    at_end = f"JOIN (SELECT {_date('end')} AS pe) e ON l.dated <= e.pe"
    totals = run(
        f"""{standing(at_end, "''")},
    units AS (
      SELECT metric, ekey, best, low, high, '' AS g FROM located l WHERE {flows_in}
      UNION ALL SELECT metric, ekey, best, low, high, g FROM standing)"""  # noqa: S608
    ).get("", {})

    by_area = {}
    if plan.level is not None:
        by_area = run(
            f"""anc AS (
      SELECT pl.id AS place_id, pl.pcode FROM gazetteer_place pl WHERE pl.admin_level = %(level)s
      UNION ALL
      SELECT t.place_id, a.pcode FROM tree t JOIN gazetteer_place a ON a.id = t.above_id
      WHERE a.admin_level = %(level)s
    ),
    {standing(at_end, "''")},
    found AS (
      SELECT metric, ekey, best, low, high, place_id FROM located l WHERE {flows_in}
      UNION ALL SELECT metric, ekey, best, low, high, place_id FROM standing
    ),
    units AS (
      SELECT f.metric, f.ekey, f.best, f.low, f.high, COALESCE(anc.pcode, '') AS g
      FROM found f LEFT JOIN anc ON anc.place_id = f.place_id)"""  # noqa: S608
        )
        by_area = {(g or None): v for g, v in by_area.items()}

    by_period = {}
    if periods:
        for i, (a, b, _) in enumerate(periods):
            params[f"g{i}"], params[f"e{i}"] = period_start(a, kind), b
        values = ", ".join(f"({_date(f'g{i}')}, {_date(f'e{i}')})" for i in range(len(periods)))
        by_period = run(
            f"""ends(g, pe) AS (VALUES {values}),
    {standing("JOIN ends e ON l.dated <= e.pe", "e.g")},
    units AS (
      SELECT metric, ekey, best, low, high, {_bucket("l.dated", kind)} AS g
      FROM located l WHERE {flows_in}
      UNION ALL SELECT metric, ekey, best, low, high, g FROM standing)"""  # noqa: S608
        )
        by_period = {_as_date(g): v for g, v in by_period.items()}
    return {"totals": totals, "by_area": by_area, "by_period": by_period}


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def engine_numbers(answer, kind: str) -> dict:
    """An Answer in plain_sql()'s shape (rows with no counted event left out)."""

    def shape(totals):
        return {
            m: (t.best, t.low, t.high, t.events, t.reports, t.sources)
            for m, t in totals.items()
            if t.events
        }

    return {
        "totals": shape(answer.totals),
        "by_area": {r.pcode: shape(r.totals) for r in answer.by_area if shape(r.totals)},
        "by_period": {
            period_start(r.start, kind): shape(r.totals)
            for r in answer.by_period
            if shape(r.totals)
        },
    }
