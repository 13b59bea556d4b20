"""The numbers advocates see: totals by area and period, from one engine that the pages, the
exports and the API all call. Its rules and choices: docs/counting.md."""

from dataclasses import replace

from .methodology import methodology
from .question import (
    PERIODS,
    Question,
    QuestionError,
    make_plan,
    parse_question,
    question_params,
)
from .results import Answer, AreaRow, CountedEvent, PeriodRow, Total
from .rules import event_key

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
    "follow_moved_places",
    "follow_source",
    "follow_tag",
    "follow_report",
    "kept_in_summaries",
    "methodology",
    "parse_question",
    "question_params",
    "rebuild_summaries",
    "reports_counted",
    "totals",
    "verify_summaries",
]


def answer(question: Question, *, lines: int | None = None) -> Answer:
    """Totals, by area and by period, for the question (QuestionError if it is not valid);
    `lines`: at most so many figures spanning beyond the period, and as many longer than a
    period of the series, per metric (those adding the most; None: every one)."""
    from . import from_base_tables, from_summaries
    from .facets import facet_of

    plan = make_plan(question)
    facet = facet_of(plan.question)
    if facet is None:
        return from_base_tables.answer_from_base(plan, lines)
    return from_summaries.answer_from_summaries(plan, facet, lines)


def kept_in_summaries(question: Question) -> bool:
    """Whether the summaries answer the question; if not, it is counted from the base tables
    (an event, two filters at once: docs/counting.md), which takes longer the larger its pool.
    For a question already checked (parse_question, make_plan): it reads nothing."""
    from .facets import facet_of

    return facet_of(question) is not None


def totals(question: Question) -> dict[str, Total]:
    """answer(question).totals alone, without its breakdown, series or lines (a page showing
    only totals, as the IHL view's columns: each a few reads of the summaries)."""
    from . import from_base_tables, from_summaries
    from .facets import facet_of

    plan = make_plan(question)
    facet = facet_of(plan.question)
    if facet is None:
        return from_base_tables.totals_from_base(plan)
    return from_summaries.totals_from_summaries(plan, facet)


def evidence(question: Question, metric: str) -> list[CountedEvent]:
    """The events that make answer(question).totals[metric], newest first."""
    from . import from_base_tables, from_summaries
    from .facets import facet_of

    plan = make_plan(replace(question, metrics=(metric,)))
    facet = facet_of(plan.question)
    if facet is None:
        return from_base_tables.evidence_from_base(plan, metric)
    return from_summaries.evidence_from_summaries(plan, metric, facet)


def reports_counted(question: Question, metric: str) -> list[tuple[int, tuple[int, ...]]]:
    """(the counted report's id, the ids of all its event's approved reports) for each event
    that makes answer(question).totals[metric], in no particular order: what evidence() says
    of them without their names and totals, for the downloads of every report behind a
    number (one read of two columns on the summaries)."""
    from . import from_base_tables, from_summaries
    from .facets import facet_of

    plan = make_plan(replace(question, metrics=(metric,)))
    facet = facet_of(plan.question)
    if facet is None:
        return [
            (e.reference_report_id, e.report_ids)
            for e in from_base_tables.evidence_from_base(plan, metric)
        ]
    return from_summaries.reports_counted_from_summaries(plan, metric, facet)


def follow_report(report, *, was_in_event: int | None | object = ...) -> None:
    """Bring the summaries up to date after a change to an approved (or just retracted) report,
    inside the caller's transaction; `was_in_event`: the event it was linked to before a link
    change (None: none)."""
    from .summaries import refresh

    _bump()
    keys = {event_key(report.event_id, report.pk)}
    if was_in_event is not ...:
        keys.add(event_key(was_in_event, report.pk))
    refresh(keys)


def follow_event(event) -> None:
    """Bring the summaries up to date after a moderator chose an event's reference figure."""
    from .summaries import refresh

    _bump()
    refresh({event_key(event.pk, 0)})


def follow_source(source) -> None:
    """Bring the summaries up to date after a source's publication date, confidential flag or
    type changed (they decide which report's figure an event counts, how sources are counted
    and which questions by source type the reports answer): every approved report citing it
    is refreshed."""
    from ..models import Report

    _bump()
    _refresh_reports(Report.objects.filter(sources=source))


def follow_tag(tag) -> None:
    """Bring the summaries up to date after a tag was renamed (a question by tag reads the
    summaries kept per tag name)."""
    from ..models import Report

    _bump()
    _refresh_reports(Report.objects.filter(tags=tag))


def _bump() -> None:
    # Every change to the approved set passes here: the pages cached under the data version
    # (reports.views.cached) are not served again once it commits. First, before the
    # summaries' locks, so every transaction takes the version's lock in the same order.
    from ..services.data_version import data_version_bump

    data_version_bump()


def _refresh_reports(reports) -> None:
    from ..workflow import Status
    from .summaries import refresh

    approved = reports.filter(status=Status.APPROVED)
    refresh({event_key(event, pk) for pk, event in approved.values_list("pk", "event_id")})


def rebuild_summaries() -> dict[str, int]:
    """Recompute every summary from the base tables (after a bulk load or a gazetteer import
    that moved places); returns the rows written per table."""
    from django.db import transaction

    from .summaries import rebuild

    with transaction.atomic():
        _bump()
        return rebuild()


def follow_moved_places(place_ids) -> list[int]:
    """After a gazetteer import (these places renamed or re-pointed): where figures at or under
    a place that moved to another parent were counted under its old ancestors, every summary
    is rebuilt, in the caller's transaction. Returns the places found out of place (none: the
    summaries were left as they are). A move reaches every total above the place, every
    covering figure around it (rule 5) and every stock step of its old and new ancestors, so
    the whole rebuild, not a refresh: a few minutes at a million reports, for what a new P-code
    release does rarely."""
    from .summaries import misplaced

    moved = misplaced(place_ids)
    if moved:
        rebuild_summaries()
    return moved


def verify_summaries(limit: int = 20) -> list[str]:
    """Recompute every summary in memory and list where the stored ones differ (empty: they
    agree with the base tables)."""
    from .summaries import verify

    return verify(limit)
