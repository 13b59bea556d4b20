"""The numbers advocates see: totals by area and period, counted by DOMAIN.md's rules, from one
implementation that the pages, the exports and the API all call.

The rules (DOMAIN.md "Counting rules"), and the choices made where it is silent:

1. Only figures of approved reports count; a retracted report leaves every total.
2. Each event counts once per metric. The figure counted is the moderator's reference
   (EventReferenceFigure), while its report is approved and in the event; otherwise the most
   recently published one: the latest `published_on` among the report's sources, or the
   (local) date the report was approved when no source is dated; ties go to the later
   approval, then the higher report and figure ids. The event's other figures give its range
   (lowest low to highest high). A report linked to no event is its own event; two figures
   of one metric in one report are two accounts of the same number, so one of them counts.
3. A report is dated by its end date, or its start date when it has none: the date its
   figures are true at ("335,000 displaced since 27 October", reported on 13 November, is
   dated 13 November). An event is dated and placed by the report whose figure it counts, so
   it falls in one period and one place, and a year's total is the sum of its months.
4. Flows are summed over the period. Stocks (vocabulary.MEASURE) are never summed over time:
   for each place, the latest figure on or before the end of the period (the start of the
   period does not matter); in a series each period shows the figures standing at its end.
   Two figures for one place on one date: the most recently published stands.
5. Stocks at a place and at places within it are never added up. The more recent figure
   wins: a place's figure stands if no place within it has a more recent one (on the same
   date the wider figure wins, being the more complete); a more recent figure within it sets
   it aside, since we cannot tell which part of it the newer one updates. (rules.py,
   standing_stocks.) Only figures within the asked area take part.
6. Totals carry best, low and high (sums of the figures' own counts: households are already
   people, ranges are min-max with the midpoint as best), and the number of events counted,
   of approved reports behind them (triangulating reports included) and of distinct sources
   those reports cite. Nothing stored is rounded.
7. Area breakdowns are one admin level below the area (or a chosen level); a report whose
   place has no ancestor at that level (a coarser report) is shown as "unspecified within
   <area>", never spread. Rows appear in gazetteer order, only where something is counted.
8. Filters by cause, tag (case-insensitive), source type (reports citing at least one source
   of that type) or event choose the evidence first: only figures of matching reports take
   part in the choice of each event's figure. The period and the area are applied after the
   choice, so an event never counts twice across the rows of a breakdown.

How it is computed: questions without evidence filters (the dashboard's) are answered from
summary tables kept up to date in the same transaction as every approval, retraction, edit,
event link and reference choice (summaries.py, called by the services); questions with filters
are answered from the base tables (base.py). Both go through rules.py, and verify_summaries()
recomputes the summaries from scratch and lists any difference (`manage.py rebuild_aggregates
--check`). Two changes happen outside the services and must be followed by hand: a source's
publication date edited in the admin (follow_source()), and a gazetteer import that moves
places under new parents (rebuild_summaries(), or `manage.py rebuild_aggregates`).
"""

from dataclasses import replace

from .question import (
    PERIODS,
    Question,
    QuestionError,
    make_plan,
    parse_question,
    question_params,
)
from .results import Answer, AreaRow, CountedEvent, PeriodRow, Total
from .rules import event_key, methodology

__all__ = [
    "PERIODS",
    "Answer",
    "AreaRow",
    "CountedEvent",
    "PeriodRow",
    "Question",
    "QuestionError",
    "Total",
    "answer",
    "evidence",
    "follow_event",
    "follow_source",
    "follow_report",
    "methodology",
    "parse_question",
    "question_params",
    "rebuild_summaries",
    "verify_summaries",
]


def answer(question: Question) -> Answer:
    """Totals, by area and by period, for the question (QuestionError if it is not valid)."""
    from . import base, fast

    plan = make_plan(question)
    if question.filters_evidence:
        return base.answer_from_base(plan)
    return fast.answer_from_summaries(plan)


def evidence(question: Question, metric: str) -> list[CountedEvent]:
    """The events that make answer(question).totals[metric], newest first."""
    from . import base, fast

    plan = make_plan(replace(question, metrics=(metric,)))
    if question.filters_evidence:
        return base.evidence_from_base(plan, metric)
    return fast.evidence_from_summaries(plan, metric)


def follow_report(report, *, was_in_event: int | None | object = ...) -> None:
    """Bring the summaries up to date after a change to an approved (or just retracted) report,
    inside the caller's transaction; `was_in_event`: the event it was linked to before a link
    change (None: none)."""
    from .summaries import refresh

    keys = {event_key(report.event_id, report.pk)}
    if was_in_event is not ...:
        keys.add(event_key(was_in_event, report.pk))
    refresh(keys)


def follow_event(event) -> None:
    """Bring the summaries up to date after a moderator chose an event's reference figure."""
    from .summaries import refresh

    refresh({event_key(event.pk, 0)})


def follow_source(source) -> None:
    """Bring the summaries up to date after a source's publication date changed (it decides
    which report's figure an event counts): every approved report citing it is refreshed."""
    from ..models import Report
    from ..workflow import Status
    from .summaries import refresh

    cited_by = Report.objects.filter(sources=source, status=Status.APPROVED)
    refresh({event_key(event, pk) for pk, event in cited_by.values_list("pk", "event_id")})


def rebuild_summaries() -> dict[str, int]:
    """Recompute every summary from the base tables (after a bulk load or a gazetteer import
    that moved places); returns the rows written per table."""
    from .summaries import rebuild

    return rebuild()


def verify_summaries(limit: int = 20) -> list[str]:
    """Recompute every summary in memory and list where the stored ones differ (empty: they
    agree with the base tables)."""
    from .summaries import verify

    return verify(limit)
