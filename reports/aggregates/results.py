"""What the engine answers: totals with their uncertainty and evidence counts, by area and by
period, and the events behind a total."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gazetteer.models import Place

from .question import Question


@dataclass(frozen=True)
class Total:
    metric: str
    best: int
    low: int
    high: int
    events: int  # events counted (a report not linked to an event is its own event)
    reports: int  # approved reports behind the counted events, triangulating ones included
    sources: int  # distinct sources cited by those reports

    @classmethod
    def zero(cls, metric: str) -> "Total":
        return cls(metric, 0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class AreaRow:
    pcode: str | None  # None for the "unspecified within <area>" row
    name: str
    unspecified: bool
    latitude: Decimal | None
    longitude: Decimal | None
    totals: dict[str, Total]


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


@dataclass(frozen=True)
class CountedEvent:
    event_id: int | None  # None when the report is its own event
    name: str  # the event's name, or the report's title
    counted: Total  # its contribution to the total (events=1)
    range_low: int  # lowest and highest figure among the event's approved reports
    range_high: int
    reference_report_id: int  # the report whose figure is counted
    report_ids: tuple[int, ...]  # approved reports of the event with a figure of this metric
