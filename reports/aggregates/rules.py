"""The counting rules over plain rows, no database: which figure an event counts, which stock
figures stand at a date, how counted events add up; every answer goes through them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ..vocabulary import MEASURE, Measure, Metric
from .results import Total


def report_date(start_date: date, end_date: date | None) -> date:
    """The date a report's figures are true at: its end date, or its start date without one."""
    return end_date or start_date


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
    on: date  # report_date()
    low: int
    best: int
    high: int
    published: date  # latest publication date among the report's sources, else approval date
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

    @property
    def place_id(self) -> int:
        return self.figure.place_id

    @property
    def on(self) -> date:
        return self.figure.on

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
        counted.append(
            Counted(
                metric=metric,
                key=key,
                event_id=chosen.event_id,
                figure=chosen,
                report_ids=tuple(sorted({c.report_id for c in group})),
                range_low=min(c.low for c in group),
                range_high=max(c.high for c in group),
            )
        )
    counted.sort(key=lambda c: (c.metric, c.key))
    return counted


def standing_stocks(
    counted: Iterable[Counted], at: date, chain: Callable[[int], tuple[int, ...]]
) -> list[Counted]:
    """The stock figures that make a total at `at`, from figures within one area.

    For each place, its latest figure on or before `at`. Then between a place and the places
    within it, the more recent assessment wins: a place's figure stands if no place within
    it has a more recent one (on the same date the wider figure wins, being more complete),
    and it is not itself inside a standing wider figure. Otherwise it is set aside, never
    added: adding would count the same people twice. `chain(place)` gives the place's
    ancestors from the top down, the place last."""
    latest: dict[int, Counted] = {}
    for item in counted:
        if item.on <= at:
            current = latest.get(item.place_id)
            if current is None or item.standing > current.standing:
                latest[item.place_id] = item
    newest_within: dict[int, date] = {}
    for place, item in latest.items():
        for above in chain(place)[:-1]:
            if above not in newest_within or newest_within[above] < item.on:
                newest_within[above] = item.on
    wins = {
        place
        for place, item in latest.items()
        if place not in newest_within or item.on >= newest_within[place]
    }
    standing = [
        item
        for place, item in latest.items()
        if place in wins and not any(above in wins for above in chain(place)[:-1])
    ]
    standing.sort(key=lambda c: c.key)
    return standing


def total_of(
    metric: str, items: Iterable[Counted], sources_of: Callable[[int], Iterable[int]]
) -> Total:
    """Sum of best, low and high; events, their reports, and distinct sources of those reports
    (`sources_of(report_id)`)."""
    best = low = high = events = reports = 0
    sources: set[int] = set()
    for item in items:
        best += item.figure.best
        low += item.figure.low
        high += item.figure.high
        events += 1
        reports += len(item.report_ids)
        for report_id in item.report_ids:
            sources.update(sources_of(report_id))
    return Total(metric, best, low, high, events, reports, len(sources))


def is_stock(metric: str) -> bool:
    return MEASURE[Metric(metric)] == Measure.STOCK


def methodology() -> list[str]:
    """How the numbers are counted, in plain sentences, for the briefing page."""
    flows = ", ".join(Metric(m).label.lower() for m in Metric.values if not is_stock(m))
    stocks = ", ".join(Metric(m).label.lower() for m in Metric.values if is_stock(m))
    return [
        "Only reports a moderator approved are counted; a report that is later retracted "
        "leaves every total.",
        "An event is counted once for each kind of number, however many reports describe it. "
        "Moderators link reports of the same event; a report linked to no event is counted as "
        "its own event.",
        "Within an event, the figure counted is the one a moderator chose as the reference; "
        "when none is chosen, the most recently published figure (the latest publication date "
        "among the report's sources, or the date the report was approved when no source is "
        "dated). The other reports' figures are kept as the event's range.",
        "Every total is a best estimate with a low-high range, the sums of the figures' own "
        "lows and highs: a figure reported as a range counts its minimum and maximum, with the "
        "midpoint (rounded down) as the best estimate; 'about', 'at least' and 'at most' "
        "figures count as the number given. Households are converted to people with the "
        "household size the report gave, or the country's default.",
        "A report is dated by its end date, or its start date when it has none: the date its "
        "figures are true at. An event is dated and placed by the report whose figure it "
        "counts.",
        f"Flows ({flows}) are added up over the period asked.",
        f"Stocks ({stocks}) are never added up over time: for each place, the latest figure on "
        "or before the end of the period is used, and over a series each period shows the "
        "figures standing at its end.",
        "For stocks, between an area and the places within it the most recent figure wins: a "
        "figure for a whole area replaces older figures for places inside it, and a more "
        "recent figure for a place inside sets an older whole-area figure aside, because we "
        "cannot tell which part of it the newer figure updates. On the same date the "
        "whole-area figure wins. Figures are never added on top of each other.",
        "A report about a whole area is never spread over the places within it: in a "
        "breakdown by area it is shown as 'unspecified within' that area.",
        "Filters by cause, tag, source type or event choose the evidence first: only figures "
        "of reports that match take part, and each event is then counted as above.",
        "Each total says how many events, approved reports and distinct sources stand behind "
        "it. Stored numbers are never rounded; pages may round for display.",
    ]
