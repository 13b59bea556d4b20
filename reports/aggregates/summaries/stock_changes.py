"""Following a change to a stock's counted figures: its steps rewritten at the changed places
and those above them, over the dates the change can reach (docs/counting.md)."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Min, Q

from ...models import EventCount, SourceUse, StockStep
from .cells import ADM, nodes_of
from .stocks import stock_steps
from .writing import STOCK_LOCK, advisory_locks, bulk_insert, lock_key

STEP_VALUES = ("level", *ADM, "best", "low", "high", "events", "reports", "sources",
               "open_events", "approximate_events", "oldest", "newest", "own_key")  # fmt: skip


# What the sweep reads of each EventCount row (stocks.stock_steps).
SWEPT = ("facet", "metric", "key", *ADM, "dated", "published", "approved_at", "report_id",
         "figure_id", "best", "range_low", "range_high", "reports", "high_open",
         "approximate")  # fmt: skip


def refresh_stock(facet: str, metric: str, changed: list[dict]) -> None:
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
    advisory_locks([lock_key(STOCK_LOCK, (facet, metric))])
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
    None when it stays open (see refresh_stock)."""
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
