"""Keeping the summary tables: rebuilt in bulk, refreshed after a change inside the caller's
transaction (advisory locks per event and source), verified against a recomputation."""

from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Q

from gazetteer.models import Place

from ...models import EventCount, FlowTotal, Report, SourceUse, StockStep
from ..facets import all_facets, facets_by_report, reports_in_events
from ..from_base_tables import separated_keys
from ..places import PlaceIndex, remembered
from ..rules import is_stock
from .cells import ADM, SUMS, flow_cells, source_cells, source_span, use_of
from .covering import coverers_by_facet, settle_adds, stored_covered
from .reading import any_of
from .rows import compute, compute_facets, derive, flow_total_rows
from .stock_changes import refresh_stocks
from .writing import (
    COVER_LOCK,
    EVENT_LOCK,
    REBUILD_LOCK,
    SOURCE_LOCK,
    STOCK_LOCK,
    advisory_locks,
    bulk_insert,
    lock_all,
    lock_key,
)


def rebuild() -> dict[str, int]:
    """Recompute every summary from the base tables; returns the number of rows per table.
    One facet at a time, so memory holds one facet's rows, not all of them."""
    written = dict.fromkeys(("EventCount", "SourceUse", "FlowTotal", "StockStep"), 0)
    with transaction.atomic():
        lock_all()
        for model in (EventCount, SourceUse, FlowTotal, StockStep):
            model.objects.all().delete()
        for _, computed in _each_facet():
            _write(computed, written)
    return written


def rebuild_facet(facet: str) -> dict[str, int]:
    """rebuild() of one facet (a facet the summaries did not keep before: migrations 0032, 0035)."""
    written = dict.fromkeys(("EventCount", "SourceUse", "FlowTotal", "StockStep"), 0)
    with transaction.atomic():
        lock_all()
        for model in (EventCount, SourceUse, FlowTotal, StockStep):
            model.objects.filter(facet=facet).delete()
        _write(_computed(facet), written)
    return written


def misplaced(place_ids) -> list[int]:
    """The places at or under these whose summary rows hold ancestors (adm0-adm4) the
    gazetteer no longer gives them: a place re-pointed to another parent after figures there
    were counted. One query of the distinct places and ancestries stored under them."""
    by_level: dict[int, list[int]] = defaultdict(list)
    # (A country has no parent to move under: a renamed one reads nothing.)
    movable = Place.objects.filter(pk__in=list(place_ids), admin_level__gt=0)
    for pk, level in movable.values_list("pk", "admin_level"):
        by_level[level].append(pk)
    if not by_level:
        return []
    under = any_of(Q(**{f"adm{level}__in": pks}) for level, pks in by_level.items())
    ancestries = list(EventCount.objects.filter(under).values_list("place_id", *ADM).distinct())
    places = PlaceIndex.around({place for place, *_ in ancestries})
    return sorted({place for place, *adm in ancestries if places.by_level(place) != list(adm)})


def _write(computed: tuple[list, list, list, list], written: dict[str, int]) -> None:
    """One facet's rows of the four tables inserted, counted in `written`."""
    events, source_uses, flow_rows, steps = computed
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


def _each_facet(also=()):
    """For every facet (and `also`), in order: the facet and the rows of all four tables,
    computed from the base tables."""
    places = PlaceIndex.everything()
    for facet in sorted(all_facets() | set(also)):
        yield facet, _computed(facet, places)


def _computed(facet: str, places=None) -> tuple[list, list, list, list]:
    """One facet's rows of the four tables, computed from the base tables."""
    rows, uses = compute(facet, places)
    events, source_uses, flows, steps = derive(rows, uses)
    return events, source_uses, flow_total_rows(flows), steps


# --- following a change ------------------------------------------------------------------------

# The summaries follow every change in the same transaction (refresh(), called by the
# services), so an answer never disagrees with the base tables, not even for the seconds a
# queued task would take; a change touches one event's rows and the few cells above its place.
# Concurrent moderators are serialised per event and per source with PostgreSQL advisory locks
# (SQLite writes one at a time anyway); sums are applied as increments, which commute.


def refresh(keys) -> None:
    """Bring the summaries of these event keys ("e<id>", "r<id>") up to date with the base
    tables, inside the caller's transaction."""
    keys = sorted(set(keys))
    if not keys:
        return
    # In the caller's transaction without a savepoint of its own (two round trips): an error
    # undoes the caller's whole change anyway.
    with transaction.atomic(savepoint=False), remembered():
        # rebuild() holds REBUILD_LOCK exclusively. Refreshes follow one another: which events
        # cover a changed one, and what each adds, is read from the stored rows, and two
        # transactions each approving one of a covering figure and a figure inside it would
        # otherwise not see each other (rule 5). Then the events' own locks.
        # A refresh's queries are index probes of a few rows each: on PostgreSQL, without
        # parallel workers for the rest of the transaction (starting them took longer than the
        # queries, 15 ms on a busy machine for a UNION of a few aggregates).
        advisory_locks(
            [lock_key(EVENT_LOCK, k) for k in keys],
            before=[((REBUILD_LOCK, 0), True), ((COVER_LOCK, 0), False)],
            settings=[("max_parallel_workers_per_gather", "0")],
        )
        # Every facet the events' reports are in now, and every one they were counted in;
        # their stored rows and uses, read once for all facets.
        computed = compute_facets(keys, _facets_of_events(keys))
        stored: dict[str, dict] = defaultdict(dict)
        for row in EventCount.objects.filter(key__in=keys).values():
            stored[row["facet"]][row["metric"], row["key"]] = row
        used: dict[str, set] = defaultdict(set)
        for facet, metric, source in SourceUse.objects.filter(key__in=keys).values_list(
            "facet", "metric", "source_id"
        ):
            used[facet].add((metric, source))
        facets = set(computed) | set(stored)
        # What the events covering these add changes with them (rule 5): in each facet, they
        # are refreshed too (covering is transitive, so one round finds them all); their
        # rows are read and computed once for all facets.
        found = coverers_by_facet(
            [
                row
                for facet in facets
                for row in (*stored[facet].values(), *computed.get(facet, ({}, {}))[0].values())
            ],
            set(keys),
        )
        wider = {facet: found.get(facet, set()) for facet in facets}
        extra = set().union(*wider.values())
        keys_in = {facet: keys for facet in facets}
        if extra:
            advisory_locks([lock_key(EVENT_LOCK, k) for k in extra])
            for row in EventCount.objects.filter(key__in=extra).values():
                if row["key"] in wider.get(row["facet"], ()):
                    stored[row["facet"]][row["metric"], row["key"]] = row
            for facet, metric, source, key in SourceUse.objects.filter(key__in=extra).values_list(
                "facet", "metric", "source_id", "key"
            ):
                if key in wider.get(facet, ()):
                    used[facet].add((metric, source))
            everything = sorted(set(keys) | extra)
            recomputed = compute_facets(everything, _facets_of_events(everything))
            for facet in facets:
                if wider[facet]:
                    keys_in[facet] = sorted(set(keys) | wider[facet])
                    rows, uses = recomputed.get(facet, ({}, {}))
                    computed[facet] = (
                        {k: r for k, r in rows.items() if k[1] in keys_in[facet]},
                        {k: u for k, u in uses.items() if k[1] in keys_in[facet]},
                    )
        # The sources whose uses change and the stocks whose steps do, locked at once.
        touched = {
            facet: used[facet]
            | {(m, s) for (m, _), cited in computed.get(facet, ({}, {}))[1].items() for s in cited}
            for facet in facets
        }
        held = {lock_key(SOURCE_LOCK, source) for facet in facets for _, source in touched[facet]}
        held |= {
            lock_key(STOCK_LOCK, (facet, metric))
            for facet in facets
            for metric, _ in [*stored[facet], *computed.get(facet, ({}, {}))[0]]
            if is_stock(metric)
        }
        advisory_locks(held)
        # What every facet's refresh reads, read once for all of them: the marks of figures
        # counted apart (only flows need them), what the stored events each changed flow
        # covers add, and every use of the touched sources.
        flows = [
            (facet, row, keys_in[facet])
            for facet in facets
            for row in computed.get(facet, ({}, {}))[0].values()
            if not is_stock(row["metric"])
        ]
        separated = separated_keys() if flows else {}
        covered = stored_covered(flows, separated)
        uses_before = _uses_of(touched)
        writes = _Writes()
        for facet in sorted(facets):
            _refresh_facet(
                keys_in[facet],
                facet,
                separated,
                computed.get(facet, ({}, {})),
                (stored[facet], touched[facet], uses_before.get(facet, [])),
                covered,
                writes,
            )
        writes.apply()


def _uses_of(touched: dict[str, set[tuple]]) -> dict[str, list[dict]]:
    """Every stored use of these (metric, source) pairs, by facet, in one query."""
    pairs = {(facet, *pair) for facet, found in touched.items() for pair in found}
    if not pairs:
        return {}
    found: dict[str, list[dict]] = defaultdict(list)
    for use in SourceUse.objects.filter(
        facet__in={f for f, _, _ in pairs},
        metric__in={m for _, m, _ in pairs},
        source_id__in={s for _, _, s in pairs},
    ).values("facet", "metric", "source_id", "key", "dated", "span_end", "reach", *ADM):
        if (use["facet"], use["metric"], use["source_id"]) in pairs:
            found[use["facet"]].append(use)
    return found


def _facets_of_events(keys) -> dict[int, set[str]]:
    """The facets of each approved report of these events."""
    return facets_by_report(Report.objects.filter(reports_in_events(keys)).values("pk"))


def _refresh_facet(
    keys: list[str], facet: str, separated: dict, computed, known, covered, writes: "_Writes"
) -> None:
    """refresh() within one facet's rows, of `keys` (with the events covering them);
    `computed`: compute_facets() of `keys` in it; `known`: their stored EventCount rows in it,
    the (metric, source) pairs whose uses change (their stored ones and the computed ones)
    and every stored use of those pairs; `covered`: stored_covered() of the computed flows.
    The caller holds every lock."""
    stored = EventCount.objects.filter(facet=facet)
    uses_stored = SourceUse.objects.filter(facet=facet)
    new_rows, new_uses = computed
    old_rows, touched, stored_uses = known
    settle_adds(new_rows, keys, separated, facet, covered)
    # Every use of the touched sources, before and after: whether each is shared, how far
    # its uses spread, and so the other events' local counts and the cells, may change.
    before: dict[tuple, list] = defaultdict(list)
    others: dict[tuple, list] = defaultdict(list)
    for stored_use in stored_uses:
        use = dict(stored_use)
        pair = (use.pop("metric"), use.pop("source_id"))
        if pair in touched:
            before[pair].append(use)
            if use["key"] not in keys:
                others[pair].append(use)
    after: dict[tuple, list] = {pair: list(others[pair]) for pair in touched}
    for (metric, key), cited in new_uses.items():
        for source in cited:
            after[metric, source].append(use_of(new_rows[metric, key]))

    cells = writes.cells

    def add(cell, ancestry, sums, sign):
        entry = cells.setdefault(cell, [ancestry, [0] * len(SUMS)])
        for i, n in enumerate(sums):
            entry[1][i] += sign * n

    local_changes: Counter = Counter()
    # The other events with a source turning shared or local: even when their count of local
    # sources comes out the same (one turns local as another turns shared), which of their
    # sources are shared changed, and a stock's steps hold those (stocks.py).
    turned: set[tuple[str, str]] = set()
    state: dict[tuple, tuple[bool, str]] = {}
    for pair in sorted(touched):
        metric, source = pair
        was = (len(before[pair]) > 1, source_span(before[pair]) if before[pair] else "")
        now = (len(after[pair]) > 1, source_span(after[pair]) if after[pair] else "")
        state[pair] = now
        change = (not now[0]) - (not was[0])
        for use in others[pair]:
            local_changes[metric, use["key"]] += change
            if change:
                turned.add((metric, use["key"]))
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
    changed_stocks: dict[str, list] = defaultdict(list)
    for metric, key in sorted(turned):
        change = local_changes[metric, key]
        if not change and not is_stock(metric):
            continue
        row = stored.filter(metric=metric, key=key).values().first()
        if change:
            EventCount.objects.filter(pk=row["id"]).update(
                local_sources=row["local_sources"] + change
            )
        if is_stock(metric):
            # Its steps hold its local sources and its shared ones apart (stocks.py).
            changed_stocks[metric].append(row)
        else:
            for cell, ancestry, _ in flow_cells(row, 0):
                add(cell, ancestry, (0, 0, 0, 0, 0, change, 0, 0), 1)

    for (metric, _), row in old_rows.items():
        if not is_stock(metric):
            for cell, ancestry, sums in flow_cells(row, row["local_sources"]):
                add(cell, ancestry, sums, -1)
    writes.replaced.append(Q(facet=facet, key__in=keys))
    events, uses_rows = writes.events, writes.uses
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
    for (metric, _), row in list(old_rows.items()) + list(new_rows.items()):
        if is_stock(metric):
            changed_stocks[metric].append(row)
    writes.stocks += [(facet, metric, rows) for metric, rows in sorted(changed_stocks.items())]


class _Writes:
    """What the facets of one refresh write, written together (a facet's rows are its own:
    no facet reads another's), the stocks' steps last (they read the rows written)."""

    def __init__(self):
        self.replaced: list[Q] = []  # (facet, keys) whose EventCount and SourceUse go
        self.events: list[dict] = []
        self.uses: list[dict] = []
        self.cells: dict[tuple, list] = {}
        self.stocks: list[tuple[str, str, list]] = []

    def apply(self) -> None:
        if self.replaced:
            _delete_rows(any_of(self.replaced))
        # (COPY on PostgreSQL: the ORM's INSERT of an approval's 20 rows built a model each.)
        bulk_insert(EventCount, self.events)
        bulk_insert(SourceUse, self.uses)
        _apply_flow_changes(self.cells)
        refresh_stocks(self.stocks)


def _delete_rows(replaced: Q) -> None:
    """Delete the EventCount and SourceUse rows of these (facet, keys): on PostgreSQL in one
    statement (a data-modifying WITH), elsewhere in two."""
    events = EventCount.objects.filter(replaced)
    uses = SourceUse.objects.filter(replaced)
    if connection.vendor != "postgresql":
        events.delete()
        uses.delete()
        return
    parts = []
    for queryset in (events, uses):
        where, params = queryset.query.get_compiler(connection=connection).compile(
            queryset.query.where
        )
        parts.append((queryset.model._meta.db_table, where, params))
    (first, first_where, first_params), (second, second_where, second_params) = parts
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {first} WHERE {first_where}) "  # noqa: S608
            f"DELETE FROM {second} WHERE {second_where}",
            [*first_params, *second_params],
        )


def _apply_flow_changes(cells: dict) -> None:
    """Add the changes to their FlowTotal cells (a new cell inserted), and remove the cells
    left holding no event."""
    changes = [(cell, entry) for cell, entry in sorted(cells.items()) if any(entry[1])]
    if not changes:
        return
    table = FlowTotal._meta.db_table
    columns = ["facet", "metric", "node", "span", "start", "level", *ADM, *SUMS]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS)
    rows = [(*cell, level, *adm, *sums) for cell, ((level, adm), sums) in changes]
    cell_columns = ("facet", "metric", "node", "span", "start")
    if connection.vendor == "postgresql":
        # One statement each, whatever the number of cells: a column per array.
        types = {f.column: f.db_type(connection) for f in FlowTotal._meta.concrete_fields}
        arrays = ", ".join(f"%s::{types[c]}[]" for c in columns)
        cell_arrays = ", ".join(f"%s::{types[c]}[]" for c in cell_columns)
        matches = " AND ".join(f"t.{c} = cell.{c}" for c in cell_columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) SELECT * FROM unnest({arrays}) "  # noqa: S608
                f"ON CONFLICT (facet, metric, node, span, start) DO UPDATE SET {updates}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            cursor.execute(
                f"DELETE FROM {table} t USING unnest({cell_arrays}) "  # noqa: S608
                f"AS cell({', '.join(cell_columns)}) WHERE {matches} AND t.events = 0",
                [list(column) for column in zip(*[cell for cell, _ in changes], strict=True)],
            )
        return
    sql = (
        f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT (facet, metric, node, span, start) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        cursor.executemany(
            f"DELETE FROM {table} WHERE facet = %s AND metric = %s AND node = %s AND span = %s "  # noqa: S608
            "AND start = %s "
            "AND events = 0",
            [cell for cell, _ in changes],
        )


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
