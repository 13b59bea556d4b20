"""The counting rules over plain rows, no database: which figure an event counts, which stock
figures stand at a date, how counted events add up; every answer goes through them."""

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings

from ..vocabulary import MEASURE, Measure, Metric
from .results import Total
from .spans import Span, span_of


def report_date(start_date: date, end_date: date | None, precision: str = "day") -> date:
    """The date a report's figures are true at (a stock's as-of date): the last day of its
    span, its end date or its start date without one, at their precision. A figure known
    only as "November 2023" is true by 30 November, not on a day of it the source never gave:
    a question ending on 19 November does not count it, and its age runs from the 30th."""
    return span_of(start_date, end_date, precision).end


def event_key(event_id: int | None, report_id: int) -> str:
    """What counts once: the event, or the report itself when it is linked to none."""
    return f"e{event_id}" if event_id else f"r{report_id}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One figure of an approved report, as the rules see it."""

    metric: str
    figure_id: int
    report_id: int
    event_id: int | None
    place_id: int
    on: date  # report_date(): a stock's as-of date
    span: Span  # the dates a flow covers (spans.span_of)
    low: int  # an "at most" figure's low is 0
    best: int
    high: int
    high_open: bool  # an "at least" figure: its high is not a bound
    approximate: bool
    at_most: bool  # an "at most" figure: its best is a bound, its low 0
    published: date  # latest date among its public sources, else its span's last day
    approved_at: datetime
    is_reference: bool  # a moderator chose it for its event and metric

    @property
    def key(self) -> str:
        return event_key(self.event_id, self.report_id)

    @property
    def recency(self) -> tuple[date, datetime, int, int]:
        """Most recently published first; ties go to the later approval, then the later
        report and figure, so the choice never depends on the order rows arrive in."""
        return (self.published, self.approved_at, self.report_id, self.figure_id)


@dataclass(frozen=True, slots=True)
class Counted:
    """An event's contribution for one metric: the figure it counts and its evidence."""

    metric: str
    key: str
    event_id: int | None
    figure: Candidate
    report_ids: tuple[int, ...]  # the event's candidate reports with a figure of this metric
    range_low: int
    range_high: int
    high_open: bool  # one of the event's figures is "at least"
    # What it adds beyond the events it covers (rule 5): best, low, high; its own numbers
    # (best, range_low, range_high) when it covers none.
    adds: tuple[int, int, int]
    covers: int = 0
    # The finest admin level of the events it covers whose high is open ("at least"), None
    # when none is: what it adds, read apart from them (a line beside a total; the
    # "unspecified within" row of a breakdown at or above that level), has no floor above
    # zero. 400 less "at least 9" and 10 is at most 381: 0 to 381, not 381 to 381.
    covers_open_level: int | None = None

    @property
    def place_id(self) -> int:
        return self.figure.place_id

    @property
    def on(self) -> date:
        return self.figure.on

    @property
    def span(self) -> Span:
        return self.figure.span

    @property
    def standing(self) -> tuple[date, tuple[date, datetime, int, int]]:
        """Order among stock figures for one place: the later date, then the later published."""
        return (self.figure.on, self.figure.recency)


def choose(candidates: Iterable[Candidate]) -> list[Counted]:
    """One Counted per (metric, event): the moderator's reference figure, else the most
    recently published one; the others give the event's range."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault((candidate.metric, candidate.key), []).append(candidate)
    counted: list[Counted] = []
    for (metric, key), group in groups.items():
        references = [c for c in group if c.is_reference]
        chosen = max(references or group, key=lambda c: c.recency)
        low, high = min(c.low for c in group), max(c.high for c in group)
        counted.append(
            Counted(
                metric=metric,
                key=key,
                event_id=chosen.event_id,
                figure=chosen,
                report_ids=tuple(sorted({c.report_id for c in group})),
                range_low=low,
                range_high=high,
                high_open=any(c.high_open for c in group),
                adds=(chosen.best, low, high),
            )
        )
    counted.sort(key=lambda c: (c.metric, c.key))
    return counted


def stands_over(dated: date, best: int, newest_within: date | None, total_within: int) -> bool:
    """Rule 4 between a place's latest stock figure (its as-of date and best) and what stands
    within the place (the newest as-of date among the figures standing there, None when none
    does, and their total): the place's figure stands, and they are set aside, when none of
    them is more recent or when it is at least as large as their total. The one statement of
    it for the base tables (standing_stocks), the sweep (summaries.stocks), the change path
    (summaries.stock_changes) and the composed top places (from_summaries)."""
    return newest_within is None or dated >= newest_within or best >= total_within


def standing_stocks(
    counted: Iterable[Counted], at: date, chain: Callable[[int], tuple[int, ...]]
) -> list[Counted]:
    """The stock figures that make a total at `at`, from figures within one area.

    For each place, its latest figure on or before `at`. Then, from the deepest places up,
    between a place's figure and what stands within the place (the figures standing at the
    places within it): the place's figure stands, and those within it are set aside, when none
    of them is more recent (on the same date the wider figure wins, being more complete), or
    when it is at least as large as their total: a newer figure for a part of the place,
    smaller than the place's, tells nothing of the rest of it, and the place's figure stays its
    best estimate (with its own, older date). Otherwise what stands within it stands. Never
    both: adding would count the same people twice. `chain(place)` gives the place's ancestors
    from the top down, the place last."""
    latest: dict[int, Counted] = {}
    for item in counted:
        if item.on <= at:
            current = latest.get(item.place_id)
            if current is None or item.standing > current.standing:
                latest[item.place_id] = item
    # Deepest first: what stands within a place is known before the place is decided.
    below: dict[int | None, list[Counted]] = {}  # the figures standing within each place so far
    for place in sorted(latest, key=lambda p: -len(chain(p))):
        item = latest[place]
        within = below.pop(place, [])
        newest = max((c.on for c in within), default=None)
        total = sum(c.figure.best for c in within)
        standing = [item] if stands_over(item.on, item.figure.best, newest, total) else within
        # The nearest place above holding a figure gathers it, through places holding none.
        holder = next((p for p in reversed(chain(place)[:-1]) if p in latest), None)
        below.setdefault(holder, []).extend(standing)
    standing = [item for found in below.values() for item in found]
    standing.sort(key=lambda c: c.key)
    return standing


def covers(outer: Counted, inner: Counted, depth: Callable[[int], int]) -> bool:
    """Rule 5, given that outer's place contains or is inner's: outer's span contains inner's
    and outer is larger in place or in time (two figures for the same place and dates are two
    events, added)."""
    return outer.span.contains(inner.span) and (
        outer.span != inner.span or depth(outer.place_id) < depth(inner.place_id)
    )


def covered_pairs(
    items: list[Counted],
    chain: Callable[[int], tuple[int, ...]],
    separate: set[frozenset[str]] = frozenset(),  # type: ignore[assignment]
) -> dict[int, list[int]]:
    """Rule 5's pairs among one metric's counted flow events: for each event (by its index in
    `items`), the indices of those it covers, found through an index of the events by place
    and start date (each event reads only those starting within its span, in its place or
    below). Pairs of event keys in `separate` never cover each other (a moderator's mark)."""

    def depth(place: int) -> int:
        return len(chain(place))

    within: dict[int, list[tuple[date, int]]] = {}
    for i, item in enumerate(items):
        for node in chain(item.place_id):
            within.setdefault(node, []).append((item.span.start, i))
    for rows in within.values():
        rows.sort()
    found: dict[int, list[int]] = {}
    for i, outer in enumerate(items):
        rows = within.get(outer.place_id, [])
        for start, j in rows[bisect_left(rows, (outer.span.start, -1)) :]:
            if start > outer.span.end:
                break
            inner = items[j]
            if j == i or not covers(outer, inner, depth):
                continue
            if frozenset((outer.key, inner.key)) not in separate:
                found.setdefault(i, []).append(j)
    return found


def apply_covering(
    counted: Iterable[Counted],
    chain: Callable[[int], tuple[int, ...]],
    separate: set[frozenset[str]] = frozenset(),  # type: ignore[assignment]
    level: Callable[[int], int] = lambda place: 0,
) -> list[Counted]:
    """Rule 5 over one metric's counted flow events: each gets what it adds beyond the events
    it covers (covered_pairs: its own numbers less the sum of theirs, never below zero),
    smallest first, so a question holding a covering event counts the larger of it and the
    sum of what it covers."""
    items = list(counted)
    covered = covered_pairs(items, chain, separate)
    order = sorted(
        range(len(items)), key=lambda i: (items[i].span.days, -len(chain(items[i].place_id)))
    )
    result: dict[int, Counted] = {}
    for i in order:
        outer = items[i]
        found = 0
        open_level: int | None = None
        taken = [0, 0, 0]
        for j in covered.get(i, ()):
            inner = items[j]
            adds = result[j].adds
            found += 1
            if inner.high_open:
                inner_level = level(inner.place_id)
                open_level = inner_level if open_level is None else max(open_level, inner_level)
            for k in range(3):
                taken[k] += adds[k]
        own = (outer.figure.best, outer.range_low, outer.range_high)
        result[i] = replace(
            outer,
            adds=tuple(max(0, own[k] - taken[k]) for k in range(3)),  # type: ignore[arg-type]
            covers=found,
            covers_open_level=open_level,
        )
    return [result[i] for i in range(len(items))]


def as_alone(item: Counted) -> Counted:
    """The event with its own numbers, as if it covered nothing."""
    return replace(
        item,
        adds=(item.figure.best, item.range_low, item.range_high),
        covers=0,
        covers_open_level=None,
    )


def remainder(item: Counted, level: int | None = None) -> Counted:
    """What the event adds, read apart from the events it covers: on its own (a line beside a
    total: `level` None), or in an "unspecified within" row of a breakdown at `level`, apart
    from the covered events in the rows of that level. Its parts (`adds`) are taken so that
    added to the others they make the question's low and high: its own low less the covered
    lows, its own high less the covered highs, which on their own bound it the other way round
    (Total.in_order). Apart from an event whose high is open, it has no floor but zero: 0 up
    to the larger part (a covered open event coarser than `level` shares its row)."""
    parts = parts_apart(item.adds, item.covers_open_level, level)
    return item if parts is item.adds else replace(item, adds=parts)


def parts_apart(
    adds: tuple[int, int, int], open_level: int | None, level: int | None = None
) -> tuple[int, int, int]:
    """remainder()'s parts (best, low, high) from an event's `adds` and the finest level of the
    open events it covers (EventCount.covers_open_level); `adds` itself where they keep it."""
    if open_level is None or (level is not None and open_level < level):
        return adds
    best, low, high = adds
    return best, 0, max(low, high)


def stale_before(at: date) -> date:
    """Stock figures dated before this are stale at `at` (settings.TRACKER_STOCK_STALE_DAYS)."""
    return at - timedelta(days=settings.TRACKER_STOCK_STALE_DAYS)


def total_of(
    metric: str,
    items: Iterable[Counted],
    sources_of: Callable[[int], Iterable[int]],
    at: date | None = None,
) -> Total:
    """Sum of what each counted event adds (best, its range's low and high: rule 7), with the
    qualifiers they carry; events, their reports, and distinct sources of those reports
    (`sources_of(report_id)`). A stock total (`at`: the date it stands at) also says the dates
    of its figures and whether one is stale."""
    best = low = high = events = reports = 0
    high_open = approximate = at_most = False
    sources: set[int] = set()
    dates: list[date] = []
    for item in items:
        best += item.adds[0]
        low += item.adds[1]
        high += item.adds[2]
        high_open = high_open or item.high_open
        approximate = approximate or item.figure.approximate
        # An "at most" figure marks the total only where it adds to it: one covering figures
        # that exceed it (rule 5) counts nothing, and "at most 0" is none.
        at_most = at_most or (item.figure.at_most and item.adds[0] > 0)
        events += 1
        reports += len(item.report_ids)
        dates.append(item.on)
        for report_id in item.report_ids:
            sources.update(sources_of(report_id))
    if at is None or not dates:
        return Total(
            metric, best, low, high, events, reports, len(sources), high_open, approximate,
            at_most=at_most,
        )  # fmt: skip
    oldest = min(dates)
    return Total(
        metric, best, low, high, events, reports, len(sources), high_open, approximate,
        oldest, max(dates), oldest < stale_before(at), at_most,
    )  # fmt: skip


def is_stock(metric: str) -> bool:
    return MEASURE[Metric(metric)] == Measure.STOCK
