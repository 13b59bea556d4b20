"""Keeping the summary tables: rebuilt in bulk, refreshed after a change inside the caller's
transaction (advisory locks per event and source), verified against a recomputation."""

import json
import zlib
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Min, Q

from ...models import EventCount, FlowTotal, Report, SourceUse, StockStep
from ..facets import all_facets, facets_by_report, reports_in_events
from ..from_base_tables import separated_keys
from ..places import PlaceIndex
from ..rules import is_stock
from .cells import ADM, SUMS, flow_cells, nodes_of, source_cells, source_span, use_of
from .covering import coverers, settle_adds
from .rows import compute, compute_facets, derive, flow_total_rows
from .stocks import stock_steps


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
    """Recompute every summary from the base tables; returns the number of rows per table.
    One facet at a time, so memory holds one facet's rows, not all of them."""
    written = dict.fromkeys(("EventCount", "SourceUse", "FlowTotal", "StockStep"), 0)
    with transaction.atomic():
        _lock_all()
        for model in (EventCount, SourceUse, FlowTotal, StockStep):
            model.objects.all().delete()
        for _, (events, source_uses, flow_rows, steps) in _each_facet():
            # Rows a question reads together are written together: fewer pages to read.
            events.sort(key=lambda r: (r["metric"], r["dated"]))
            source_uses.sort(key=lambda r: (not r["shared"], r["span"], r["metric"], r["dated"]))
            flow_rows.sort(key=lambda r: (r["span"], r["level"], r["start"], r["node"]))
            steps.sort(key=lambda r: (r["metric"], r["level"], r["node"], r["valid_from"]))
            for model, rows in (
                (EventCount, events),
                (SourceUse, source_uses),
                (FlowTotal, flow_rows),
                (StockStep, steps),
            ):
                bulk_insert(model, rows)
                written[model.__name__] += len(rows)
    return written


def _each_facet(also=()):
    """For every facet (and `also`), in order: the facet and the rows of all four tables,
    computed from the base tables."""
    places = PlaceIndex.everything()
    for facet in sorted(all_facets() | set(also)):
        rows, uses = compute(facet, places)
        events, source_uses, flows, steps = derive(rows, uses)
        yield facet, (events, source_uses, flow_total_rows(flows), steps)


# --- following a change ------------------------------------------------------------------------

# The summaries follow every change in the same transaction (refresh(), called by the
# services), so an answer never disagrees with the base tables, not even for the seconds a
# queued task would take; a change touches one event's rows and the few cells above its place.
# Concurrent moderators are serialised per event and per source with PostgreSQL advisory locks
# (SQLite writes one at a time anyway); sums are applied as increments, which commute.


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


REBUILD_LOCK, EVENT_LOCK, SOURCE_LOCK, STOCK_LOCK, COVER_LOCK = 7100, 7101, 7102, 7103, 7104


def refresh(keys) -> None:
    """Bring the summaries of these event keys ("e<id>", "r<id>") up to date with the base
    tables, inside the caller's transaction."""
    keys = sorted(set(keys))
    if not keys:
        return
    with transaction.atomic():
        _lock_all(shared=True)
        # Refreshes follow one another: which events cover a changed one, and what each adds,
        # is read from the stored rows, and two transactions each approving one of a covering
        # figure and a figure inside it would otherwise not see each other (rule 5).
        _advisory_locks([(COVER_LOCK, 0)])
        _advisory_locks([_lock_key(EVENT_LOCK, k) for k in keys])
        # Every facet the events' reports are in now, and every one they were counted in.
        computed = compute_facets(keys, _facets_of_events(keys))
        facets = set(computed) | set(
            EventCount.objects.filter(key__in=keys).values_list("facet", flat=True)
        )
        separated = separated_keys()
        for facet in sorted(facets):
            _refresh_facet(keys, facet, separated, computed.get(facet, ({}, {})))


def _facets_of_events(keys) -> dict[int, set[str]]:
    """The facets of each approved report of these events."""
    return facets_by_report(Report.objects.filter(reports_in_events(keys)).values("pk"))


def _refresh_facet(keys: list[str], facet: str, separated: dict, computed) -> None:
    """refresh() within one facet's rows; `computed`: compute_facets() of `keys` in it."""
    stored = EventCount.objects.filter(facet=facet)
    uses_stored = SourceUse.objects.filter(facet=facet)
    new_rows, new_uses = computed
    # What the events covering these add changes with them (rule 5): they are refreshed
    # too (covering is transitive, so one round finds them all).
    old = stored.filter(key__in=keys).values(
        "facet", "metric", "key", "place_id", "dated", "span_end"
    )
    wider = coverers([*old, *new_rows.values()], set(keys))
    if wider:
        keys = sorted(set(keys) | wider)
        _advisory_locks([_lock_key(EVENT_LOCK, k) for k in sorted(wider)])
        computed = compute_facets(keys, _facets_of_events(keys), only=facet)
        new_rows, new_uses = computed.get(facet, ({}, {}))
    settle_adds(new_rows, keys, separated, facet)
    old_pairs = set(uses_stored.filter(key__in=keys).values_list("metric", "source_id"))
    touched = old_pairs | {(m, s) for (m, _), cited in new_uses.items() for s in cited}
    _advisory_locks([_lock_key(SOURCE_LOCK, s) for _, s in touched])
    old_rows = {(r["metric"], r["key"]): r for r in stored.filter(key__in=keys).values()}
    # Every use of the touched sources, before and after: whether each is shared, how far
    # its uses spread, and so the other events' local counts and the cells, may change.
    before: dict[tuple, list] = defaultdict(list)
    others: dict[tuple, list] = defaultdict(list)
    for use in uses_stored.filter(
        metric__in={m for m, _ in touched}, source_id__in={s for _, s in touched}
    ).values("facet", "metric", "source_id", "key", "dated", "span_end", "reach", *ADM):
        pair = (use.pop("metric"), use.pop("source_id"))
        if pair in touched:
            before[pair].append(use)
            if use["key"] not in keys:
                others[pair].append(use)
    after: dict[tuple, list] = {pair: list(others[pair]) for pair in touched}
    for (metric, key), cited in new_uses.items():
        for source in cited:
            after[metric, source].append(use_of(new_rows[metric, key]))

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
                    facet, metric, before[pair], was[1]
                ).items():
                    add(cell, ancestry, sums, -1)
            if now[0]:
                for cell, (ancestry, sums) in source_cells(
                    facet, metric, after[pair], now[1]
                ).items():
                    add(cell, ancestry, sums, 1)
        if was != now and others[pair]:
            uses_stored.filter(metric=metric, source_id=source).exclude(key__in=keys).update(
                shared=now[0], span=now[1]
            )
    for (metric, key), change in sorted(local_changes.items()):
        if not change:
            continue
        row = stored.filter(metric=metric, key=key).values().first()
        EventCount.objects.filter(pk=row["id"]).update(local_sources=row["local_sources"] + change)
        if not is_stock(metric):
            for cell, ancestry, _ in flow_cells(row, 0):
                add(cell, ancestry, (0, 0, 0, 0, 0, change, 0, 0), 1)

    for (metric, _), row in old_rows.items():
        if not is_stock(metric):
            for cell, ancestry, sums in flow_cells(row, row["local_sources"]):
                add(cell, ancestry, sums, -1)
    stored.filter(key__in=keys).delete()
    uses_stored.filter(key__in=keys).delete()
    events, uses_rows = [], []
    for (metric, key), row in new_rows.items():
        cited = new_uses[metric, key]
        row["local_sources"] = sum(1 for s in cited if not state[metric, s][0])
        events.append(row)
        uses_rows += [
            {"metric": metric, "source_id": s, **use_of(row), "shared": state[metric, s][0],
             "span": state[metric, s][1]}
            for s in cited
        ]  # fmt: skip
        if not is_stock(metric):
            for cell, ancestry, sums in flow_cells(row, row["local_sources"]):
                add(cell, ancestry, sums, 1)
    EventCount.objects.bulk_create(EventCount(**row) for row in events)
    SourceUse.objects.bulk_create(SourceUse(**row) for row in uses_rows)
    _apply_flow_changes(cells)

    changed_stocks: dict[str, list] = defaultdict(list)
    for (metric, _), row in list(old_rows.items()) + list(new_rows.items()):
        if is_stock(metric):
            changed_stocks[metric].append(row)
    for metric, rows in sorted(changed_stocks.items()):
        _refresh_stock(facet, metric, rows)


def _apply_flow_changes(cells: dict) -> None:
    changes = [(cell, entry) for cell, entry in sorted(cells.items()) if any(entry[1])]
    if not changes:
        return
    table = FlowTotal._meta.db_table
    columns = ["facet", "metric", "node", "span", "start", "level", *ADM, *SUMS]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS)
    sql = (
        f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT (facet, metric, node, span, start) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(*cell, level, *adm, *sums) for cell, ((level, adm), sums) in changes]
        )
        cursor.executemany(
            f"DELETE FROM {table} WHERE facet = %s AND metric = %s AND node = %s AND span = %s "  # noqa: S608
            "AND start = %s "
            "AND events = 0",
            [cell for cell, _ in changes],
        )


STEP_VALUES = ("level", *ADM, "best", "low", "high", "events", "reports", "sources",
               "open_events", "approximate_events", "oldest", "newest", "own_key")  # fmt: skip


# What the sweep reads of each EventCount row (stocks.stock_steps).
SWEPT = ("facet", "metric", "key", *ADM, "dated", "published", "approved_at", "report_id",
         "figure_id", "best", "range_low", "range_high", "reports", "high_open",
         "approximate")  # fmt: skip


def _refresh_stock(facet: str, metric: str, changed: list[dict]) -> None:
    """Rewrite a stock's steps after these EventCount rows (before and after the change)
    changed: only at their places and those above them (no other node's total depends on
    them), and only over the window of dates in which their totals can differ.

    The window starts at the earliest changed date (`since`: the steps before it depend only
    on earlier figures). It ends (`until`) where every node's inputs are the same again: a
    changed place's own figure is replaced by its next own figure dated later; a place above
    it whose own figure stood can be set aside by a newer figure within it only until its own
    next figure; and a sum of children differs only where a child's total does. Past `until`
    the steps stay as stored; a place with no later figure of its own keeps the window open.

    The sweep restarts on the eve of `since` from each place's latest figure by then (the
    state of rules.standing_stocks then depends on nothing else) and replays only the
    figures dated inside the window."""
    _advisory_locks([_lock_key(STOCK_LOCK, (facet, metric))])
    stored = EventCount.objects.filter(facet=facet, metric=metric)
    since = min(row["dated"] for row in changed)
    until = _window_end(facet, metric, stored, changed)
    nodes = {node for row in changed for node, _, _ in nodes_of(row)}
    rows = list(
        stored.filter(pk__in=_latest_per_place(stored.filter(dated__lt=since))).values(*SWEPT)
    )
    window = stored.filter(dated__gte=since)
    if until is not None:
        window = window.filter(dated__lt=until)
    rows += list(window.values(*SWEPT))
    uses = defaultdict(set)
    for key, source in SourceUse.objects.filter(
        facet=facet, metric=metric, key__in=[r["key"] for r in rows]
    ).values_list("key", "source_id"):
        uses[metric, key].add(source)
    fresh: dict[int, list[dict]] = defaultdict(list)
    for step in stock_steps(rows, uses, since):
        inside = step["valid_from"] >= since and (until is None or step["valid_from"] < until)
        if inside and step["node"] in nodes:
            fresh[step["node"]].append(step)
    # The stored steps the window touches: the one standing on its eve (possibly ending on
    # `since`), those inside it, and the one standing at `until`, which carries on after it.
    touched = StockStep.objects.filter(facet=facet, metric=metric, node__in=nodes).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=since)
    )
    if until is not None:
        touched = touched.filter(valid_from__lte=until)
    before: dict[int, list[dict]] = defaultdict(list)
    for step in touched.order_by("valid_from").values():
        before[step["node"]].append(step)
    steps, kept = [], set()
    for node in nodes:
        spliced = _spliced(before[node], fresh[node], since, until)
        if _same_steps(spliced, before[node]):  # (a place above whose own figure stood)
            kept.update(step["id"] for step in before[node])
            continue
        # The step that begins at `until` and carries on as it was is left in place.
        if spliced and spliced[-1].get("id") is not None:
            kept.add(spliced.pop()["id"])
        steps += spliced
    old_ids = [step["id"] for node in nodes for step in before[node] if step["id"] not in kept]
    if old_ids:
        StockStep.objects.filter(pk__in=old_ids).delete()
    bulk_insert(StockStep, steps)


def _window_end(facet: str, metric: str, stored, changed: list[dict]) -> date | None:
    """The end (exclusive) of the dates over which these changed rows can change any total:
    None when it stays open (see _refresh_stock)."""
    ends: list[date] = []
    days = sorted({row["dated"] for row in changed})
    for day in days:
        places = {row["place_id"] for row in changed if row["dated"] == day}
        above = {
            node for row in changed if row["dated"] == day for node, _, _ in nodes_of(row)[1:-1]
        } - places
        found = {
            place: (later, from_day, earlier)
            for place, later, from_day, earlier in stored.filter(place_id__in=places | above)
            .values("place_id")
            .annotate(
                later=Min("dated", filter=Q(dated__gt=day)),
                from_day=Min("dated", filter=Q(dated__gte=day)),
                earlier=Count("id", filter=Q(dated__lt=day)),
            )
            .values_list("place_id", "later", "from_day", "earlier")
        }
        for place in places:
            later = found.get(place, (None, None, 0))[0]
            if later is None:
                return None
            ends.append(later)
        # A place above with an own figure can be set aside by a newer figure within it until
        # its own next one. On the first day changed, one already set aside on the eve stays
        # so either way (the stored steps then are the same before and after the change).
        if day == days[0]:
            eve = day - timedelta(days=1)
            above = set(
                StockStep.objects.filter(
                    facet=facet, metric=metric, node__in=above, valid_from__lte=eve
                )
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=eve))
                .exclude(own_key="")
                .values_list("node", flat=True)
            )
        for place in above:
            _, from_day, earlier = found.get(place, (None, None, 0))
            if earlier:
                if from_day is None:
                    return None
                ends.append(from_day)
    return max(ends, default=None)


def _same_steps(steps: list[dict], stored: list[dict]) -> bool:
    fields = (*STEP_VALUES, "valid_from", "valid_to")
    return len(steps) == len(stored) and all(
        all(a[f] == b[f] for f in fields) for a, b in zip(steps, stored, strict=True)
    )


def _spliced(before: list[dict], fresh: list[dict], since: date, until: date | None) -> list:
    """One node's steps over the window: the stored step on its eve, the fresh steps inside
    it, the stored step standing at `until`, with adjacent equal steps joined (a step begins
    only where the total changes, as the sweep writes them)."""
    head = [s for s in before if s["valid_from"] < since]
    tail = [
        s
        for s in before
        if until is not None
        and s["valid_from"] <= until
        and (s["valid_to"] is None or s["valid_to"] > until)
    ]
    sequence = [dict(s) for s in head[-1:]]
    sequence += [dict(s) for s in fresh]
    last_to: date | None = None
    carried: dict | None = None
    if tail:
        carried = dict(tail[0])
        last_to = carried["valid_to"]
        carried["valid_from"] = max(carried["valid_from"], until)
        sequence.append(carried)
    joined: list[dict] = []
    for step in sequence:
        if joined and all(joined[-1][f] == step[f] for f in STEP_VALUES):
            continue
        joined.append(step)
    for i, step in enumerate(joined):
        step["valid_to"] = joined[i + 1]["valid_from"] if i + 1 < len(joined) else last_to
    # Only a stored step beginning at `until` and still beginning there keeps its id (it
    # is unchanged); every other is written anew.
    for step in joined[:-1]:
        step.pop("id", None)
    if joined and not (tail and joined[-1] is carried and tail[0]["valid_from"] == until):
        joined[-1].pop("id", None)
    return joined


STANDING_ORDER = ("dated", "published", "approved_at", "report_id", "figure_id")


def _latest_per_place(rows) -> list[int]:
    """The ids of the latest of these EventCount rows at each place (rules.standing_stocks'
    order): DISTINCT ON in PostgreSQL, a pass over them elsewhere."""
    if connection.vendor == "postgresql":
        newest_first = [f"-{field}" for field in STANDING_ORDER]
        return list(
            rows.order_by("place_id", *newest_first)
            .distinct("place_id")
            .values_list("pk", flat=True)
        )
    latest: dict[int, tuple] = {}
    for pk, place, *order in rows.values_list("pk", "place_id", *STANDING_ORDER):
        if place not in latest or order > latest[place][1]:
            latest[place] = (pk, order)
    return [pk for pk, _ in latest.values()]


# --- checking ----------------------------------------------------------------------------------


def _comparable(model, row: dict) -> tuple:
    """The row's fields, its own before the ancestry, as (name, value) pairs."""
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    fields = [f for f in fields if f not in ADM] + list(ADM)
    return tuple((f, tuple(row[f]) if isinstance(row[f], list) else row[f]) for f in fields)


def _describe(pairs: tuple) -> str:
    return " ".join(
        f"{name}={value}"
        for name, value in pairs
        if value is not None and not (name == "facet" and value == "")
    )


def verify(limit: int = 20) -> list[str]:
    """Recompute every summary from the base tables in memory, one facet at a time, and compare
    with the stored rows: the differences, described (empty when they agree)."""
    models = (EventCount, SourceUse, FlowTotal, StockStep)
    stored = set()
    for model in models:
        stored |= set(model.objects.values_list("facet", flat=True).distinct())
    missing = {model: Counter() for model in models}
    extra = {model: Counter() for model in models}
    for facet, computed in _each_facet(also=stored):
        for model, expected in zip(models, computed, strict=True):
            want = Counter(_comparable(model, r) for r in expected)
            have = Counter(
                _comparable(model, r) for r in model.objects.filter(facet=facet).values()
            )
            missing[model] += want - have
            extra[model] += have - want
    differences = []
    for model in models:
        name = model.__name__
        for row in sorted(missing[model], key=str)[:limit]:
            differences.append(f"{name} missing: {_describe(row)}")
        for row in sorted(extra[model], key=str)[:limit]:
            differences.append(f"{name} not expected: {_describe(row)}")
        if len(missing[model]) + len(extra[model]) > 2 * limit:
            differences.append(
                f"{name}: {len(missing[model])} missing and {len(extra[model])} unexpected rows"
            )
    return differences
