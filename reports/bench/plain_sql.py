"""The dashboard's questions answered again in plain SQL over the base tables, applying the same
counting rules, for `manage.py bench_aggregates` to time the engine against and check it by."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from ..aggregates.question import period_start
from ..aggregates.rules import is_stock


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
