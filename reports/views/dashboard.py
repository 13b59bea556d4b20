"""The advocate's pages: the dashboard, the evidence behind every number, the printable
briefing and the downloads; every one a GET URL that can be shared, working without JavaScript."""

from dataclasses import replace
from datetime import date

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from gazetteer.models import Place
from reports import aggregates, exports, publication, selectors
from reports.models import Report
from reports.views.dashboard_shaping import (
    SPANNING_SHOWN,
    ask,
    at_precision,
    bad_request,
    cleaned_params,
    dashboard_context,
    day,
    days,
    default_map_metric,
    figure_text,
    filter_form,
    from_form,
    metric_info,
    page_title,
    query_string,
    shown_total,
    url_for,
)
from reports.views.hosts import destination_context, hosts_url, went_to
from reports.vocabulary import Metric

EVENTS_PER_PAGE = 50


def index(request):
    params = cleaned_params(request.GET)
    asked = ask(params)
    if asked.errors:
        return bad_request(request, "reports/dashboard/index.html", params, asked.errors)
    question = asked.question
    if from_form(request.GET):
        return redirect(url_for("index", question, sort=asked.sort, map=asked.map_metric))
    answer = aggregates.answer(question, lines=SPANNING_SHOWN)
    map_metric = asked.map_metric or default_map_metric(answer)
    context = dashboard_context(answer, question, asked.sort, map_metric)
    context["form"] = filter_form(params, {})
    context["query"] = query_string(question, sort=asked.sort)
    context["briefing_url"] = url_for("briefing", question, sort=asked.sort)
    context["hosts_url"] = hosts_url(question)
    context["downloads"] = [
        {
            "url": reverse("dashboard:download", args=[name])
            + (f"?{context['query']}" if context["query"] else ""),
            "format": fmt,
            "what": what,
            "name": name,
        }
        for name, (fmt, what) in exports.DOWNLOADS.items()
    ]
    return render(request, "reports/dashboard/index.html", context)


# --- the evidence behind a number -------------------------------------------------------------


def _report_items(reports, metric: str, reference_id: int) -> list[dict]:
    items = []
    for report in reports:
        items.append(
            {
                "report": report,
                "counted": report.pk == reference_id,
                "figures": [
                    went_to(figure_text(f), f) for f in report.figures.all() if f.metric == metric
                ],
                "when": at_precision(report.start_date, report.end_date, report.date_precision),
                "sources": [
                    {"label": shown["label"], "url": shown["url"] or ""}
                    for shown in publication.sources_data(report.sources.all())
                ],
                "point": selectors.public_point(report),
            }
        )
    return items


def _unspecified(counted, level: int | None) -> list:
    """The counted events of the "unspecified within" row: those whose counted report's place
    has no ancestor at the breakdown level (the engine's rule for that row)."""
    if level is None:
        return []
    paths = dict(
        Report.objects.filter(pk__in=[e.reference_report_id for e in counted]).values_list(
            "pk", "place__path"
        )
    )
    codes = {code for path in paths.values() for code in path.strip("/").split("/")}
    at_level = set(
        Place.objects.filter(pcode__in=codes, admin_level=level).values_list("pcode", flat=True)
    )
    return [
        e
        for e in counted
        if not at_level.intersection(paths.get(e.reference_report_id, "").strip("/").split("/"))
    ]


def evidence(request):
    params = cleaned_params(request.GET)
    asked = ask(params)
    errors = dict(asked.errors)
    question = asked.question
    asked_metrics = (
        question.metrics
        if question is not None
        else [m for raw in params.getlist("metric") for m in raw.split(",") if m.strip()]
    )
    if len(asked_metrics) != 1:
        errors.setdefault("metric", "Choose one metric to see the events and reports behind it.")
    unspecified = params.get("unspecified", "")
    if unspecified not in ("", "1"):
        errors["unspecified"] = "Use unspecified=1 for the reports not located below the area."
    page_number = params.get("page", "1")
    if not page_number.isdigit() or int(page_number) < 1:
        errors["page"] = "Use a page number: 1, 2, 3 ..."
    if errors:
        return bad_request(request, "reports/dashboard/evidence.html", params, errors)
    metric = question.metrics[0]
    answer = aggregates.answer(question, lines=0)  # its totals; the events are listed below
    counted = aggregates.evidence(question, metric)
    total = answer.totals[metric]
    if unspecified:
        counted = _unspecified(counted, exports.breakdown_level(answer))
        row = next((r for r in answer.by_area if r.unspecified), None)
        total = row.totals[metric] if row is not None else aggregates.Total.zero(metric)
    counted = sorted(counted, key=lambda e: (-e.counted.best, e.name.casefold()))
    # What the listed events add to the total: a covering figure only its remainder (rule 5).
    listed_sum = sum((e.adds if e.adds is not None else e.counted).best for e in counted)
    page = Paginator(counted, EVENTS_PER_PAGE).get_page(page_number)
    ids = {pk for event in page for pk in event.report_ids}
    reports = {
        r.pk: r for r in selectors.public_reports().filter(pk__in=ids).select_related("event")
    }
    apart = selectors.counted_separately(ids, metric)
    events = [
        {
            "event": event,
            "separately": sorted({other for pk in event.report_ids for other in apart.get(pk, [])}),
            "number": shown_total(event.counted),
            "span": days(event.start, event.end) if event.start and event.end else "",
            "covers": event.covers,
            "adds": shown_total(event.adds) if event.adds is not None and event.covers else None,
            "triangulation": (
                f"{event.range_low:,}–{event.range_high:,}"
                if event.range_low != event.range_high
                else ""
            ),
            "reports": _report_items(
                [reports[pk] for pk in event.report_ids if pk in reports],
                metric,
                event.reference_report_id,
            ),
        }
        for event in page
    ]
    page_query = query_string(question, unspecified=unspecified)
    context = {
        "answer": answer,
        "title": page_title(answer),
        "summary": exports.question_summary(answer, translated=True),
        "metric": metric_info(metric),
        "total": shown_total(total) if total is not None else None,
        "listed_sum": listed_sum,
        "listed_sum_display": f"{listed_sum:,}",
        "covering": any(e.covers for e in counted),
        "unspecified": bool(unspecified),
        "events": events,
        "page": page,
        "page_url": reverse("dashboard:evidence") + f"?{page_query}&page=",
        "dashboard_url": url_for("index", replace(question, metrics=())),
        "download_url": reverse("dashboard:download", args=["reports.csv"])
        + f"?{query_string(question)}",
        "form": filter_form(params, {}),
        **destination_context(question),
    }
    return render(request, "reports/dashboard/evidence.html", context)


# --- the printable briefing -------------------------------------------------------------------


def public_sources(report_ids) -> list[dict]:
    """The sources of these reports in their public shape: each public source once, and the
    confidential ones grouped by their public label and counted once per report citing them
    ("confidential local source", 2 sources), as the totals count them. Counted once, two
    reports resting on one confidential source would read differently from two resting on two
    (DOMAIN.md, "Visibility and protection")."""
    named, confidential = {}, {}
    for report in exports.public_reports_by_id(report_ids):
        for source in report.sources.all():
            shown = publication.source_data(source)
            if shown["is_confidential"]:
                confidential[shown["label"]] = confidential.get(shown["label"], 0) + 1
            else:
                named[source.pk] = (source, shown)
    items = [
        {"label": shown["label"], "url": shown["url"] or "", "count": 1, "confidential": False}
        for source, shown in sorted(
            named.values(),
            key=lambda pair: (pair[0].name.casefold(), pair[0].published_on or date.min),
        )
    ]
    items += [
        {"label": label, "url": "", "count": count, "confidential": True}
        for label, count in sorted(confidential.items())
    ]
    return items


def sources_count(sources: list[dict]) -> str:
    """ "3 sources (1 public, 2 confidential)", counted as public_sources() counts them."""
    public = sum(s["count"] for s in sources if not s["confidential"])
    confidential = sum(s["count"] for s in sources if s["confidential"])
    return ngettext(
        "%(total)s source (%(public)s public, %(confidential)s confidential)",
        "%(total)s sources (%(public)s public, %(confidential)s confidential)",
        public + confidential,
    ) % {"total": public + confidential, "public": public, "confidential": confidential}


def generated_at(moment) -> str:
    """ "29 Nov 2026, 21:42", with the month in the page's language."""
    return f"{day(moment.date())}, {moment:%H:%M}"


def briefing(request):
    params = cleaned_params(request.GET)
    asked = ask(params)
    if asked.errors:
        return bad_request(request, "reports/dashboard/briefing.html", params, asked.errors)
    question = asked.question
    answer = aggregates.answer(question, lines=SPANNING_SHOWN)
    map_metric = asked.map_metric or default_map_metric(answer)
    context = dashboard_context(answer, question, asked.sort, map_metric)
    report_ids, _ = exports.reports_behind(question, answer.metrics)
    sources = public_sources(report_ids)
    # The briefing's table leaves out metrics with nothing approved, to fit on paper.
    shown = [i for i, m in enumerate(answer.metrics) if answer.totals[m].events]
    context.update(
        {
            "table_metrics": [context["metrics"][i] for i in shown],
            "table_headline": [context["headline"][i] for i in shown],
            "table_areas": [
                {**row, "cells": [row["cells"][i] for i in shown]} for row in context["areas"]
            ],
            "zero_metrics": [
                str(Metric(m).label) for i, m in enumerate(answer.metrics) if i not in shown
            ],
            "sources": sources,
            "sources_count": sources_count(sources),
            "report_count": len(report_ids),
            "time_zone": timezone.get_current_timezone_name(),
            "generated": generated_at(timezone.localtime()),
            "dashboard_url": request.build_absolute_uri(
                url_for("index", question, sort=asked.sort)
            ),
        }
    )
    return render(request, "reports/dashboard/briefing.html", context)


def formats(request):
    """What each download column holds, and its HXL tag (from the same column definitions)."""
    context = {
        "area_columns": exports.area_columns("N"),
        "period_columns": exports.period_columns("N"),
        "metric_columns": exports.metric_columns([Metric.KILLED]),
        "stock_columns": exports.metric_columns([Metric.CURRENTLY_DISPLACED])[-3:],
        "spanning_columns": exports.SPANNING_COLUMNS,
        "metrics": [{**metric_info(m), "hxl": exports.HXL_METRIC[m]} for m in Metric.values],
        "report_columns": exports.REPORT_COLUMNS,
    }
    return render(request, "reports/dashboard/formats.html", context)


# --- downloads ----------------------------------------------------------------------------


def download(request, name: str):
    if name not in exports.DOWNLOADS:
        raise Http404("No such download.")
    params = cleaned_params(request.GET)
    asked = ask(params)
    if asked.errors:
        message = "The download was not made: " + "; ".join(
            f"{field}: {text}" for field, text in sorted(asked.errors.items())
        )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    answer = aggregates.answer(asked.question)
    url = request.build_absolute_uri(url_for("index", asked.question, sort=asked.sort))
    return exports.download(name, answer, url, sort=asked.sort)
