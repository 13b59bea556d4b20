"""Summary tables under the engine, so a dashboard question reads a few hundred rows instead of
every figure. Derived from the base tables through rules.py, never edited by hand.

- EventCount: what each event counts per metric (its figure, place, date, evidence counts).
- SourceUse: which sources stand behind each counted event. Distinct sources do not add up,
  so a source only one event cites is counted in that event's `local_sources` (which add up).
  A source several events cite ("shared") is counted once per cell of FlowTotal it has a use
  in (`shared_sources`, exact for that one cell), and once more in `settled_sources` where all
  its uses fall within that cell's month or year (its `span`). A question made of several
  cells adds the settled counts and counts distinct only the few shared sources whose uses
  spread wider than the cell they are in (see from_summaries.py).
- FlowTotal: flows summed per place and everything above it (node), per month and per year.
- StockStep: each node's stock total as a step function of the date (rules.standing_stocks).

They follow every change in the same transaction (refresh(), called by the services), so an
answer never disagrees with the base tables, not even for the seconds a queued task would
take; a change touches one event's rows and the few cells above its place. Concurrent
moderators are serialised per event and per source with PostgreSQL advisory locks (SQLite
writes one at a time anyway); sums are applied as increments, which commute. rebuild()
recomputes everything in bulk; verify() recomputes in memory and lists every difference.
"""

import json
import zlib
from collections import Counter, defaultdict
from datetime import date
from itertools import groupby

from django.db import connection, transaction

from ..models import EventCount, Figure, FlowTotal, SourceUse, StockStep
from ..workflow import Status
from .from_base_tables import candidates_from, report_sources
from .places import LEVELS, PlaceIndex
from .rules import choose, is_stock

SPANS = ("month", "year")
ADM = tuple(f"adm{level}" for level in LEVELS)
EVERYWHERE = 0  # the node above every country
SUMS = ("best", "low", "high", "events", "reports", "local_sources", "shared_sources",
        "settled_sources")  # fmt: skip


def span_start(day: date, span: str) -> date:
    return day.replace(day=1) if span == "month" else date(day.year, 1, 1)


# --- computing from the base tables ------------------------------------------------------------


def _figures_of(keys):
    figures = Figure.objects.filter(report__status=Status.APPROVED)
    if keys is None:
        return figures
    event_ids = [int(k[1:]) for k in keys if k.startswith("e")]
    report_ids = [int(k[1:]) for k in keys if k.startswith("r")]
    return figures.filter(report__event_id__in=event_ids) | figures.filter(
        report__event__isnull=True, report_id__in=report_ids
    )


def compute(keys=None) -> tuple[dict, dict]:
    """EventCount rows (without local_sources) and their sources, by (metric, key), for the
    given event keys (None: every event)."""
    figures = _figures_of(keys)
    counted = choose(candidates_from(figures))
    sources_of = report_sources(figures.values("report_id")) if counted else {}
    places = (
        PlaceIndex.everything()
        if keys is None
        else PlaceIndex.around({c.place_id for c in counted})
    )
    adm_of: dict[int, list] = {}
    rows, uses = {}, {}
    for c in counted:
        if c.place_id not in adm_of:
            adm_of[c.place_id] = places.by_level(c.place_id)
        adm = adm_of[c.place_id]
        cited = set()
        for report_id in c.report_ids:
            cited |= sources_of.get(report_id, set())
        figure = c.figure
        rows[c.metric, c.key] = {
            "metric": c.metric,
            "key": c.key,
            "event_id": c.event_id,
            "report_id": figure.report_id,
            "figure_id": figure.figure_id,
            "place_id": figure.place_id,
            "level": places.level(c.place_id),
            "dated": figure.on,
            "published": figure.published,
            "approved_at": figure.approved_at,
            "best": figure.best,
            "low": figure.low,
            "high": figure.high,
            "range_low": c.range_low,
            "range_high": c.range_high,
            "report_ids": list(c.report_ids),
            "reports": len(c.report_ids),
            "sources": len(cited),
            "local_sources": None,
            **dict(zip(ADM, adm, strict=True)),
        }
        uses[c.metric, c.key] = cited
    return rows, uses


def nodes_of(row) -> list[tuple[int, int, tuple]]:
    """(node, level, adm0..adm4 of the node) for everywhere and each ancestor of the row's
    place, the place last."""
    adm = [row[a] for a in ADM]
    nodes = [(EVERYWHERE, -1, (None,) * 5)]
    for level in LEVELS:
        if adm[level] is not None:
            nodes.append((adm[level], level, tuple(adm[: level + 1]) + (None,) * (4 - level)))
    return nodes


def flow_cells(row, local: int) -> list[tuple[tuple, tuple, tuple]]:
    """(cell key, node ancestry, sums) of one flow event's contribution to FlowTotal."""
    sums = (row["best"], row["low"], row["high"], 1, row["reports"], local, 0, 0)
    return [
        ((row["metric"], node, span, span_start(row["dated"], span)), (level, adm), sums)
        for node, level, adm in nodes_of(row)
        for span in SPANS
    ]


def source_span(uses) -> str:
    """How far a source's uses spread in time: within one "month", one "year", or "" wider."""
    months = {span_start(use["dated"], "month") for use in uses}
    if len(months) == 1:
        return "month"
    return "year" if len({m.year for m in months}) == 1 else ""


def source_cells(metric: str, uses, span: str) -> dict:
    """A shared source's contribution to FlowTotal: one in `shared_sources` of each cell it has
    a use in, and one in `settled_sources` of those whose month or year holds all its uses."""
    cells = {}
    for use in uses:
        for node, level, adm in nodes_of(use):
            for cell_span in SPANS:
                cell = (metric, node, cell_span, span_start(use["dated"], cell_span))
                if cell not in cells:
                    settled = span == "month" or (cell_span == "year" and span == "year")
                    cells[cell] = ((level, adm), (0, 0, 0, 0, 0, 0, 1, int(settled)))
    return cells


def _use(row) -> dict:
    """A use of a source by a counted event, as SourceUse keeps it."""
    return {"key": row["key"], "dated": row["dated"], **{a: row[a] for a in ADM}}


def _standing(row) -> tuple:
    return (row["dated"], row["published"], row["approved_at"], row["report_id"], row["figure_id"])


class _Node:
    __slots__ = (
        "node", "level", "adm", "parent", "depth", "own", "newest_below", "child_value",
        "child_sources", "pending", "value", "key", "count", "steps",
    )  # fmt: skip

    def __init__(self, node, level, adm, parent, depth):
        self.node, self.level, self.adm, self.parent, self.depth = node, level, adm, parent, depth
        self.own = None  # the latest figure for this very place so far
        self.newest_below = None  # the latest date of any figure strictly within it
        self.child_value = [0, 0, 0, 0, 0]  # best, low, high, events, reports of the children
        self.child_sources: dict[int, int] = {}  # multiset of the children's standing sources
        self.pending: dict[int, int] = {}  # what child_sources gained in this date's round
        self.value = None
        self.key = ""
        self.count = 0
        self.steps: list = []


def _add(target: dict, delta: dict, also: dict | None = None) -> None:
    for source, change in delta.items():
        if change:
            value = target.get(source, 0) + change
            if value:
                target[source] = value
            else:
                target.pop(source, None)
            if also is not None:
                also[source] = also.get(source, 0) + change


def _settle(node: _Node, day: date, uses) -> None:
    """Recompute a node's standing total after its own figure or its children changed."""
    own = node.own
    wins = own is not None and (node.newest_below is None or own["dated"] >= node.newest_below)
    if wins:
        value = (own["best"], own["low"], own["high"], 1, own["reports"])
        key, sources = own["key"], uses[own["metric"], own["key"]]
        count = len(sources)
    else:
        value, key, count = tuple(node.child_value), "", len(node.child_sources)

    had, old_key = node.value is not None, node.key
    delta: dict[int, int] = {}
    if not had:
        delta = {s: 1 for s in sources} if wins else dict(node.child_sources)
    elif old_key and wins:
        if old_key != key:
            old = uses[own["metric"], old_key]
            delta = {s: 1 for s in sources - old} | {s: -1 for s in old - sources}
    elif old_key:
        delta = dict(node.child_sources)
        _add(delta, {s: -1 for s in uses[node.own["metric"], old_key]})
    elif wins:
        before = dict(node.child_sources)
        _add(before, {s: -c for s, c in node.pending.items()})
        delta = {s: -c for s, c in before.items()}
        _add(delta, {s: 1 for s in sources})
    else:
        delta = dict(node.pending)
    node.pending = {}

    old_value = node.value or (0, 0, 0, 0, 0)
    if value != old_value or key != old_key or count != node.count:
        node.steps.append((day, value, count, key))
    node.value, node.key, node.count = value, key, count
    parent = node.parent
    if parent is not None:
        for i in range(5):
            parent.child_value[i] += value[i] - old_value[i]
        _add(parent.child_sources, delta, parent.pending)


def stock_steps(rows, uses) -> list[dict]:
    """StockStep rows of one stock metric from its EventCount rows, by a sweep over dates."""
    nodes: dict[int, _Node] = {}
    rows = sorted(rows, key=_standing)
    for day, group in groupby(rows, key=lambda r: r["dated"]):
        dirty = set()
        for row in group:
            chain, parent = [], None
            for depth, (node_id, level, adm) in enumerate(nodes_of(row)):
                node = nodes.get(node_id)
                if node is None:
                    node = nodes[node_id] = _Node(node_id, level, adm, parent, depth)
                chain.append(node)
                parent = node
            place = chain[-1]
            if place.own is None or _standing(row) > _standing(place.own):
                place.own = row
            for above in chain[:-1]:
                above.newest_below = day
            dirty.update(chain)
        for node in sorted(dirty, key=lambda n: -n.depth):
            _settle(node, day, uses)
    metric = rows[0]["metric"] if rows else None
    steps = []
    for node in nodes.values():
        for i, (day, value, count, key) in enumerate(node.steps):
            steps.append(
                {
                    "metric": metric,
                    "node": node.node,
                    "level": node.level,
                    **dict(zip(ADM, node.adm, strict=True)),
                    "valid_from": day,
                    "valid_to": node.steps[i + 1][0] if i + 1 < len(node.steps) else None,
                    "best": value[0],
                    "low": value[1],
                    "high": value[2],
                    "events": value[3],
                    "reports": value[4],
                    "sources": count,
                    "own_key": key,
                }
            )
    return steps


def derive(rows: dict, uses: dict) -> tuple[list, list, dict, list]:
    """From every EventCount row and its sources: the rows of all four tables (EventCount
    with local_sources, SourceUse, FlowTotal by cell, StockStep)."""
    uses_of: dict[tuple, list] = defaultdict(list)
    for (metric, key), cited in uses.items():
        for source in cited:
            uses_of[metric, source].append(_use(rows[metric, key]))
    spans = {pair: source_span(found) for pair, found in uses_of.items()}
    events, source_uses = [], []
    flows: dict[tuple, list] = {}
    stocks: dict[str, list] = defaultdict(list)

    def add(cell, ancestry, sums):
        current = flows.get(cell)
        if current is None:
            flows[cell] = [ancestry, list(sums)]
        else:
            for i, n in enumerate(sums):
                current[1][i] += n

    for (metric, key), row in rows.items():
        cited = uses[metric, key]
        row["local_sources"] = sum(1 for s in cited if len(uses_of[metric, s]) == 1)
        events.append(row)
        for source in cited:
            source_uses.append(
                {
                    "metric": metric,
                    "source_id": source,
                    **_use(row),
                    "shared": len(uses_of[metric, source]) > 1,
                    "span": spans[metric, source],
                }
            )
        if is_stock(metric):
            stocks[metric].append(row)
            continue
        for cell, ancestry, sums in flow_cells(row, row["local_sources"]):
            add(cell, ancestry, sums)
    for (metric, source), found in uses_of.items():
        if len(found) > 1 and not is_stock(metric):
            for cell, (ancestry, sums) in source_cells(
                metric, found, spans[metric, source]
            ).items():
                add(cell, ancestry, sums)
    steps = [step for metric in sorted(stocks) for step in stock_steps(stocks[metric], uses)]
    return events, source_uses, flows, steps


def _flow_rows(flows: dict) -> list[dict]:
    return [
        {
            "metric": metric,
            "node": node,
            "span": span,
            "start": start,
            "level": level,
            **dict(zip(ADM, adm, strict=True)),
            **dict(zip(SUMS, sums, strict=True)),
        }
        for (metric, node, span, start), ((level, adm), sums) in flows.items()
    ]


# --- writing -----------------------------------------------------------------------------------


def bulk_insert(model, rows) -> None:
    """Insert many rows: COPY on PostgreSQL, batched INSERTs elsewhere."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor == "postgresql":
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        with connection.cursor() as cursor:
            sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608 - names
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(row[f.attname])
                            if f.attname in json_fields
                            else row[f.attname]
                            for f in fields
                        ]
                    )
    else:
        model.objects.bulk_create((model(**row) for row in rows), batch_size=500)


def rebuild() -> dict[str, int]:
    """Recompute every summary from the base tables; returns the number of rows per table."""
    with transaction.atomic():
        _lock_all()
        for model in (EventCount, SourceUse, FlowTotal, StockStep):
            model.objects.all().delete()
        rows, uses = compute()
        events, source_uses, flows, steps = derive(rows, uses)
        # Rows a question reads together are written together: fewer pages to read.
        events.sort(key=lambda r: (r["metric"], r["dated"]))
        source_uses.sort(key=lambda r: (not r["shared"], r["span"], r["metric"], r["dated"]))
        flow_rows = sorted(
            _flow_rows(flows), key=lambda r: (r["span"], r["level"], r["start"], r["node"])
        )
        steps.sort(key=lambda r: (r["metric"], r["level"], r["node"], r["valid_from"]))
        bulk_insert(EventCount, events)
        bulk_insert(SourceUse, source_uses)
        bulk_insert(FlowTotal, flow_rows)
        bulk_insert(StockStep, steps)
    return {
        "EventCount": len(events),
        "SourceUse": len(source_uses),
        "FlowTotal": len(flows),
        "StockStep": len(steps),
    }


# --- following a change ------------------------------------------------------------------------


def _advisory_locks(keys) -> None:
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", key)


def _lock_key(namespace: int, value) -> tuple[int, int]:
    return (namespace, zlib.crc32(str(value).encode()) - 2**31)


def _lock_all(shared: bool = False) -> None:
    """rebuild() holds this exclusively; every refresh() shares it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
            cursor.execute(f"SELECT {lock}(%s, %s)", (REBUILD_LOCK, 0))


REBUILD_LOCK, EVENT_LOCK, SOURCE_LOCK, STOCK_LOCK = 7100, 7101, 7102, 7103


def refresh(keys) -> None:
    """Bring the summaries of these event keys ("e<id>", "r<id>") up to date with the base
    tables, inside the caller's transaction."""
    keys = sorted(set(keys))
    if not keys:
        return
    with transaction.atomic():
        _lock_all(shared=True)
        _advisory_locks([_lock_key(EVENT_LOCK, k) for k in keys])
        new_rows, new_uses = compute(keys)
        old_pairs = set(SourceUse.objects.filter(key__in=keys).values_list("metric", "source_id"))
        touched = old_pairs | {(m, s) for (m, _), cited in new_uses.items() for s in cited}
        _advisory_locks([_lock_key(SOURCE_LOCK, s) for _, s in touched])
        old_rows = {
            (r["metric"], r["key"]): r for r in EventCount.objects.filter(key__in=keys).values()
        }
        # Every use of the touched sources, before and after: whether each is shared, how far
        # its uses spread, and so the other events' local counts and the cells, may change.
        before: dict[tuple, list] = defaultdict(list)
        others: dict[tuple, list] = defaultdict(list)
        for use in SourceUse.objects.filter(
            metric__in={m for m, _ in touched}, source_id__in={s for _, s in touched}
        ).values("metric", "source_id", "key", "dated", *ADM):
            pair = (use.pop("metric"), use.pop("source_id"))
            if pair in touched:
                before[pair].append(use)
                if use["key"] not in keys:
                    others[pair].append(use)
        after: dict[tuple, list] = {pair: list(others[pair]) for pair in touched}
        for (metric, key), cited in new_uses.items():
            for source in cited:
                after[metric, source].append(_use(new_rows[metric, key]))

        cells: dict[tuple, list] = {}

        def add(cell, ancestry, sums, sign):
            entry = cells.setdefault(cell, [ancestry, [0] * len(SUMS)])
            for i, n in enumerate(sums):
                entry[1][i] += sign * n

        local_changes: Counter = Counter()
        state: dict[tuple, tuple[bool, str]] = {}
        for pair in sorted(touched):
            metric, source = pair
            was = (len(before[pair]) > 1, source_span(before[pair]) if before[pair] else "")
            now = (len(after[pair]) > 1, source_span(after[pair]) if after[pair] else "")
            state[pair] = now
            change = (not now[0]) - (not was[0])
            for use in others[pair]:
                local_changes[metric, use["key"]] += change
            if not is_stock(metric):
                if was[0]:
                    for cell, (ancestry, sums) in source_cells(
                        metric, before[pair], was[1]
                    ).items():
                        add(cell, ancestry, sums, -1)
                if now[0]:
                    for cell, (ancestry, sums) in source_cells(metric, after[pair], now[1]).items():
                        add(cell, ancestry, sums, 1)
            if was != now and others[pair]:
                SourceUse.objects.filter(metric=metric, source_id=source).exclude(
                    key__in=keys
                ).update(shared=now[0], span=now[1])
        for (metric, key), change in sorted(local_changes.items()):
            if not change:
                continue
            row = EventCount.objects.filter(metric=metric, key=key).values().first()
            EventCount.objects.filter(pk=row["id"]).update(
                local_sources=row["local_sources"] + change
            )
            if not is_stock(metric):
                for cell, ancestry, _ in flow_cells(row, 0):
                    add(cell, ancestry, (0, 0, 0, 0, 0, change, 0, 0), 1)

        for (metric, _), row in old_rows.items():
            if not is_stock(metric):
                for cell, ancestry, sums in flow_cells(row, row["local_sources"]):
                    add(cell, ancestry, sums, -1)
        EventCount.objects.filter(key__in=keys).delete()
        SourceUse.objects.filter(key__in=keys).delete()
        events, uses_rows = [], []
        for (metric, key), row in new_rows.items():
            cited = new_uses[metric, key]
            row["local_sources"] = sum(1 for s in cited if not state[metric, s][0])
            events.append(row)
            uses_rows += [
                {"metric": metric, "source_id": s, **_use(row), "shared": state[metric, s][0],
                 "span": state[metric, s][1]}
                for s in cited
            ]  # fmt: skip
            if not is_stock(metric):
                for cell, ancestry, sums in flow_cells(row, row["local_sources"]):
                    add(cell, ancestry, sums, 1)
        EventCount.objects.bulk_create(EventCount(**row) for row in events)
        SourceUse.objects.bulk_create(SourceUse(**row) for row in uses_rows)
        _apply_flow_changes(cells)

        stock_changes: dict[str, date] = {}
        for (metric, _), row in list(old_rows.items()) + list(new_rows.items()):
            if is_stock(metric):
                since = stock_changes.get(metric)
                stock_changes[metric] = min(since, row["dated"]) if since else row["dated"]
        for metric, since in sorted(stock_changes.items()):
            _refresh_stock(metric, since)


def _apply_flow_changes(cells: dict) -> None:
    changes = [(cell, entry) for cell, entry in sorted(cells.items()) if any(entry[1])]
    if not changes:
        return
    table = FlowTotal._meta.db_table
    columns = ["metric", "node", "span", "start", "level", *ADM, *SUMS]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS)
    sql = (
        f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT (metric, node, span, start) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(*cell, level, *adm, *sums) for cell, ((level, adm), sums) in changes]
        )
        cursor.executemany(
            f"DELETE FROM {table} WHERE metric = %s AND node = %s AND span = %s AND start = %s "  # noqa: S608
            "AND events = 0",
            [cell for cell, _ in changes],
        )


def _refresh_stock(metric: str, since: date) -> None:
    """Rewrite a stock's steps from `since` on, after its counted events changed there.

    The steps before `since` depend only on earlier figures and stay. The state of the sweep
    on the eve of `since` depends only on each place's latest figure by then, so the sweep
    restarts from those (one per place) instead of replaying every figure ever reported."""
    _advisory_locks([_lock_key(STOCK_LOCK, metric)])
    latest: dict[int, tuple] = {}
    for pk, place, *order in EventCount.objects.filter(metric=metric, dated__lt=since).values_list(
        "pk", "place_id", "dated", "published", "approved_at", "report_id", "figure_id"
    ):
        if place not in latest or order > latest[place][1]:
            latest[place] = (pk, order)
    rows = list(
        EventCount.objects.filter(pk__in=[pk for pk, _ in latest.values()]).values()
    ) + list(EventCount.objects.filter(metric=metric, dated__gte=since).values())
    uses = defaultdict(set)
    for key, source in SourceUse.objects.filter(
        metric=metric, key__in=[r["key"] for r in rows]
    ).values_list("key", "source_id"):
        uses[metric, key].add(source)
    fresh = [s for s in stock_steps(rows, uses) if s["valid_from"] >= since]
    first_fresh = {}
    for step in fresh:
        first = first_fresh.get(step["node"])
        first_fresh[step["node"]] = min(first, step["valid_from"]) if first else step["valid_from"]
    open_then = StockStep.objects.filter(metric=metric).exclude(valid_to__lt=since)
    carried = [
        {**step, "valid_to": first_fresh.get(step["node"])}
        for step in open_then.filter(valid_from__lt=since).values()
    ]
    open_then.delete()
    for step in carried:
        step.pop("id")
    StockStep.objects.bulk_create(StockStep(**s) for s in carried + fresh)


# --- checking ----------------------------------------------------------------------------------


def _comparable(model, row: dict) -> tuple:
    """The row's fields, its own before the ancestry, as (name, value) pairs."""
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    fields = [f for f in fields if f not in ADM] + list(ADM)
    return tuple((f, tuple(row[f]) if isinstance(row[f], list) else row[f]) for f in fields)


def _describe(pairs: tuple) -> str:
    return " ".join(f"{name}={value}" for name, value in pairs if value is not None)


def verify(limit: int = 20) -> list[str]:
    """Recompute every summary from the base tables in memory and compare with the stored rows:
    the differences, described (empty when they agree)."""
    rows, uses = compute()
    events, source_uses, flows, steps = derive(rows, uses)
    differences = []
    for model, expected in (
        (EventCount, events),
        (SourceUse, source_uses),
        (FlowTotal, _flow_rows(flows)),
        (StockStep, steps),
    ):
        want = Counter(_comparable(model, r) for r in expected)
        have = Counter(_comparable(model, r) for r in model.objects.values())
        missing, extra = want - have, have - want
        name = model.__name__
        for row in sorted(missing, key=str)[:limit]:
            differences.append(f"{name} missing: {_describe(row)}")
        for row in sorted(extra, key=str)[:limit]:
            differences.append(f"{name} not expected: {_describe(row)}")
        if len(missing) + len(extra) > 2 * limit:
            differences.append(f"{name}: {len(missing)} missing and {len(extra)} unexpected rows")
    return differences
