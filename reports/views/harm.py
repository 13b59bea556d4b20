"""The IHL view (/dashboard/harm/): harm to civilians and to protected objects in any area and
period, by cause or means and by alleged perpetrator, each cell a total of the counting engine
(the question with one more filter) linking to the evidence behind it. Attributions are
allegations: the evidence page shows each with the sources that make it."""

import functools
from dataclasses import dataclass, replace

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from reports import aggregates, exports, tasks
from reports.models import NOT_STATED, UNKNOWN, Party
from reports.views import cached
from reports.views.dashboard_shaping import (
    ask,
    bad_request,
    cleaned_params,
    filter_form,
    from_form,
    metric_info,
    shown_total,
    title_of,
    url_for,
)
from reports.vocabulary import HARM_METRICS, Cause


@dataclass(frozen=True)
class Column:
    label: str
    question: aggregates.Question
    always: bool = False  # shown even when nothing is counted in it


Totals = dict[str, aggregates.Total]

# Seconds after which the "being counted" page asks again (it reloads itself, with no script),
# and after which one that could not be counted, or found too many being counted, does.
AGAIN = 10
LATER = 60


def _totals(questions) -> dict[aggregates.Question, Totals]:
    """Each distinct question's totals, counted once (the "All" column is in both tables): a
    column needs no breakdown, series or lines, so only the totals are read."""
    found: dict[aggregates.Question, Totals] = {}
    for question in questions:
        if question not in found:
            found[question] = aggregates.totals(question)
    return found


def _cells(
    columns: list[Column], metrics, answered: dict[aggregates.Question, Totals]
) -> tuple[list[Column], list[dict], list[str]]:
    """The columns with something counted (and those always shown), each metric's row of
    cells (shown totals with their evidence links), and the labels of the empty columns."""
    found = [answered[column.question] for column in columns]
    kept = [
        i
        for i, (column, totals) in enumerate(zip(columns, found, strict=True))
        if column.always or any(totals[m].events for m in metrics)
    ]
    rows = [
        {
            "metric": metric_info(metric),
            "cells": [
                shown_total(found[i][metric])
                | {"url": url_for("evidence", replace(columns[i].question, metrics=(metric,)))}
                for i in kept
            ],
        }
        for metric in metrics
    ]
    empty = [column.label for i, column in enumerate(columns) if i not in kept]
    return [columns[i] for i in kept], rows, empty


def harm(request):
    params = cleaned_params(request.GET)
    asked = ask(params)
    action = url_for("harm", aggregates.Question())
    if asked.errors:
        return bad_request(
            request,
            "reports/dashboard/harm.html",
            params,
            asked.errors,
            extra={"form": filter_form(params, asked.errors, action=action)},
        )
    question = asked.question
    if from_form(request.GET):
        return redirect(url_for("harm", question))
    # The same for every visitor (public data only): kept under the data version, as the
    # dashboard's content, and under the question as the page reads it. A page with columns
    # the summaries do not answer is counted from the base tables: at a million reports,
    # filtered by a tag or a source type, that can take a minute, made by the worker where
    # there is one (docs/caching.md). Whether it is such a page is asked only when it is not
    # kept yet.
    language = get_language()
    canonical = url_for("harm", question)
    context = cached.prepared(
        request,
        "harm",
        canonical,
        functools.partial(_harm_page, params, question, action),
        slow=lambda: _from_base_tables(question),
        queue=lambda key, release: tasks.prepare_harm_page.apply_async(
            kwargs={
                "key": key,
                "release": release,
                "query": canonical.partition("?")[2],
                "language": language,
            },
            **pages_queue(),
        ),
    )
    if isinstance(context, cached.Waiting):
        return _waiting(request, question, context)
    return render(request, "reports/dashboard/harm.html", context)


def pages_queue() -> dict:
    """apply_async()'s options for a page the worker makes: its own queue when one is named
    (TRACKER_PAGES_QUEUE), else the default one; a task not started while the page is taken
    to be on its way is dropped (the next request queues the page again)."""
    options: dict = {"expires": cached.queued_seconds()}
    if settings.TRACKER_PAGES_QUEUE:
        options["queue"] = settings.TRACKER_PAGES_QUEUE
    return options


def _from_base_tables(question: aggregates.Question) -> bool:
    """Whether some column of the page is a question the summaries do not answer."""
    total, causes, parties = _columns(question)
    return not all(
        aggregates.kept_in_summaries(column.question) for column in (total, *causes, *parties)
    )


def _waiting(request, question, waiting: cached.Waiting):
    """ "Being counted" (202, asks again by itself), or "could not be counted" / "too many
    being counted" (503, asks again later)."""
    again = LATER if waiting.later else AGAIN
    response = render(
        request,
        "reports/dashboard/preparing.html",
        {
            "title": title_of(aggregates.make_plan(question).area, question),
            "dashboard_url": url_for("index", question),
            "filters": exports.filters_in_words(question),
            "waiting": waiting,
            "again": again,
        },
        status=503 if waiting.later else 202,
    )
    response["Retry-After"] = str(again)
    return response


def harm_page_for_worker(key: str, release: str, query: str, language: str) -> None:
    """The page a request queued (cached.prepared), made by the worker and kept under the
    request's key."""

    def build() -> dict:
        with translation.override(language):
            params = cleaned_params(QueryDict(query))
            asked = ask(params)
            if asked.errors:  # the request checked it: only a change of vocabulary since
                raise ValueError(f"The question no longer reads: {asked.errors}")
            return _harm_page(params, asked.question, url_for("harm", aggregates.Question()))

    cached.make_prepared(key, release, build)


def _columns(question) -> tuple[Column, list[Column], list[Column]]:
    """The "All" column, one a cause and one a party (with "unknown" and "not stated")."""
    metrics = tuple(m for m in HARM_METRICS if not question.metrics or m in question.metrics)
    if not metrics:
        metrics = HARM_METRICS
    asked_harm = replace(question, metrics=metrics)
    total = Column(pgettext("the column of every report counted", "All"), asked_harm, always=True)
    causes = [
        Column(str(label), replace(asked_harm, cause=value))
        for value, label in Cause.choices
        if not question.cause or value == question.cause
    ]
    parties = [
        Column(party.short_name or party.reader_name(), replace(asked_harm, perpetrator=party.slug))
        for party in Party.objects.all()
        if not question.perpetrator or party.slug == question.perpetrator
    ]
    parties += [
        Column(str(label), replace(asked_harm, perpetrator=code), always=True)
        for code, label in ((UNKNOWN, _("Unknown")), (NOT_STATED, _("Not stated")))
        if not question.perpetrator or code == question.perpetrator
    ]
    return total, causes, parties


def _harm_page(params, question, action) -> dict:
    total, causes, parties = _columns(question)
    metrics = total.question.metrics
    asked_harm = total.question
    answered = _totals(column.question for column in [total, *causes, *parties])
    by_cause = _cells([total, *causes], metrics, answered)
    by_party = _cells([total, *parties], metrics, answered)
    context = {
        "title": title_of(aggregates.make_plan(asked_harm).area, question),
        "filters": exports.filters_in_words(question),
        "form": filter_form(params, {}, action=action),
        "dashboard_url": url_for("index", question),
        "by_cause": {"columns": by_cause[0], "rows": by_cause[1], "empty": by_cause[2]},
        "by_party": {"columns": by_party[0], "rows": by_party[1], "empty": by_party[2]},
    }
    return context
