"""Following a change to a stock's counted figures: the steps of the changed places and of the
places above them rewritten, each from its own figures and its children's stored steps, over
the dates where its inputs changed (docs/counting.md)."""

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from gazetteer.models import Place

from ...models import EventCount, SourceUse, StockStep
from ..assemble import among
from ..rules import stands_over
from .cells import ADM, nodes_of, stock_stored_from
from .reading import any_of
from .stocks import LOCAL, STANDING_ORDER, WIDTH, own_value, step_row
from .writing import bulk_insert

STEP_VALUES = ("level", *ADM, "best", "low", "high", "events", "reports", "sources",
               "open_events", "approximate_events", "at_most_events", "oldest", "newest",
               "own_key", "shared_sources")  # fmt: skip

# What a node's own figures are read with (stocks.own_value, the standing order).
OWN = ("key", "dated", "published", "approved_at", "report_id", "figure_id", "best",
       "range_low", "range_high", "reports", "high_open", "approximate", "at_most", "sources",
       "local_sources")  # fmt: skip


_standing = itemgetter(*STANDING_ORDER)  # a row's place in the standing order, as a tuple


Window = tuple[date, date | None]  # [start, end); None: open
# A change's window up to so many days (an open one: to today) is read at once, every level
# together (refresh_stocks).
SHORT_WINDOW = 92


def _hull(a: Window | None, b: Window | None) -> Window | None:
    if a is None or b is None:
        return a or b
    end = None if a[1] is None or b[1] is None else max(a[1], b[1])
    return (min(a[0], b[0]), end)


_FROM = itemgetter("valid_from")


def _bounds(steps: list[dict], start: date, end: date | None) -> tuple[int, int]:
    """The slice of steps (in date order, apart) from the one standing on `start`'s eve to the
    last beginning by `end`, by bisection."""
    lo = max(bisect_left(steps, start, key=_FROM) - 1, 0)
    return lo, len(steps) if end is None else bisect_right(steps, end, key=_FROM)


def _touching(steps: list[dict], start: date, end: date | None) -> list[dict]:
    """The steps from the one standing on `start`'s eve to the last beginning by `end`."""
    lo, hi = _bounds(steps, start, end)
    return steps[lo:hi]


def _within(inner: Window, outer: Window) -> bool:
    return outer[0] <= inner[0] and (
        outer[1] is None or (inner[1] is not None and inner[1] <= outer[1])
    )


def _earlier(a: date | None, b: date | None) -> date | None:
    """The earlier of two ends (None: open)."""
    return b if a is None else a if b is None else min(a, b)


def _merged(windows: list[Window]) -> list[Window]:
    """The windows apart, in date order: those overlapping or touching joined into one."""
    joined: list[Window] = []
    for w in sorted(windows, key=lambda w: w[0]):
        if joined and (joined[-1][1] is None or joined[-1][1] >= w[0]):
            first, last = joined[-1]
            joined[-1] = (first, None if last is None or w[1] is None else max(last, w[1]))
        else:
            joined.append(w)
    return joined


def refresh_stock(facet: str, metric: str, changed: list[dict]) -> None:
    """refresh_stocks() of one stock."""
    refresh_stocks([(facet, metric, changed)])


def refresh_stocks(changes: list[tuple[str, str, list[dict]]]) -> None:
    """Rewrite stocks' steps after these EventCount rows (before and after the change, and
    those whose local source count changed) changed: (facet, metric, rows) of each stock.

    A node's standing total at a date depends only on its own figures dated by then and its
    children's totals at that date (stocks.py). So a changed place's steps can differ only
    from its earliest changed date to its next own figure after its latest changed one (from
    then on that figure stands whatever the change was; open when it has none): they are
    recomputed there from its own figures and its children's stored steps. A place above is
    recomputed where a child's steps came out different, and so on up to the top place; a node
    whose steps come out the same stops the climb, and a place above is recomputed only over
    the dates where its child's steps came out different (over a long window, by difference
    from its stored steps: _difference). The nodes' own figures and shared sources are read in
    two queries for all the stocks together, their steps in one or two per level the change
    climbs (the facets together: the second for the dates the difference does not tell), and
    written in two: only the steps that differ from the stored ones. The caller holds each
    stock's advisory lock (STOCK_LOCK, (facet, metric))."""
    stocks = [_Stock(facet, metric, changed) for facet, metric, changed in changes if changed]
    stocks = [stock for stock in stocks if stock.info]
    if not stocks:
        return
    own = _own_figures(stocks)
    for stock in stocks:
        stock.own = own.get((stock.facet, stock.metric), {})
        stock.set_windows()
    shared = _shared_sources(stocks)
    # A change climbs from its places to the top one, each node's window within the dates
    # where its children's steps came out different. Over a long window (an open one runs to
    # today) the steps are read a level at a time, each node's and its children's over its
    # own windows only (a back-dated figure at a place with no later figure of its own would
    # read every later step of every node above it and of their children, though its total
    # stops mattering at the next figure above); over a short one, every node's over the
    # whole window at once (one round trip, not one per level).
    eager = [stock for stock in stocks if not stock.lazy()]
    for stock, by_node in zip(eager, _steps_around(eager), strict=True):
        stock.by_node = by_node
    sets, texts = _Sets(), _Texts()
    levels = sorted({level for stock in stocks for level, _, _ in stock.info.values()})
    for level in reversed(levels):
        here = [
            (stock, node)
            for stock in stocks
            for node, (at, _, _) in stock.info.items()
            if at == level and stock.windows.get(node)
        ]
        # Over a long window a node whose own figures did not change, only its children's
        # steps, is recomputed by difference (_difference): its own steps are read over its
        # windows, and its children's only over the dates where the difference does not tell
        # (holes); any other node from its children, read over its windows (over a short
        # window, every node from its children, read already).
        lazy = [(stock, node) for stock, node in here if stock.lazy()]
        apart = {(id(stock), node) for stock, node in lazy if stock.apart(node)}
        wanted = [
            (stock, _Around.over(stock, node, stock.windows[node], (id(stock), node) not in apart))
            for stock, node in lazy
        ]
        _read(wanted)
        holes = []
        for stock, node in here:
            sources = shared.get((stock.facet, stock.metric), {})
            if (id(stock), node) in apart:
                holes += [
                    (stock, node, hole) for hole in stock.by_difference(node, sources, sets, texts)
                ]
            else:
                stock.rewrite(node, sources, sets, texts)
        gaps: dict[tuple[_Stock, int], list[Window]] = defaultdict(list)
        for stock, node, hole in holes:
            gaps[stock, node].append(hole)
        _read([(stock, _Around.over(stock, node, h, True)) for (stock, node), h in gaps.items()])
        for stock, node in gaps:
            stock.fill(node, shared.get((stock.facet, stock.metric), {}), sets, texts)
    _delete(sorted(i for stock in stocks for i in stock.deleted))
    bulk_insert(
        StockStep,
        [row for stock in stocks for row in stock.written],
        encoded={"shared_sources"},
    )


def _read(wanted: list[tuple["_Stock", "_Around"]]) -> None:
    """Each stock takes the steps read for it, in one statement for all."""
    found = _steps_around([around for _, around in wanted])
    for (stock, around), by_node in zip(wanted, found, strict=True):
        stock.take(by_node, around.spans or [around.window])


class _Stock:
    """One stock's change: the nodes it reaches, their windows, their steps rewritten."""

    def __init__(self, facet: str, metric: str, changed: list[dict]):
        self.facet, self.metric = facet, metric
        self.info: dict[int, tuple[int, tuple, int | None]] = {}  # node: level, adm, parent
        self.changed_on: dict[int, list[date]] = defaultdict(list)
        stored = stock_stored_from(facet)
        for row in changed:
            chain = nodes_of(row)[stored:]  # the nodes whose steps are stored
            if not chain:
                continue  # (a top place's figure in a facet: its steps are composed when read)
            for i, (node, level, adm) in enumerate(chain):
                self.info[node] = (level, adm, chain[i - 1][0] if i else None)
            self.changed_on[chain[-1][0]].append(row["dated"])
        self.since = min((day for days in self.changed_on.values() for day in days), default=None)
        self.places = list(self.info)
        self.own: dict[int, list[dict]] = {}
        self.windows: dict[int, list[Window]] = {}  # apart, in date order
        self.whole: Window | None = None
        self.by_node: dict[int, list[dict]] = {}  # the steps read, and those rewritten
        self.read: dict[int, list[Window]] = {}  # the windows each node's steps were read over
        self.deleted: set[int] = set()  # the ids of the stored steps replaced
        self.gone: dict[int, list[dict]] = defaultdict(list)  # those steps, by node
        self.moved: dict[int, set[int]] = defaultdict(set)  # node: its children rewritten
        self.pending: dict[int, list] = {}  # by_difference()'s windows with holes
        self.written: list[dict] = []

    def set_windows(self) -> None:
        for place, days in self.changed_on.items():
            last = max(days)
            later = min(
                (r["dated"] for r in self.own.get(place, ()) if r["dated"] > last), default=None
            )
            self.windows[place] = [(min(days), later)]
        for windows in self.windows.values():
            for window in windows:
                self.whole = _hull(self.whole, window)
        assert self.whole is not None

    def lazy(self) -> bool:
        """Whether its steps are read a level at a time (refresh_stocks()). An open window
        ends today as far as steps go: no figure is dated in the future."""
        assert self.whole is not None
        start, end = self.whole
        return ((end or timezone.localdate()) - start).days > SHORT_WINDOW

    def read_over(self, windows: list[Window]) -> set[int]:
        """The nodes whose steps touching each of these windows were read already (a node
        missing the first is passed over at once: a long change has hundreds of windows)."""
        return {
            node
            for node, read in self.read.items()
            if all(any(_within(window, other) for other in read) for window in windows)
        }

    def take(self, by_node: dict[int, list[dict]], windows: list[Window]) -> None:
        """Steps read from the table over these windows: those of a node already rewritten are
        added where it has none of its own there (a child read again over its parent's window,
        when a child elsewhere widened that beyond what was read of it)."""
        for node, steps in by_node.items():
            self.read.setdefault(node, []).extend(windows)
            have = self.by_node.get(node)
            if have is None:
                self.by_node[node] = steps
                continue
            known = {s.get("id") for s in have} | self.deleted
            more = [s for s in steps if s["id"] not in known]
            if more:
                self.by_node[node] = sorted(have + more, key=lambda s: s["valid_from"])

    def shared_keys(self) -> list[str]:
        # Only figures citing a shared source (sources beyond their local ones) have any.
        return [
            r["key"]
            for rows in self.own.values()
            for r in rows
            if r["sources"] > r["local_sources"]
        ]

    def apart(self, node: int) -> bool:
        """Whether the node's steps are recomputed by difference (by_difference()): its own
        figures did not change, only its children's steps."""
        return bool(self.moved.get(node)) and node not in self.changed_on

    def rewrite(self, node: int, shared: dict[str, set[int]], sets, texts) -> None:
        """Recompute one node's steps over its windows from its own figures and its children's
        steps (in self.by_node); the steps that come out different replace the stored ones,
        and the parent's windows take in the dates where they differ."""
        children = self._children(node)
        for window in self.windows.get(node, []):
            states = _compose(self.own.get(node, []), shared, children, *window, sets)
            self._rewrite(node, window, states, texts)

    def by_difference(self, node: int, shared, sets, texts) -> list[Window]:
        """rewrite() by difference from the node's stored steps and its changed children's,
        over its windows where that tells; the holes where it does not are left to fill()
        (returned: its children are to be read over them), and with them every window of the
        node, rewritten in date order there."""
        changed = [(self.before_change(c), self.by_node.get(c, [])) for c in self.moved[node]]
        stored = self.by_node.get(node, [])
        found = []
        for window in self.windows.get(node, []):
            runs = _difference(
                self.own.get(node, []),
                shared,
                _touching(stored, *window),
                [(_touching(old, *window), _touching(new, *window)) for old, new in changed],
                *window,
                sets,
            )
            found.append((window, runs, _holes(runs, window[1])))
        holes = [hole for _, _, untold in found for hole in untold]
        if holes:
            self.pending[node] = found
        else:
            for window, runs, _ in found:
                self._rewrite(node, window, _steps_of(runs, window[1]), texts)
        return holes

    def fill(self, node: int, shared, sets, texts) -> None:
        """Finish by_difference(): its holes recomputed from the children (read over them),
        each window rewritten whole."""
        children = self._children(node)
        for window, runs, holes in self.pending.pop(node):
            for hole in holes:
                composed = _compose(self.own.get(node, []), shared, children, *hole, sets)
                runs = _replaced(runs, hole, composed)
            self._rewrite(node, window, _steps_of(runs, window[1]), texts)

    def _children(self, node: int) -> dict[int, list[dict]]:
        return {
            child: steps
            for child, steps in self.by_node.items()
            if steps and child != node and _parent_of(steps[0]) == node
        }

    def before_change(self, node: int) -> list[dict]:
        """A node's steps as they were stored before this change (those read)."""
        kept = [s for s in self.by_node.get(node, []) if "id" in s and s["id"] not in self.deleted]
        return sorted(kept + self.gone.get(node, []), key=lambda s: s["valid_from"])

    def _rewrite(self, node: int, window: Window, states: list, texts) -> None:
        facet, metric, by_node = self.facet, self.metric, self.by_node
        level, adm, parent = self.info[node]
        fresh = []
        for day, value, key, sources, dates, to in states:
            row = step_row(facet, metric, node, level, adm, day, value, key, (), dates, to)
            row["sources"] += len(sources)
            row["shared_sources"] = texts.of(sources)
            fresh.append(row)
        start, end = window
        # The stored steps the window touches: the one standing on its eve (possibly ending on
        # `start`), those inside it, and the one standing at `end`, which carries on.
        steps = by_node.get(node, [])
        lo, hi = _bounds(steps, start, end)
        before = [
            s
            for s in steps[lo:hi]
            if (s["valid_to"] is None or s["valid_to"] >= start)
            and (end is None or s["valid_from"] <= end)
        ]
        spliced = _spliced(before, fresh, start, end)
        if _same_steps(spliced, before):
            return
        # A stored step that comes out the same (same start, end and values) stays as it is:
        # only the others are deleted and written, and only their dates can change the
        # parent's total.
        stored = {s["valid_from"]: s for s in before}
        unchanged = {
            id(old)
            for s in spliced
            if (old := stored.get(s["valid_from"])) is not None and _same_step(s, old)
        }
        gone = [s for s in before if id(s) not in unchanged]
        new = [s for s in spliced if id(stored.get(s["valid_from"])) not in unchanged]
        self.deleted.update(s["id"] for s in gone)
        self.gone[node] += gone
        self.written += [{"facet": facet, "metric": metric, "node": node, **s} for s in new]
        replaced = {id(s) for s in gone}
        kept = [s for s in steps[lo:hi] if id(s) not in replaced]
        by_node[node] = [*steps[:lo], *sorted(kept + new, key=_FROM), *steps[hi:]]
        if parent is not None:
            # The totals can differ only inside the window (before it the eve's step stands,
            # after it the step carried on), where a step was replaced: the parent is
            # recomputed over those dates alone.
            spans = [
                (max(start, s["valid_from"]), _earlier(s["valid_to"], end)) for s in [*gone, *new]
            ]
            self.windows[parent] = _merged([*self.windows.get(parent, []), *spans])
            self.moved[parent].add(node)


def _shared_sources(stocks: list[_Stock]) -> dict[tuple[str, str], dict[str, set[int]]]:
    """The shared sources of the stocks' own figures that cite any, by (facet, metric) and
    key, in one query."""
    wanted = [
        Q(facet=stock.facet, metric=stock.metric, key__in=keys)
        for stock in stocks
        if (keys := stock.shared_keys())
    ]
    shared: dict[tuple[str, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    if wanted:
        for facet, metric, key, source in SourceUse.objects.filter(
            any_of(wanted), shared=True
        ).values_list("facet", "metric", "key", "source_id"):
            shared[facet, metric][key].add(source)
    return shared


def _delete(ids: list[int]) -> None:
    # One statement (Django deletes the steps without reading them: nothing refers to them),
    # on PostgreSQL with the ids as one array parameter (among()).
    if ids:
        StockStep.objects.filter(among(ids)).delete()


def _parent_of(step: dict) -> int | None:
    """The node above a step's node: the nearest place above it (a level may be skipped); None
    above a top place (everywhere's steps are not stored)."""
    for level in range(step["level"] - 1, -1, -1):
        if step[ADM[level]] is not None:
            return step[ADM[level]]
    return None


class _Around(NamedTuple):
    """Steps to read: of these nodes (node: level) of a stock and of their children (if
    `children`), but not those `known` (read over the window already), those touching the
    window; or over several windows, `spans`, `window` their hull."""

    facet: str
    metric: str
    nodes: dict[int, int]
    window: Window
    known: set[int] = set()
    children: bool = True
    spans: tuple[Window, ...] = ()

    @classmethod
    def over(cls, stock: "_Stock", node: int, windows: list[Window], children: bool) -> "_Around":
        """One node's steps (and its children's, or not) over these windows (apart, in date
        order), but those of the nodes read over them already."""
        level = stock.info[node][0]
        hull = (windows[0][0], windows[-1][1])
        known = stock.read_over(windows)
        return cls(stock.facet, stock.metric, {node: level}, hull, known, children, tuple(windows))

    @classmethod
    def whole(cls, stock: "_Stock") -> "_Around":
        assert stock.whole is not None
        nodes = {node: level for node, (level, _, _) in stock.info.items()}
        return cls(stock.facet, stock.metric, nodes, stock.whole)


def _steps_around(wanted: list) -> list[dict[int, list[dict]]]:
    """The stored steps, by node, of each _Around's nodes and of their children that touch its
    window: those standing on its first day or its eve, inside it or standing at its end. A
    _Stock stands for its nodes over its whole window."""
    wanted = [_Around.whole(w) if isinstance(w, _Stock) else w for w in wanted]
    if not wanted:
        return []
    if connection.vendor == "postgresql":
        return _steps_around_postgresql(wanted)
    found = []
    for around in wanted:
        start, end = around.window
        nodes = Q(node__in=list(around.nodes))
        for node, level in around.nodes.items():
            if around.children:
                nodes |= _children_q(node, level)
        # (Over several windows, their hull: one condition each would pass SQLite's limit of
        # an expression's depth with a thousand.)
        touching = Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        if end is not None:
            touching &= Q(valid_from__lte=end)
        by_node: dict[int, list[dict]] = defaultdict(list)
        for step in (
            StockStep.objects.filter(facet=around.facet, metric=around.metric)
            .filter(nodes, touching)
            .exclude(node__in=around.known)
            .order_by("valid_from")
            .values("id", "node", "valid_from", "valid_to", *STEP_VALUES)
        ):
            step["shared_sources"] = _text(step["shared_sources"])
            by_node[step.pop("node")].append(step)
        found.append(dict(by_node))
    return found


def _steps_around_postgresql(wanted: list[_Around]) -> list[dict[int, list[dict]]]:
    """_steps_around() by each node's index, in one statement: the nodes (those asked and the
    gazetteer's children of each), the step of each standing on the eve of the window (its
    latest before it, one index probe each) and those beginning inside it (one index range
    each). The plain query reads every step of the children's levels up to the window's
    end."""
    columns = ", ".join(f"t.{c}" for c in ("id", "node", "valid_from", "valid_to", *STEP_VALUES))
    table = StockStep._meta.db_table
    parts, params = [], {}
    for i, around in enumerate(wanted):
        parents = f"parent_id = ANY(%(places{i})s)" if around.children else "false"
        params |= {f"nodes{i}": list(around.nodes), f"places{i}": list(around.nodes),
                   f"known{i}": sorted(around.known),
                   f"facet{i}": around.facet, f"metric{i}": around.metric}  # fmt: skip
        if around.spans:
            parts.append(_spans_part(i, parents, columns))
            params |= {f"starts{i}": [start for start, _ in around.spans],
                       f"ends{i}": [end for _, end in around.spans]}  # fmt: skip
            continue
        start, end = around.window
        inside = f"t.valid_from >= %(start{i})s" + (
            f" AND t.valid_from <= %(end{i})s" if end else ""
        )
        same = f"t.facet = %(facet{i})s AND t.metric = %(metric{i})s"
        parts.append(f"""
            (WITH nodes AS (
                SELECT unnest(%(nodes{i})s::bigint[]) AS node
                UNION SELECT id FROM {Place._meta.db_table} WHERE {parents}
                EXCEPT SELECT unnest(%(known{i})s::bigint[])
            )
            SELECT {i} AS around, eve.* FROM nodes CROSS JOIN LATERAL (
                SELECT {columns} FROM {table} t
                WHERE {same} AND t.node = nodes.node AND t.valid_from < %(start{i})s
                ORDER BY t.valid_from DESC LIMIT 1
            ) eve
            UNION ALL
            SELECT {i} AS around, {columns} FROM {table} t
            WHERE {same} AND t.node IN (SELECT node FROM nodes) AND {inside})
        """)  # noqa: S608 - table and column names only
        params |= {f"start{i}": start, f"end{i}": end}
    names = ("around", "id", "node", "valid_from", "valid_to", *STEP_VALUES)
    found: list[dict[int, list[dict]]] = [defaultdict(list) for _ in wanted]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for values in cursor.fetchall():
            step = dict(zip(names, values, strict=True))
            if not isinstance(step["shared_sources"], str):  # (a driver that decodes JSON)
                step["shared_sources"] = _text(step["shared_sources"])
            found[step.pop("around")][step.pop("node")].append(step)
    for by_node in found:
        for node, steps in by_node.items():
            # (A node read over several windows: a window's eve may lie in the one before.)
            by_node[node] = sorted({step["id"]: step for step in steps}.values(), key=_FROM)
    return [dict(by_node) for by_node in found]


def _spans_part(i: int, parents: str, columns: str) -> str:
    """_steps_around_postgresql()'s part over several windows: the nodes (those asked and the
    gazetteer's children of each, where `parents`), the step of each standing on each window's
    eve (one index probe each) and those beginning inside each window (one index range each)."""
    table = StockStep._meta.db_table
    same = f"t.facet = %(facet{i})s AND t.metric = %(metric{i})s AND t.node = nodes.node"
    return f"""
        (WITH nodes AS (
            SELECT unnest(%(nodes{i})s::bigint[]) AS node
            UNION SELECT id FROM {Place._meta.db_table} WHERE {parents}
            EXCEPT SELECT unnest(%(known{i})s::bigint[])
        )
        SELECT {i} AS around, eve.* FROM nodes
        CROSS JOIN unnest(%(starts{i})s::date[]) AS w(start)
        CROSS JOIN LATERAL (
            SELECT {columns} FROM {table} t
            WHERE {same} AND t.valid_from < w.start
            ORDER BY t.valid_from DESC LIMIT 1
        ) eve
        UNION ALL
        SELECT {i} AS around, inside.* FROM nodes
        CROSS JOIN unnest(%(starts{i})s::date[], %(ends{i})s::date[]) AS w(start, until)
        CROSS JOIN LATERAL (
            SELECT {columns} FROM {table} t
            WHERE {same} AND t.valid_from >= w.start
                AND t.valid_from <= COALESCE(w.until, 'infinity'::date)
            OFFSET 0  -- (one index range per window, not a filter over every step)
        ) inside)
    """  # noqa: S608 - table and column names only


def _own_figures(stocks: list[_Stock]) -> dict[tuple[str, str], dict[int, list[dict]]]:
    """Each stock's places' own figures that can stand from its `since` on: each place's
    latest before it and every one after, in the standing order, by (facet, metric) and
    place, in one query. On PostgreSQL an index range per stock and one probe per place (one
    condition with "or the latest before" read every figure of the metric); elsewhere, which
    does not take a LIMIT inside a UNION, one condition."""
    fields = ("facet", "metric", "place_id", *OWN)
    if connection.vendor == "postgresql":
        rows = _own_figures_postgresql([stock for stock in stocks if stock.places], fields)
    else:
        rows = _own_figures_elsewhere(stocks, fields)
    found: dict[tuple[str, str], dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        found[row.pop("facet"), row.pop("metric")][row.pop("place_id")].append(row)
    return {
        stock: {place: sorted(rows, key=_standing) for place, rows in places.items()}
        for stock, places in found.items()
    }


def _own_figures_postgresql(stocks: list[_Stock], fields: tuple[str, ...]) -> list[dict]:
    """_own_figures() on PostgreSQL: per stock, one index range (the figures from its `since`
    on) and one probe per place (its latest before), by the places as an array: written out,
    not built by the ORM (a change in five facets had 39 parts, 20 ms to compile)."""
    if not stocks:
        return []
    table = EventCount._meta.db_table
    columns = ", ".join(EventCount._meta.get_field(f).column for f in fields)
    newest_first = ", ".join(f"{field} DESC" for field in STANDING_ORDER)
    parts, params = [], {}
    for i, stock in enumerate(stocks):
        same = f"facet = %(facet{i})s AND metric = %(metric{i})s"
        parts += [
            f"SELECT {columns} FROM {table} WHERE {same}"  # noqa: S608 - names only
            f" AND place_id = ANY(%(places{i})s::bigint[]) AND dated >= %(since{i})s",
            f"SELECT latest.* FROM unnest(%(places{i})s::bigint[]) AS p(place)"  # noqa: S608
            f" CROSS JOIN LATERAL (SELECT {columns} FROM {table} WHERE {same}"
            f" AND place_id = p.place AND dated < %(since{i})s"
            f" ORDER BY {newest_first} LIMIT 1) AS latest",
        ]
        params |= {f"facet{i}": stock.facet, f"metric{i}": stock.metric,
                   f"places{i}": stock.places, f"since{i}": stock.since}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [dict(zip(fields, values, strict=True)) for values in cursor.fetchall()]


def _own_figures_elsewhere(stocks: list[_Stock], fields: tuple[str, ...]):
    """_own_figures() elsewhere (SQLite does not take a LIMIT inside a UNION): one condition."""
    newest_first = [f"-{field}" for field in STANDING_ORDER]
    wanted = []
    for stock in stocks:
        if not stock.places:
            continue
        stored = EventCount.objects.filter(facet=stock.facet, metric=stock.metric)
        later = stored.filter(place_id__in=stock.places, dated__gte=stock.since)
        mine = Q(pk__in=later.values("pk"))
        for place in stock.places:
            latest = stored.filter(place_id=place, dated__lt=stock.since).order_by(*newest_first)
            mine |= Q(pk__in=latest.values("pk")[:1])
        wanted.append(mine)
    if not wanted:
        return []
    return EventCount.objects.filter(any_of(wanted)).values(*fields)


def _children_q(node: int, level: int) -> Q:
    """The steps of the nodes whose parent is this node (a node's parent is the nearest place
    above it in the gazetteer: a level may be skipped)."""
    found = Q(pk__in=[])
    for child_level in range(level + 1, len(ADM)):
        condition = Q(level=child_level, **{ADM[level]: node})
        for between in range(level + 1, child_level):
            condition &= Q(**{f"{ADM[between]}__isnull": True})
        found |= condition
    return found


def _compose(own: list[dict], shared: dict, children: dict[int, list[dict]], start, end, sets):
    """(day, value, key, shared, dates, valid_to) of a node over [start, end) from its own
    figures (in the standing order) and its children's steps: at each date where an input
    changes, a state only where it differs from the one before (rules.standing_stocks, as
    stocks._settle). `sets`: a _Sets, the children's shared sources (JSON text) as sets."""
    changes: dict[date, list] = defaultdict(list)  # day: (child, its step from then, or None)
    standing: dict[int, dict] = {}  # each child's step at the current day
    for child, steps in children.items():
        for step in steps:
            to = step["valid_to"]
            if (to is not None and to <= start) or (end is not None and step["valid_from"] >= end):
                continue
            if step["valid_from"] <= start:
                standing[child] = step
            else:
                changes[step["valid_from"]].append((child, step))
            if to is not None and (end is None or to < end):
                changes[to].append((child, None))  # (replaced by the next step, if any)
    days = {start, *changes}
    for row in own:
        if row["dated"] > start and (end is None or row["dated"] < end):
            days.add(row["dated"])
    value = [0] * WIDTH
    counted: dict[int, int] = {}  # multiset of the children's shared sources
    union: frozenset | None = frozenset()  # its members (None: to be taken again)

    def move(old, new):
        """A child's standing step replaced (None: no step, or one of no events)."""
        nonlocal union
        old = old if old is not None and old["events"] else None
        new = new if new is not None and new["events"] else None
        if old is None and new is None:
            return
        for k, field in enumerate(STEP_SUMS):
            value[k] += (new[field] if new else 0) - (old[field] if old else 0)
        before = old["shared_sources"] if old else "[]"
        after = new["shared_sources"] if new else "[]"
        value[LOCAL] += (new["sources"] if new else 0) - (old["sources"] if old else 0)
        if before == after:  # (the same text: the same sources, nothing else to count)
            return
        gone, came = sets.of(before), sets.of(after)
        value[LOCAL] -= len(came) - len(gone)
        for source in gone - came:
            if counted[source] == 1:
                del counted[source]
            else:
                counted[source] -= 1
        for source in came - gone:
            counted[source] = counted.get(source, 0) + 1
        union = None

    for step in standing.values():
        move(None, step)
    states, previous, standing_own, i = [], None, None, 0
    for day in sorted(days):
        # A step ending today and the next beginning today: the end first.
        replaced: dict[int, dict | None] = {}
        for child, step in sorted(changes.get(day, ()), key=lambda c: c[1] is not None):
            if step is not None:
                replaced[child] = step
            elif child in standing and standing[child]["valid_to"] == day:
                replaced[child] = None
        for child, step in replaced.items():
            old = standing.pop(child, None)
            if step is not None:
                standing[child] = step
            move(old, step)
        while i < len(own) and own[i]["dated"] <= day:
            standing_own = own[i]
            i += 1
        present = [s for s in standing.values() if s["events"]]
        newest_below = max((s["newest"] for s in present), default=None)
        if standing_own is not None and stands_over(
            standing_own["dated"], standing_own["best"], newest_below, value[0]
        ):
            state = (
                own_value(standing_own),
                standing_own["key"],
                frozenset(shared.get(standing_own["key"], ())),
                (standing_own["dated"], standing_own["dated"]),
            )
        elif present:
            if union is None:
                union = frozenset(counted)
            state = (
                tuple(value),
                "",
                union,
                (min(s["oldest"] for s in present), max(s["newest"] for s in present)),
            )
        else:
            state = None
        if state != previous:
            states.append((day, state))
        previous = state
    # Each state lasts until the next one; a gap (no figure yet) is no step at all.
    return [
        (day, *state, states[k + 1][0] if k + 1 < len(states) else end)
        for k, (day, state) in enumerate(states)
        if state is not None
    ]


def _difference(
    own, shared, stored: list[dict], changed: list[tuple[list, list]], start, end, sets
):
    """_compose() of a node whose own figures did not change over [start, end), from its own
    figures, its stored steps and its changed children's steps before and after the change
    ((old, new) each): its other children's total at a date is the stored one less the changed
    children's old steps (a child's steps not read at a date did not change there: absent from
    both). As runs: (day, state) from each date where the state may change, the state None
    where no step stands, and _UNTOLD where these do not tell it (_changed()): there the
    children are to be read."""
    days = {start}
    for steps in (stored, *(steps for pair in changed for steps in pair)):
        for step in steps:
            for day in (step["valid_from"], step["valid_to"]):
                if day is not None and day > start and (end is None or day < end):
                    days.add(day)
    for row in own:
        if row["dated"] > start and (end is None or row["dated"] < end):
            days.add(row["dated"])
    node = _At(stored)
    children = [(_At(old), _At(new)) for old, new in changed]
    states: list = []
    previous, standing_own, i = None, None, 0
    for day in sorted(days):
        while i < len(own) and own[i]["dated"] <= day:
            standing_own = own[i]
            i += 1
        olds = [step for before, _ in children if (step := before.at(day)) is not None]
        news = [step for _, after in children if (step := after.at(day)) is not None]
        state = _changed(node.at(day), olds, news, standing_own, shared, sets)
        if state != previous:
            states.append((day, state))
        previous = state
    return states


def _holes(runs: list, end) -> list[Window]:
    """The windows where a node's runs are _UNTOLD."""
    return [
        (day, runs[k + 1][0] if k + 1 < len(runs) else end)
        for k, (day, state) in enumerate(runs)
        if state is _UNTOLD
    ]


def _replaced(runs: list, hole: Window, composed: list) -> list:
    """The runs with the one beginning the hole replaced by _compose()'s steps over it (a gap
    between them: no step)."""
    start, end = hole
    filled, at = [], start
    for day, *state, to in composed:
        if day > at:
            filled.append((at, None))
        filled.append((day, tuple(state)))
        at = to
    if at is not None and (end is None or at < end):
        filled.append((at, None))
    k = next(k for k, (day, _) in enumerate(runs) if day == start)
    return [*runs[:k], *filled, *runs[k + 1 :]]


def _steps_of(runs: list, end) -> list:
    """_compose()'s steps from runs: (day, state) from each date where the state may change
    (None: no step)."""
    joined: list = []
    for day, state in runs:
        if not joined or joined[-1][1] != state:
            joined.append((day, state))
    return [
        (day, *state, joined[k + 1][0] if k + 1 < len(joined) else end)
        for k, (day, state) in enumerate(joined)
        if state is not None
    ]


_UNTOLD = object()


def _changed(node: dict | None, olds: list[dict], news: list[dict], own, shared, sets):
    """A node's state (_compose) at a date from its stored step (None: none stands), its
    changed children's steps standing before and after the change, and its own figure
    standing (None: none); _UNTOLD where these do not tell it."""
    last = max((new["newest"] for new in news), default=None)
    if node is not None and node["own_key"]:
        # A figure of its own stood, dated `newest`: as recent as every child's, or at least
        # as large as their total. One standing now (the same or another) at least as recent
        # stands still if no changed child is now more recent and the changed children's total
        # did not grow: either way it stood, it still does. Otherwise the other children's
        # sums would be needed.
        if (
            own is None
            or own["dated"] < node["newest"]
            or (last is not None and last > own["dated"])
            or sum(new["best"] for new in news) > sum(old["best"] for old in olds)
        ):
            return _UNTOLD
        return _own_state(own, shared)
    others = (node["events"] if node else 0) - sum(old["events"] for old in olds)
    if others < 0:
        return _UNTOLD
    came = frozenset().union(*(sets.of(new["shared_sources"]) for new in news))
    value = list(_value(node, sets)) if node else [0] * WIDTH
    for sign, steps in ((-1, olds), (1, news)):
        for step in steps:
            for k, part in enumerate(_value(step, sets)):
                value[k] += sign * part
    first = min((new["oldest"] for new in news), default=None)
    if others == 0:  # the changed children alone
        oldest, newest = first, last
        union = came
    else:
        assert node is not None
        oldest, newest = node["oldest"], node["newest"]
        if any(old["oldest"] == oldest for old in olds) and (first is None or first > oldest):
            oldest = _UNTOLD
        if any(old["newest"] == newest for old in olds) and (last is None or last < newest):
            newest = _UNTOLD
        if news and oldest is not _UNTOLD:
            oldest = min(oldest, first)
        if news and newest is not _UNTOLD:
            newest = max(newest, last)
        union = _UNTOLD if any(sets.of(old["shared_sources"]) - came for old in olds) else (
            sets.of(node["shared_sources"]) | came
        )  # fmt: skip
    # The own figure stands if it is at least as recent as every child's standing figure, or
    # at least as large as their total (their newest date untold: only the second tells).
    if own is not None and (
        own["best"] >= value[0]
        if newest is _UNTOLD
        else stands_over(own["dated"], own["best"], newest, value[0])
    ):
        return _own_state(own, shared)
    if newest is None:  # no child stands, nor any figure of its own
        return None
    if _UNTOLD in (oldest, newest, union):
        return _UNTOLD
    return (tuple(value), "", union, (oldest, newest))


def _own_state(own: dict, shared: dict) -> tuple:
    """The state of a node whose own figure stands (as _compose)."""
    return (
        own_value(own),
        own["key"],
        frozenset(shared.get(own["key"], ())),
        (own["dated"], own["dated"]),
    )


def _value(step: dict, sets) -> tuple:
    """A stored step's value as _compose sums it (its local sources: those not shared)."""
    local = step["sources"] - len(sets.of(step["shared_sources"]))
    return (*_SUMS(step), local)


class _At:
    """The step of a list (in date order, apart) standing at each of a rising series of dates;
    None where none stands or it counts no event."""

    def __init__(self, steps: list[dict]):
        self.steps, self.i = steps, 0

    def at(self, day: date) -> dict | None:
        steps = self.steps
        while (
            self.i < len(steps)
            and steps[self.i]["valid_to"] is not None
            and steps[self.i]["valid_to"] <= day
        ):
            self.i += 1
        if self.i < len(steps) and steps[self.i]["valid_from"] <= day and steps[self.i]["events"]:
            return steps[self.i]
        return None


class _Sets:
    """Shared sources' JSON text read as sets, each text once."""

    def __init__(self):
        self.found: dict[str, frozenset[int]] = {"[]": frozenset()}

    def of(self, text: str) -> frozenset[int]:
        found = self.found.get(text)
        if found is None:
            found = self.found[text] = frozenset(json.loads(text))
        return found


class _Texts:
    """Sets of shared sources as the JSON text PostgreSQL gives a jsonb array of them back
    in (`[1, 2, 3]`), each set once."""

    def __init__(self):
        self.found: dict[frozenset[int], str] = {}

    def of(self, sources: frozenset[int]) -> str:
        found = self.found.get(sources)
        if found is None:
            found = self.found[sources] = _text(sources)
        return found


def _text(sources) -> str:
    return json.dumps(sorted(sources))


STEP_SUMS = ("best", "low", "high", "events", "reports", "open_events", "approximate_events",
             "at_most_events")  # fmt: skip
_SUMS = itemgetter(*STEP_SUMS)


STEP_FIELDS = (*STEP_VALUES, "valid_from", "valid_to")
# (Field by field in C: a long change compares thousands of steps.)
_STEP, _STEP_VALUE = itemgetter(*STEP_FIELDS), itemgetter(*STEP_VALUES)


def _same_step(a: dict, b: dict) -> bool:
    return _STEP(a) == _STEP(b)


def _same_steps(steps: list[dict], stored: list[dict]) -> bool:
    return len(steps) == len(stored) and all(
        _same_step(a, b) for a, b in zip(steps, stored, strict=True)
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
        if joined and _STEP_VALUE(joined[-1]) == _STEP_VALUE(step):
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
