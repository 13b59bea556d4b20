"""A stock's standing total at every node as a step function of the date (StockStep rows), by a
sweep over the dates of its counted figures (rules.standing_stocks, incrementally).

Distinct sources are kept in two parts, as for flows (cells.py): the sources only one counted
event of the metric cites ("local") add up, so a node's local count is a sum like its best;
the few cited by several events ("shared") are kept as the set standing at the node
(`StockStep.shared_sources`), so a node's count is its local sum plus the size of the union of
its children's shared sets. A node's step is then a function of its own figures and its
children's steps at the same date alone (compose()), which lets a change rewrite one place's
steps and those above it from their children's stored steps (stock_changes.py)."""

from datetime import date
from itertools import groupby

from ..rules import stands_over
from .cells import ADM, nodes_of, stock_stored_from

# The order in which a place's own figures stand: the latest of them stands (rule 4). It stands
# over the figures within the place when none of those standing there is more recent, or when it
# is at least as large as their total (rules.standing_stocks).
STANDING_ORDER = ("dated", "published", "approved_at", "report_id", "figure_id")


def _standing(row) -> tuple:
    return (row["dated"], row["published"], row["approved_at"], row["report_id"], row["figure_id"])


# A node's value: best, low, high, events, reports, open, approximate and "at most" events,
# local sources.
WIDTH = 9
LOCAL = 8


def own_value(own) -> tuple:
    """The value of a node whose own figure stands (an EventCount row)."""
    return (
        own["best"], own["range_low"], own["range_high"], 1, own["reports"],
        int(own["high_open"]), int(own["approximate"]), int(own["at_most"] and own["best"] > 0),
        own["local_sources"],
    )  # fmt: skip


class _Node:
    __slots__ = (
        "node", "level", "adm", "parent", "depth", "own", "child_value",
        "child_shared", "value", "key", "shared", "steps", "children", "dates",
    )  # fmt: skip

    def __init__(self, node, level, adm, parent, depth):
        self.node, self.level, self.adm, self.parent, self.depth = node, level, adm, parent, depth
        self.own = None  # the latest figure for this very place so far
        self.child_value = [0] * WIDTH  # the sum of the children's values
        self.children: list[_Node] = []
        self.dates: tuple = (None, None)  # the oldest and newest as-of date standing
        self.child_shared: dict[int, int] = {}  # multiset of the children's shared sources
        self.value = None
        self.key = ""
        self.shared: frozenset = frozenset()
        self.steps: list = []


def _settle(node: _Node, day: date, shared_of) -> None:
    """Recompute a node's standing total after its own figure or its children changed."""
    own = node.own
    # The dates of what stands within it: its children's standing figures'.
    standing = [c.dates for c in node.children if c.value and c.value[3]]
    newest_below = max((d[1] for d in standing), default=None)
    if own is not None and stands_over(
        own["dated"], own["best"], newest_below, node.child_value[0]
    ):
        value, key = own_value(own), own["key"]
        shared = shared_of.get(key, frozenset())
        dates = (own["dated"], own["dated"])
    else:
        value, key = tuple(node.child_value), ""
        shared = frozenset(node.child_shared)
        dates = (
            (min(d[0] for d in standing), max(d[1] for d in standing)) if standing else (None, None)
        )
    old_value = node.value or (0,) * WIDTH
    if value != old_value or key != node.key or shared != node.shared or dates != node.dates:
        node.steps.append((day, value, key, shared, dates))
    parent = node.parent
    if parent is not None:
        for i in range(WIDTH):
            parent.child_value[i] += value[i] - old_value[i]
        if shared != node.shared:
            multiset = parent.child_shared
            for source in node.shared - shared:
                if multiset[source] == 1:
                    del multiset[source]
                else:
                    multiset[source] -= 1
            for source in shared - node.shared:
                multiset[source] = multiset.get(source, 0) + 1
    node.value, node.key, node.shared, node.dates = value, key, shared, dates


def step_row(facet, metric, node, level, adm, day, value, key, shared, dates, valid_to) -> dict:
    """A StockStep row."""
    return {
        "facet": facet,
        "metric": metric,
        "node": node,
        "level": level,
        **dict(zip(ADM, adm, strict=True)),
        "valid_from": day,
        "valid_to": valid_to,
        "best": value[0],
        "low": value[1],
        "high": value[2],
        "events": value[3],
        "reports": value[4],
        "sources": value[LOCAL] + len(shared),
        "open_events": value[5],
        "approximate_events": value[6],
        "at_most_events": value[7],
        "oldest": dates[0],
        "newest": dates[1],
        "own_key": key,
        "shared_sources": sorted(shared),
    }


def stock_steps(rows, shared_of) -> list[dict]:
    """StockStep rows of one stock metric from its EventCount rows (with local_sources), by a
    sweep over dates; `shared_of`: each key's shared sources (a frozenset; absent: none).
    Only the nodes from cells.stock_stored_from() down: everywhere's steps (with one country
    they would be the country's again, and a back-dated change would rewrite both) and, in a
    facet, the top places' are composed when read (from_summaries.Reader)."""
    nodes: dict[int, _Node] = {}
    rows = sorted(rows, key=_standing)
    for day, group in groupby(rows, key=lambda row: row["dated"]):
        dirty = set()
        for row in group:
            chain, parent = [], None
            for depth, (node_id, level, adm) in enumerate(nodes_of(row)):
                node = nodes.get(node_id)
                if node is None:
                    node = nodes[node_id] = _Node(node_id, level, adm, parent, depth)
                    if parent is not None:
                        parent.children.append(node)
                chain.append(node)
                parent = node
            place = chain[-1]
            if place.own is None or _standing(row) > _standing(place.own):
                place.own = row
            dirty.update(chain)
        for node in sorted(dirty, key=lambda n: -n.depth):
            _settle(node, day, shared_of)
    metric = rows[0]["metric"] if rows else None
    facet = rows[0]["facet"] if rows else ""
    stored = stock_stored_from(facet)
    return [
        step_row(
            facet,
            metric,
            node.node,
            node.level,
            node.adm,
            *step,
            node.steps[i + 1][0] if i + 1 < len(node.steps) else None,
        )  # fmt: skip
        for node in nodes.values()
        if node.depth >= stored
        for i, step in enumerate(node.steps)
    ]
