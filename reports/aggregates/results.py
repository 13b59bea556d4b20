"""What the engine answers: totals with their uncertainty and evidence counts, by area and by
period, and the events behind a total."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache

from gazetteer.models import Place

from .question import Question


# Not frozen, though never changed once made: a breakdown by township makes thousands (3,700
# for everywhere by township by month), and a frozen dataclass's __init__ sets each of its
# twelve fields through object.__setattr__, four times slower (6 ms of such an answer). Hashed
# by its fields all the same (the pages word each distinct total once: dashboard_shaping).
@dataclass(slots=True, unsafe_hash=True)
class Total:
    """A total with its uncertainty (rule 7) and, for stocks, the dates of the figures standing
    (rule 4). Never changed once made (Total.zero's are shared)."""

    metric: str
    best: int  # the sum of the counted figures (after rule 5's covering)
    low: int  # the sum over the events of the lowest figure their approved reports give
    high: int  # the same with the highest; when high_open, the sum of the finite highs
    events: int  # events counted (a report not linked to an event is its own event)
    reports: int  # approved reports behind the counted events, triangulating ones included
    sources: int  # distinct sources cited by those reports (a confidential one: once per report)
    high_open: bool = False  # it rests on an "at least" figure: there is no finite high
    approximate: bool = False  # it rests on an "approximately" figure
    as_of_oldest: date | None = None  # stocks: the oldest and newest date of the figures standing
    as_of_newest: date | None = None
    stale: bool = False  # stocks: a figure standing is older than the staleness limit
    at_most: bool = False  # an "at most" figure it counts adds to it (rules.total_of)
    # in_order() turned its range around it: its high is then no bound its best is known to
    # reach, and it never reads "at most".
    reordered: bool = False

    @classmethod
    def zero(cls, metric: str) -> "Total":
        # One per metric, shared: a breakdown fills every place's missing metrics with it.
        return _zero(cls, metric)

    def in_order(self) -> "Total":
        """The total with its low and high around its best. What a covering figure adds beyond
        the figures it covers (rule 5) is taken part by part, the low less their lows and the
        high less their highs, so that added to them it makes the question's low and high. On
        its own (the "unspecified within" row, a line spanning beyond) that can turn its range
        around: 3,000 less a township's 400-600 adds 2,600 to the low, 2,500 to the best and
        2,400 to the high, and reads 2,500 (2,400-2,600), the remainder's own range. Every
        total is read so: two covering figures that do not cover each other, over one event
        whose sources disagree, each take its low away (docs/counting.md, rule 5)."""
        if self.low <= self.best <= self.high:
            return self
        parts = (self.low, self.best, self.high)
        return replace(self, low=min(parts), high=max(parts), reordered=True)

    @property
    def qualifier(self) -> str:
        """How the total reads (rule 7: a qualifier is never dropped): "at_least" (no finite
        high), "at_most" ("at most 50" and 12 is at most 62, from 12), "approximately" or
        "exact". "At most" only where its best is then a bound: not beside an "at least" figure
        (no bound above), an "approximately" one, a range whose high is above the best (a
        range figure's midpoint, sources disagreeing), or a range turned around (`reordered`):
        those read as they would without it, the `at_most` flag kept."""
        if self.high_open:
            return "at_least"
        if self.at_most and not self.approximate and self.high == self.best and not self.reordered:
            return "at_most"
        return "approximately" if self.approximate else "exact"


@cache
def _zero(cls: type[Total], metric: str) -> Total:
    return cls(metric, 0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class SpanningFigure:
    """A flow figure shown on its own line beside a total or a series (rule 3): its span
    reaches outside the period asked (`beyond`), or is longer than one period of the series
    (`longer`, counted in the total but in no period row)."""

    metric: str
    event_id: int | None  # None when the report is its own event
    name: str  # the event's name, or the report's title
    report_id: int  # the report whose figure is counted (the evidence)
    start: date  # the figure's span
    end: date
    pcode: str
    place_name: str
    counted: Total  # the figure itself (events=1): its best, its event's range, its qualifiers
    adds: Total  # what it adds beyond the figures it covers (rule 5), never below zero


@dataclass(frozen=True)
class AreaRow:
    pcode: str | None  # None for the "unspecified within <area>" row
    name: str
    unspecified: bool
    latitude: Decimal | None
    longitude: Decimal | None
    totals: dict[str, Total]
    # A breakdown by destination (Question.by): "outside" for a destination outside the area
    # (the row is its state or region), "unknown" for the figures that say none; "" otherwise.
    where: str = ""


@dataclass(frozen=True)
class PeriodRow:
    start: date
    end: date
    label: str
    totals: dict[str, Total]


@dataclass(frozen=True)
class Answer:
    question: Question
    area: Place | None
    metrics: tuple[str, ...]
    totals: dict[str, Total]
    by_area: list[AreaRow]
    by_period: list[PeriodRow]
    # Per flow metric: figures overlapping the question's dates but reaching outside them (not
    # in the totals), and figures in the totals longer than one period of the series (in no
    # period row). Newest first. When the question asked for at most `lines` of each, those
    # adding the most; `beyond_more` and `longer_more` say how many more there are.
    beyond: dict[str, list[SpanningFigure]] = field(default_factory=dict)
    longer: dict[str, list[SpanningFigure]] = field(default_factory=dict)
    beyond_more: dict[str, int] = field(default_factory=dict)
    longer_more: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CountedEvent:
    event_id: int | None  # None when the report is its own event
    name: str  # the event's name, or the report's title
    counted: Total  # its figure (events=1): best, the event's range, qualifiers, as-of date
    range_low: int  # lowest and highest figure among the event's approved reports
    range_high: int
    reference_report_id: int  # the report whose figure is counted
    report_ids: tuple[int, ...]  # approved reports of the event with a figure of this metric
    start: date | None = None  # the counted figure's span (a stock: its as-of date twice)
    end: date | None = None
    adds: Total | None = None  # what it adds to the total beyond the figures it covers (rule 5)
    covers: int = 0  # how many counted events it covers (rule 5)
