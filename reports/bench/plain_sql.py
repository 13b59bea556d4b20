"""The dashboard's questions answered again in plain SQL over the base tables, applying the same
counting rules as the engine (docs/counting.md), for `manage.py bench_aggregates` to time the
engine against and check it by.

Plain SQL: no summary table and no Python loop over figures. Each call builds a few scratch
tables of its own from reports, figures, sources, events and the gazetteer (dropped at the end),
then answers the totals, the area rows, the period rows and the spanning lines in one statement
each. Rule 5's remainders need what the covered events add first, so they are filled one nesting
depth per statement, until a statement adds nothing. Runs on PostgreSQL and SQLite."""

from datetime import date

from django.conf import settings
from django.db import connection, transaction

from ..aggregates.question import period_start
from ..aggregates.rules import is_stock

SCRATCH = ("plain_place", "plain_cand", "plain_counted", "plain_cited", "plain_covers",
           "plain_adds")  # fmt: skip


# --- what differs between PostgreSQL and SQLite -----------------------------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _bucket(expression: str, kind: str) -> str:
    """The first day of the week (Monday), month, quarter or year holding a date."""
    if _postgres():
        return f"CAST(date_trunc('{kind}', CAST({expression} AS timestamp)) AS date)"
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


def _last_day(expression: str, kind: str) -> str:
    """The last day of the week, month or year holding a date."""
    if _postgres():
        step = {"week": "interval '6 days'", "month": "interval '1 month' - interval '1 day'",
                "year": "interval '1 year' - interval '1 day'"}[kind]  # fmt: skip
        return f"CAST(date_trunc('{kind}', CAST({expression} AS timestamp)) + {step} AS date)"
    if kind == "week":
        return f"date({_bucket(expression, 'week')}, '+6 days')"
    return f"date({expression}, 'start of {kind}', '+1 {kind}', '-1 day')"


def _days_before(expression: str, days: int) -> str:
    if _postgres():
        return f"CAST({expression} - {int(days)} AS date)"
    return f"date({expression}, '-{int(days)} days')"


def _date(name: str) -> str:
    """A date parameter (SQLite keeps dates as ISO text: no cast)."""
    return f"CAST(%({name})s AS date)" if _postgres() else f"%({name})s"


def _find(text: str, needle: str) -> str:
    return f"strpos({text}, {needle})" if _postgres() else f"instr({text}, {needle})"


def _as_date(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- the scratch tables: the rules that do not depend on the question's dates -----------------


def _event_key(report: str) -> str:
    return f"CASE WHEN {report}.event_id IS NULL THEN 'r' || {report}.id ELSE 'e' || {report}.event_id END"  # noqa: E501


def _scratch(plan, flows: str, every: str) -> list[tuple[str, str]]:
    """(table, statement filling it) for each scratch table, in order."""
    precisions = ("week", "month", "year")
    dated = "COALESCE(r.end_date, r.start_date)"
    span_start = (
        "CASE r.date_precision "
        + " ".join(f"WHEN '{p}' THEN {_bucket('r.start_date', p)}" for p in precisions)
        + " ELSE r.start_date END"
    )
    span_end = (
        "CASE r.date_precision "
        + " ".join(f"WHEN '{p}' THEN {_last_day(dated, p)}" for p in precisions)
        + f" ELSE {dated} END"
    )
    question = plan.question
    narrowed = "".join(
        condition
        for asked, condition in (
            (question.cause, " AND r.cause = %(cause)s"),
            (question.event, " AND r.event_id = %(event)s"),
            (
                question.source_type,
                " AND EXISTS (SELECT 1 FROM reports_report_sources rs JOIN reports_source s"
                " ON s.id = rs.source_id WHERE rs.report_id = r.id"
                " AND s.source_type = %(source_type)s)",
            ),
            (
                question.tag,
                " AND EXISTS (SELECT 1 FROM taggit_taggeditem ti JOIN taggit_tag t"
                " ON t.id = ti.tag_id JOIN django_content_type ct ON ct.id = ti.content_type_id"
                " WHERE ti.object_id = r.id AND ct.app_label = 'reports'"
                " AND ct.model = 'report' AND UPPER(t.name) = UPPER(%(tag)s))",
            ),
            (
                question.perpetrator == "unknown",
                " AND r.perpetrator_unknown",
            ),
            (
                question.perpetrator == "none",
                " AND r.perpetrator_id IS NULL AND NOT r.perpetrator_unknown",
            ),
            (
                question.perpetrator not in (None, "unknown", "none"),
                " AND r.perpetrator_id = (SELECT p.id FROM reports_party p"
                " WHERE p.slug = %(perpetrator)s)",
            ),
        )
        if asked
    )
    return [
        # Each place with itself and every place above it, read from the P-code path (a place
        # contains another when its path is a prefix of the other's), and how deep it is.
        (
            "plain_place",
            f"""CREATE TEMP TABLE plain_place AS
        WITH RECURSIVE cut(place_id, path, upto) AS (
          SELECT id, path, 1 FROM gazetteer_place
          UNION ALL
          SELECT place_id, path, upto + {_find("substr(path, upto + 1)", "'/'")} FROM cut
          WHERE upto < length(path) AND {_find("substr(path, upto + 1)", "'/'")} > 0
        )
        SELECT c.place_id, a.id AS above_id, a.admin_level AS above_level, a.pcode AS above_pcode
        FROM cut c JOIN gazetteer_place a ON a.path = substr(c.path, 1, c.upto)""",  # noqa: S608
        ),
        # Rule 1 (and the question's filters of the evidence: cause, event, source type, tag in
        # any case, alleged perpetrator): every figure of the metrics asked in an approved
        # report, with its numbers (an "at most" has low 0, an "at least" an open high), its
        # span, its as-of date and what decides its event's choice.
        (
            "plain_cand",
            f"""CREATE TEMP TABLE plain_cand AS
        SELECT f.id AS figure_id, f.metric, r.id AS report_id, {_event_key("r")} AS ekey,
               r.place_id, CASE WHEN f.qualifier = 'at_most' THEN 0 ELSE f.count_low END AS low,
               f.count_best AS best, f.count_high AS high,
               CASE WHEN f.qualifier = 'at_least' THEN 1 ELSE 0 END AS high_open,
               CASE WHEN f.qualifier = 'approximately' THEN 1 ELSE 0 END AS approximate,
               CASE WHEN f.qualifier = 'at_most' THEN 1 ELSE 0 END AS at_most,
               {span_end} AS dated, {span_start} AS span_start, {span_end} AS span_end,
               COALESCE(pub.published, {span_end}) AS published,
               r.approved_at, CASE WHEN x.id IS NULL THEN 0 ELSE 1 END AS is_reference
        FROM reports_figure f JOIN reports_report r ON r.id = f.report_id
        LEFT JOIN (
          SELECT rs.report_id,
                 MAX(CASE WHEN s.is_confidential THEN NULL ELSE s.published_on END) AS published
          FROM reports_report_sources rs JOIN reports_source s ON s.id = rs.source_id
          GROUP BY rs.report_id
        ) pub ON pub.report_id = r.id
        LEFT JOIN reports_eventreferencefigure x
          ON x.figure_id = f.id AND x.event_id = r.event_id AND x.metric = f.metric
        WHERE r.status = 'approved' AND f.metric IN ({every}){narrowed}""",  # noqa: S608
        ),
        # Rule 2: one figure per event and metric, the reference else the most recently
        # published (ties: later approval, report, figure); the event's range over all its
        # figures (rule 7). Then only events whose counted figure is in the area: what an
        # event adds depends only on events within its own place (rule 5).
        (
            "plain_counted",
            """CREATE TEMP TABLE plain_counted AS
        SELECT k.metric, k.ekey, k.report_id, k.figure_id, k.place_id, d.depth, k.best,
               e.range_low, e.range_high, e.high_open, k.approximate, k.at_most, k.dated,
               k.span_start,
               k.span_end, k.published, k.approved_at, e.reports
        FROM (
          SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.metric, c.ekey ORDER BY
                 c.is_reference DESC, c.published DESC NULLS LAST, c.approved_at DESC NULLS LAST,
                 c.report_id DESC, c.figure_id DESC) AS choice
          FROM plain_cand c
        ) k
        JOIN (
          SELECT metric, ekey, MIN(low) AS range_low, MAX(high) AS range_high,
                 MAX(high_open) AS high_open, COUNT(DISTINCT report_id) AS reports
          FROM plain_cand GROUP BY metric, ekey
        ) e ON e.metric = k.metric AND e.ekey = k.ekey
        JOIN gazetteer_place pl ON pl.id = k.place_id
        JOIN (SELECT place_id, COUNT(*) AS depth FROM plain_place GROUP BY place_id) d
          ON d.place_id = k.place_id
        WHERE k.choice = 1 AND substr(pl.path, 1, length(%(area)s)) = %(area)s""",
        ),
        # The sources behind each counted event: those of all its reports with a figure of
        # the metric, a confidential one standing for a different source in each report.
        (
            "plain_cited",
            """CREATE TEMP TABLE plain_cited AS
        SELECT DISTINCT c.metric, c.ekey, CASE WHEN s.is_confidential
               THEN -(s.id * 2147483648 + c.report_id) ELSE s.id END AS source
        FROM plain_cand c
        JOIN plain_counted k ON k.metric = c.metric AND k.ekey = c.ekey
        JOIN reports_report_sources rs ON rs.report_id = c.report_id
        JOIN reports_source s ON s.id = rs.source_id""",
        ),
        # Rule 5: a flow event covers another of its metric when its place contains or is
        # the other's, its span contains the other's, and it is larger in place or in span;
        # never two events a moderator marked separate (marks between approved reports).
        (
            "plain_covers",
            f"""CREATE TEMP TABLE plain_covers AS
        WITH marks AS (
          SELECT m.metric, {_event_key("r1")} AS one, {_event_key("r2")} AS other
          FROM reports_separatefigures m
          JOIN reports_figure f1 ON f1.id = m.first_id
          JOIN reports_report r1 ON r1.id = f1.report_id
          JOIN reports_figure f2 ON f2.id = m.second_id
          JOIN reports_report r2 ON r2.id = f2.report_id
          WHERE r1.status = 'approved' AND r2.status = 'approved'
        ),
        separate AS (
          SELECT metric, one, other FROM marks UNION SELECT metric, other, one FROM marks
        )
        SELECT o.metric, o.ekey AS outer_key, i.ekey AS inner_key
        FROM plain_counted o
        JOIN plain_place a ON a.above_id = o.place_id
        JOIN plain_counted i ON i.place_id = a.place_id AND i.metric = o.metric
        WHERE o.metric IN ({flows}) AND i.ekey <> o.ekey
          AND i.span_start >= o.span_start AND i.span_end <= o.span_end
          AND (i.span_start <> o.span_start OR i.span_end <> o.span_end OR o.depth < i.depth)
          AND NOT EXISTS (
            SELECT 1 FROM separate s
            WHERE s.metric = o.metric AND s.one = o.ekey AND s.other = i.ekey
          )""",  # noqa: S608
        ),
        # What each event adds: its own best, low and high when it covers nothing (every
        # stock, most flows) ...
        (
            "plain_adds",
            """CREATE TEMP TABLE plain_adds AS
        SELECT k.metric, k.ekey, k.best, k.range_low AS low, k.range_high AS high,
               CAST(NULL AS INTEGER) AS open_level
        FROM plain_counted k
        WHERE NOT EXISTS (
          SELECT 1 FROM plain_covers c WHERE c.metric = k.metric AND c.outer_key = k.ekey
        )""",
        ),
    ]


# ... and, one nesting depth at a time, its own less the sum of what the events it covers add,
# never below zero, once all of those are known; with the finest admin level of those whose
# high is open (read apart from them, what it adds has no floor: rules.remainder).
ADD_COVERING = """
    INSERT INTO plain_adds (metric, ekey, best, low, high, open_level)
    SELECT k.metric, k.ekey,
           CASE WHEN k.best > SUM(a.best) THEN k.best - SUM(a.best) ELSE 0 END,
           CASE WHEN k.range_low > SUM(a.low) THEN k.range_low - SUM(a.low) ELSE 0 END,
           CASE WHEN k.range_high > SUM(a.high) THEN k.range_high - SUM(a.high) ELSE 0 END,
           MAX(CASE WHEN i.high_open = 1 THEN pi.admin_level END)
    FROM plain_counted k
    JOIN plain_covers c ON c.metric = k.metric AND c.outer_key = k.ekey
    JOIN plain_counted i ON i.metric = c.metric AND i.ekey = c.inner_key
    JOIN gazetteer_place pi ON pi.id = i.place_id
    LEFT JOIN plain_adds a ON a.metric = c.metric AND a.ekey = c.inner_key
    WHERE NOT EXISTS (SELECT 1 FROM plain_adds d WHERE d.metric = k.metric AND d.ekey = k.ekey)
    GROUP BY k.metric, k.ekey, k.best, k.range_low, k.range_high
    HAVING COUNT(a.ekey) = COUNT(*)"""


def _apart(floored: str) -> tuple[str, str]:
    """What an event adds (low, high), read apart from the events it covers where `floored`
    holds: from 0 up to the larger of its parts (rules.remainder)."""
    return (
        f"CASE WHEN {floored} THEN 0 ELSE a.low END",
        f"CASE WHEN {floored} AND a.low > a.high THEN a.low ELSE a.high END",
    )


# --- the question's numbers -------------------------------------------------------------------


# The deepest a place can be (plain_counted.depth: a country 1, a village tract or town 5).
DEEPEST = 5


def _holding(depth: int) -> str:
    """The CTE of the latest stock figures at places of `depth` that stand over what stands
    within their place (rules.standing_stocks): the figures standing deeper (deeper_<depth>)
    with no standing figure between. Its figure stands when none of those is more recent, or
    when it is at least their total. Rule 4 needs the deeper places decided first: one depth
    each."""
    deeper = f"deeper_{depth}"
    return f"""hold_{depth} AS (
      SELECT h.* FROM latest h LEFT JOIN (
        SELECT a.above_id AS place_id, x.g, x.metric, SUM(x.best) AS best,
               MAX(x.dated) AS newest
        FROM {deeper} x
        JOIN plain_place a ON a.place_id = x.place_id AND a.above_level = {depth - 1}
        WHERE NOT EXISTS (
          SELECT 1 FROM {deeper} y
          JOIN plain_place b ON b.place_id = x.place_id AND b.above_id = y.place_id
          JOIN plain_place c ON c.place_id = y.place_id AND c.above_id = a.above_id
          WHERE y.g = x.g AND y.metric = x.metric AND y.place_id <> x.place_id
        )
        GROUP BY a.above_id, x.g, x.metric
      ) w ON w.place_id = h.place_id AND w.g = h.g AND w.metric = h.metric
      WHERE h.depth = {depth} AND (w.newest IS NULL OR h.dated >= w.newest OR h.best >= w.best)
    )"""  # noqa: S608


def _units(flows: str, stocks: str, ends: str, flow_group: str, flow_inside: str) -> str:
    """CTEs ending in `units`: the counted events of each group `g` (with its end `pe` and
    staleness limit in `ends`). Flows whose whole span lies inside (rule 3); stocks standing
    at the group's end (rule 4): per place the latest figure on or before it, a place's figure
    standing when nothing standing within it is more recent or when it is at least their total,
    and none inside a standing wider figure."""
    # deeper_<d>: the standing figures deeper than d (names only: no value enters the SQL).
    levels = ["deeper_5 AS (SELECT * FROM latest WHERE 1 = 0)", _holding(DEEPEST)]
    for depth in range(DEEPEST - 1, 0, -1):
        levels.append(
            f"deeper_{depth} AS (SELECT * FROM hold_{depth + 1}"  # noqa: S608
            f" UNION ALL SELECT * FROM deeper_{depth + 1})"
        )
        levels.append(_holding(depth))
    return f"""
    ends(g, pe, stale_before) AS ({ends}),
    latest AS (
      SELECT g, stale_before, metric, ekey, place_id, depth, dated, best FROM (
        SELECT e.g, e.stale_before, k.metric, k.ekey, k.place_id, k.depth, k.dated, k.best,
               ROW_NUMBER() OVER (PARTITION BY e.g, k.metric, k.place_id ORDER BY k.dated DESC,
                 k.published DESC NULLS LAST, k.approved_at DESC NULLS LAST, k.report_id DESC,
                 k.figure_id DESC) AS newest
        FROM plain_counted k JOIN ends e ON k.dated <= e.pe
        WHERE k.metric IN ({stocks})
      ) x WHERE newest = 1
    ),
    {", ".join(levels)},
    holds AS (SELECT * FROM hold_1 UNION ALL SELECT * FROM deeper_1),
    overshadowed AS (
      SELECT DISTINCT a.place_id, h.g, h.metric
      FROM holds h JOIN plain_place a ON a.above_id = h.place_id AND a.place_id <> h.place_id
    ),
    units AS (
      SELECT {flow_group} AS slot, k.metric, k.ekey, k.place_id, NULL AS asof, NULL AS stale_before
      FROM plain_counted k
      WHERE k.metric IN ({flows}) AND k.span_start >= %(start)s AND k.span_end <= %(end)s
        {flow_inside}
      UNION ALL
      SELECT h.g, h.metric, h.ekey, h.place_id, h.dated, h.stale_before
      FROM holds h LEFT JOIN overshadowed o
        ON o.place_id = h.place_id AND o.g = h.g AND o.metric = h.metric
      WHERE o.place_id IS NULL
    )"""  # noqa: S608


def _sums(group: str, joins: str = "", alone: str = "") -> str:
    """Rule 7 per group and metric: the sum of what each event adds, its events, reports and
    distinct sources, the qualifiers carried, a stock's dates and staleness. `alone`: the
    group whose events are read each on its own (the "unspecified within" row: a covering
    event less an open high reads from 0 up to the larger of its parts)."""
    low, high = (
        _apart(f"u.g = {alone} AND a.open_level >= %(level)s") if alone else ("a.low", "a.high")
    )
    return f"""
    grouped AS (
      SELECT {group} AS g, u.metric, u.ekey, u.asof, u.stale_before FROM units u {joins}
    ),
    sums AS (
      SELECT u.g, u.metric, SUM(a.best) AS best, SUM({low}) AS low, SUM({high}) AS high,
             COUNT(*) AS events, SUM(k.reports) AS reports, MAX(k.high_open) AS high_open,
             MAX(k.approximate) AS approximate, MIN(u.asof) AS oldest, MAX(u.asof) AS newest,
             MAX(CASE WHEN u.asof < u.stale_before THEN 1 ELSE 0 END) AS stale,
             MAX(CASE WHEN k.at_most = 1 AND a.best > 0 THEN 1 ELSE 0 END) AS at_most
      FROM grouped u
      JOIN plain_counted k ON k.metric = u.metric AND k.ekey = u.ekey
      JOIN plain_adds a ON a.metric = u.metric AND a.ekey = u.ekey
      GROUP BY u.g, u.metric
    ),
    cited AS (
      SELECT u.g, u.metric, COUNT(DISTINCT s.source) AS sources
      FROM grouped u JOIN plain_cited s ON s.metric = u.metric AND s.ekey = u.ekey
      GROUP BY u.g, u.metric
    )
    SELECT s.g, s.metric, s.best, s.low, s.high, s.events, s.reports, COALESCE(c.sources, 0),
           s.high_open, s.approximate, s.oldest, s.newest, s.stale, s.at_most
    FROM sums s LEFT JOIN cited c ON c.g = s.g AND c.metric = s.metric"""  # noqa: S608


def _rows(rows) -> dict:
    result: dict = {}
    for g, metric, best, low, high, events, reports, sources, *flags in rows:
        high_open, approximate, oldest, newest, stale, at_most = flags
        # Read with the low and high around the best (Total.in_order).
        best, low, high = _in_order(int(best), int(low), int(high))
        result.setdefault(g, {})[metric] = (
            best, low, high, int(events), int(reports), int(sources),
            bool(high_open), bool(approximate), _as_date(oldest), _as_date(newest), bool(stale),
            bool(at_most),
        )  # fmt: skip
    return result


def _spanning_lines(flows: str, longer: str) -> str:
    """Flow events reaching into the question's dates from outside them (`beyond`) and events
    in the total longer than one period of the series (`longer`), each with its own numbers
    and what it adds."""
    line = """SELECT '{kind}', k.metric, k.report_id, k.span_start, k.span_end, pl.pcode,
           k.best, k.range_low, k.range_high, k.reports,
           COALESCE(s.sources, 0), k.high_open, k.approximate,
           CASE WHEN k.at_most = 1 AND k.best > 0 THEN 1 ELSE 0 END, a.best, {low}, {high}
    FROM plain_counted k JOIN plain_adds a ON a.metric = k.metric AND a.ekey = k.ekey
    JOIN gazetteer_place pl ON pl.id = k.place_id
    LEFT JOIN (
      SELECT metric, ekey, COUNT(*) AS sources FROM plain_cited GROUP BY metric, ekey
    ) s ON s.metric = k.metric AND s.ekey = k.ekey
    WHERE k.metric IN ({flows}) AND {condition}"""
    inside = "k.span_start >= %(start)s AND k.span_end <= %(end)s"
    beyond = f"k.span_start <= %(end)s AND k.span_end >= %(start)s AND NOT ({inside})"
    low, high = _apart("a.open_level IS NOT NULL")
    line = line.replace("{low}", low).replace("{high}", high)
    return (
        line.format(kind="beyond", flows=flows, condition=beyond)
        + "\nUNION ALL\n"
        + line.format(kind="longer", flows=flows, condition=f"{inside} {longer}")
    )


def plain_sql(plan, kind: str, periods) -> dict:
    """The question's totals, area rows, period rows and spanning lines from the base tables,
    applying the same counting rules as the engine, in engine_numbers()' shape."""
    metrics = list(plan.metrics)
    params: dict = {
        "area": plan.area.path if plan.area else "/",
        "start": plan.start or date(1, 1, 1),
        "end": plan.end,
        "level": plan.level,
        "cause": plan.question.cause,
        "event": plan.question.event,
        "source_type": plan.question.source_type,
        "tag": plan.question.tag,
        "perpetrator": plan.question.perpetrator,
    }

    def names(prefix, values):
        for i, value in enumerate(values):
            params[f"{prefix}{i}"] = value
        return ", ".join(f"%({prefix}{i})s" for i in range(len(values))) or "NULL"

    every = names("m", metrics)
    flows = names("f", [m for m in metrics if not is_stock(m)])
    stocks = names("s", [m for m in metrics if is_stock(m)])
    if not _postgres():
        params["start"], params["end"] = params["start"].isoformat(), params["end"].isoformat()
    stale_days = settings.TRACKER_STOCK_STALE_DAYS
    at_end = f"SELECT '', {_date('end')}, {_days_before(_date('end'), stale_days)}"

    with transaction.atomic(), connection.cursor() as cursor:

        def run(sql: str) -> list:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

        if _postgres():
            # The planner misjudges the joins on the (freshly analysed) scratch tables through
            # CTEs and picks nested loops that take seconds; hash joins are what a person tuning
            # these by hand would ask for. That switch adds a huge cost to every plan, which
            # then sets off JIT compilation taking longer than the queries themselves.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL jit = off")
        for table in SCRATCH:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        for table, statement in _scratch(plan, flows, every):
            run(statement)
            if _postgres():
                # Autovacuum never analyses temporary tables: without this the planner
                # guesses their sizes.
                cursor.execute(f"ANALYZE {table}")
        while True:
            cursor.execute(ADD_COVERING, params)
            if cursor.rowcount <= 0:
                break

        whole = _units(flows, stocks, at_end, "''", "")
        totals = _rows(run(f"WITH {whole}, {_sums('u.slot')}"))
        by_area = {}
        if plan.level is not None:
            by_area = _rows(
                run(
                    f"WITH {whole},"
                    + _sums(
                        "COALESCE(anc.above_pcode, '')",
                        "LEFT JOIN plain_place anc ON anc.place_id = u.place_id "
                        "AND anc.above_level = %(level)s",
                        alone="''",
                    )
                )
            )
        by_period = {}
        if periods:
            for i, (first, last, _) in enumerate(periods):
                params[f"g{i}"], params[f"e{i}"] = period_start(first, kind), last
                if not _postgres():
                    params[f"g{i}"], params[f"e{i}"] = (
                        params[f"g{i}"].isoformat(),
                        last.isoformat(),
                    )
            ends = " UNION ALL ".join(
                f"SELECT {_date(f'g{i}')}, {_date(f'e{i}')}, "
                f"{_days_before(_date(f'e{i}'), stale_days)}"
                for i in range(len(periods))
            )
            one_period = f"AND {_bucket('k.span_start', kind)} = {_bucket('k.span_end', kind)}"
            series = _units(flows, stocks, ends, _bucket("k.span_start", kind), one_period)
            by_period = _rows(run(f"WITH {series}, {_sums('u.slot')}"))
        longer = f"AND {_bucket('k.span_start', kind)} <> {_bucket('k.span_end', kind)}"
        lines = run(_spanning_lines(flows, longer if periods else ""))
        for table in SCRATCH:
            cursor.execute(f"DROP TABLE {table}")

    spanning: dict = {"beyond": {}, "longer": {}}
    for line, metric, report_id, start, end, pcode, *numbers in lines:
        best, low, high, reports, sources, high_open, approximate, at_most, *adds = numbers
        spanning[line].setdefault(metric, []).append(
            (report_id, _as_date(start), _as_date(end), pcode, int(best), int(low), int(high),
             int(reports), int(sources), bool(high_open), bool(approximate), bool(at_most),
             *_in_order(*(int(n) for n in adds)))
        )  # fmt: skip
    return {
        "totals": totals.get("", {}),
        "by_area": {(g or None): v for g, v in by_area.items()},
        "by_period": {_as_date(g): v for g, v in by_period.items()},
        **{part: {m: sorted(v) for m, v in found.items()} for part, found in spanning.items()},
    }


def _in_order(best: int, low: int, high: int) -> tuple[int, int, int]:
    """(best, low, high) with the low and high around the best."""
    return best, min(best, low, high), max(best, low, high)


def engine_numbers(answer, kind: str) -> dict:
    """An Answer in plain_sql()'s shape (rows with no counted event left out)."""

    def shape(totals):
        return {
            m: (
                t.best,
                t.low,
                t.high,
                t.events,
                t.reports,
                t.sources,
                t.high_open,
                t.approximate,
                t.as_of_oldest,
                t.as_of_newest,
                t.stale,
                t.at_most,
            )  # fmt: skip
            for m, t in totals.items()
            if t.events
        }

    def lines(found):
        return {
            m: sorted(
                (
                    f.report_id,
                    f.start,
                    f.end,
                    f.pcode,
                    f.counted.best,
                    f.counted.low,
                    f.counted.high,
                    f.counted.reports,
                    f.counted.sources,
                    f.counted.high_open,
                    f.counted.approximate,
                    f.counted.at_most,
                    f.adds.best,
                    f.adds.low,
                    f.adds.high,
                )  # fmt: skip
                for f in figures
            )
            for m, figures in found.items()
            if figures
        }

    return {
        "totals": shape(answer.totals),
        "by_area": {r.pcode: shape(r.totals) for r in answer.by_area if shape(r.totals)},
        "by_period": {
            period_start(r.start, kind): shape(r.totals)
            for r in answer.by_period
            if shape(r.totals)
        },
        "beyond": lines(answer.beyond),
        "longer": lines(answer.longer),
    }
