"""A stock's standing total at every node as a step function of the date (StockStep rows), by a
sweep over the dates of its counted figures (rules.standing_stocks, incrementally)."""

from datetime import date, timedelta
from itertools import groupby

from .cells import ADM, nodes_of


def _standing(row) -> tuple:
    return (row["dated"], row["published"], row["approved_at"], row["report_id"], row["figure_id"])


class _Node:
    __slots__ = (
        "node", "level", "adm", "parent", "depth", "own", "newest_below", "child_value",
        "child_sources", "pending", "value", "key", "count", "steps", "children", "dates",
    )  # fmt: skip

    def __init__(self, node, level, adm, parent, depth):
        self.node, self.level, self.adm, self.parent, self.depth = node, level, adm, parent, depth
        self.own = None  # the latest figure for this very place so far
        self.newest_below = None  # the latest date of any figure strictly within it
        # best, low, high, events, reports, open and approximate events of the children
        self.child_value = [0] * WIDTH
        self.children: list[_Node] = []
        self.dates: tuple = (None, None)  # the oldest and newest as-of date standing
        self.child_sources: dict[int, int] = {}  # multiset of the children's standing sources
        self.pending: dict[int, int] = {}  # what child_sources gained in this date's round
        self.value = None
        self.key = ""
        self.count = 0
        self.steps: list = []


WIDTH = 7


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
        value = (
            own["best"], own["range_low"], own["range_high"], 1, own["reports"],
            int(own["high_open"]), int(own["approximate"]),
        )  # fmt: skip
        key, sources = own["key"], uses[own["metric"], own["key"]]
        count = len(sources)
        dates = (own["dated"], own["dated"])
    else:
        value, key, count = tuple(node.child_value), "", len(node.child_sources)
        standing = [c.dates for c in node.children if c.value and c.value[3]]
        dates = (
            (min(d[0] for d in standing), max(d[1] for d in standing)) if standing else (None, None)
        )

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

    old_value = node.value or (0,) * WIDTH
    if value != old_value or key != old_key or count != node.count or dates != node.dates:
        node.steps.append((day, value, count, key, dates))
    node.value, node.key, node.count, node.dates = value, key, count, dates
    parent = node.parent
    if parent is not None:
        for i in range(WIDTH):
            parent.child_value[i] += value[i] - old_value[i]
        _add(parent.child_sources, delta, parent.pending)


def stock_steps(rows, uses, since: date | None = None) -> list[dict]:
    """StockStep rows of one stock metric from its EventCount rows, by a sweep over dates.
    `since`: the rows dated before it are each place's latest by then, and are taken in one
    round (the standing totals then depend on nothing else); the steps that round writes are
    dated the eve of `since`, for the caller to drop."""
    nodes: dict[int, _Node] = {}
    rows = sorted(rows, key=_standing)
    eve = since - timedelta(days=1) if since is not None else None

    def round_of(row) -> date:
        return row["dated"] if eve is None or row["dated"] >= since else eve

    for day, group in groupby(rows, key=round_of):
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
            for above in chain[:-1]:
                above.newest_below = row["dated"]  # (rows come in date order)
            dirty.update(chain)
        for node in sorted(dirty, key=lambda n: -n.depth):
            _settle(node, day, uses)
    metric = rows[0]["metric"] if rows else None
    facet = rows[0]["facet"] if rows else ""
    steps = []
    for node in nodes.values():
        for i, (day, value, count, key, dates) in enumerate(node.steps):
            steps.append(
                {
                    "facet": facet,
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
                    "open_events": value[5],
                    "approximate_events": value[6],
                    "oldest": dates[0],
                    "newest": dates[1],
                    "own_key": key,
                }
            )
    return steps
