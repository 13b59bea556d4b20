"""The advocate's pages: the dashboard, the evidence behind every number, the printable
briefing and the downloads; every one a GET URL that can be shared, working without JavaScript."""

from dataclasses import replace
from datetime import date
from pathlib import Path

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from gazetteer.models import Place
from reports import aggregates, exports, publication, selectors
from reports.models import Report, Source
from reports.services import evidence as evidence_services
from reports.views import briefing as briefing_text
from reports.views import cached, chart_files
from reports.views.dashboard_shaping import (
    SPANNING_SHOWN,
    ask,
    at_precision,
    bad_request,
    beyond_only,
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
from reports.workflow import Status

EVENTS_PER_PAGE = 50


def index(request):
    params = cleaned_params(request.GET)
    asked = ask(params)
    if asked.errors:
        return bad_request(request, "reports/dashboard/index.html", params, asked.errors)
    question = asked.question
    if from_form(request.GET):
        return redirect(url_for("index", question, sort=asked.sort, map=asked.map_metric))
    page = cached.kept(request, "dashboard", lambda: _dashboard_page(request, params, asked))
    return render(request, "reports/dashboard/index.html", page)


def _dashboard_page(request, params, asked) -> dict:
    """The dashboard's title and its content, the same for every visitor (kept under the data
    version): everything inside the page's <main>."""
    question = asked.question
    answer = aggregates.answer(question, lines=SPANNING_SHOWN)
    map_metric = asked.map_metric or default_map_metric(answer)
    context = dashboard_context(answer, question, asked.sort, map_metric)
    context["form"] = filter_form(params, {})
    context["query"] = query_string(question, sort=asked.sort)
    context["briefing_url"] = url_for("briefing", question, sort=asked.sort)
    context["pdf_url"] = url_for("briefing_pdf", question, sort=asked.sort)
    query = query_string(question)
    for item in context["charts"]:
        metric = item["metric"]["value"]
        item["files"] = {
            ext: reverse("dashboard:chart_file", args=[metric, ext])
            + (f"?{query}" if query else "")
            for ext in ("svg", "png")
        }
    context["embeds"] = embed_snippets(request, context)
    context["harm_url"] = url_for("harm", question)
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
    # Marked safe by the template, and kept so through the cache (pickled as a SafeString).
    content = render_to_string("reports/dashboard/_dashboard.html", context, request=request)
    return {"title": str(context["title"]), "content": content}


# --- the evidence behind a number -------------------------------------------------------------


def _published_files(report_ids) -> dict[int, list]:
    """The published evidence of these reports, by report: one query for the page instead of
    one a report (the evidence page lists up to a few hundred)."""
    files: dict[int, list] = {}
    for file in (
        evidence_services.public_evidence()
        .filter(report_id__in=report_ids)
        .order_by("published_at", "id")
    ):
        files.setdefault(file.report_id, []).append(file)
    return files


def _report_items(reports, metric: str, reference_id: int, published: dict) -> list[dict]:
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
                    for shown in publication.sources_data(report.sources.all(), reader=True)
                ],
                "point": selectors.public_point(report),
                "alleged": publication.perpetrator_data(report, reader=True),
                "published_files": published.get(report.pk, []),
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
    if not (page_number.isascii() and page_number.isdigit()) or int(page_number) < 1:
        errors["page"] = "Use a page number: 1, 2, 3 ..."
    if errors:
        return bad_request(request, "reports/dashboard/evidence.html", params, errors)
    # The same for every visitor (public reports and published copies only): kept under the
    # data version, as the dashboard's content; never the page around it.
    page = cached.kept(
        request,
        "evidence",
        lambda: _evidence_page(request, question, unspecified, page_number),
        parameters=EVIDENCE_PARAMETERS,
    )
    return render(request, "reports/dashboard/evidence.html", page)


# The evidence page's own parameters, besides the question's (cached.PAGE_PARAMETERS).
EVIDENCE_PARAMETERS = frozenset({"unspecified", "page"})


def _evidence_page(request, question, unspecified: str, page_number: str) -> dict:
    """The evidence page's title and its content (everything inside its <main>)."""
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
        r.pk: r
        for r in selectors.public_reports()
        .filter(pk__in=ids)
        .select_related("event", "perpetrator")
        .prefetch_related("perpetrator_sources__party")
    }
    apart = selectors.counted_separately(ids, metric)
    published = _published_files(ids)
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
                published,
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
        **destination_context(question),
    }
    content = render_to_string("reports/dashboard/_evidence.html", context, request=request)
    return {"head": f"{context['metric']['label']}, {context['title']}", "content": content}


# --- the printable briefing -------------------------------------------------------------------


# Report ids per query when reading which sources the reports behind a briefing cite.
CITED_BATCH = 2000


def public_sources(report_ids) -> list[dict]:
    """The sources of these reports in their public shape: each public source once, and the
    confidential ones grouped by their public label and counted once per report citing them
    ("confidential local source", 2 sources), as the totals count them. Counted once, two
    reports resting on one confidential source would read differently from two resting on two
    (DOMAIN.md, "Visibility and protection"). Read from the reports' citations, a grouped query
    per CITED_BATCH reports, without reading the reports themselves."""
    cited = Report.sources.through.objects.filter(report__status=Status.APPROVED).order_by()
    named_ids: set[int] = set()
    confidential_citations: dict[str, int] = {}
    ordered = sorted(report_ids)
    for start in range(0, len(ordered), CITED_BATCH):
        batch = cited.filter(report_id__in=ordered[start : start + CITED_BATCH])
        named_ids.update(
            batch.filter(source__is_confidential=False)
            .values_list("source_id", flat=True)
            .distinct()
        )
        by_type = (
            batch.filter(source__is_confidential=True)
            .values_list("source__source_type")
            .annotate(citations=Count("pk"))
        )
        for source_type, citations in by_type:
            confidential_citations[source_type] = (
                confidential_citations.get(source_type, 0) + citations
            )
    confidential: dict = {}
    for source_type, citations in confidential_citations.items():
        # A confidential source is shown by its type only: its label says nothing more.
        label = selectors.public_source_label(
            Source(source_type=source_type, is_confidential=True), reader=True
        )
        confidential[label] = confidential.get(label, 0) + citations
    named = [
        (source, publication.source_data(source, reader=True))
        for source in Source.objects.filter(pk__in=named_ids).order_by("public_id")
    ]
    items = [
        {"label": shown["label"], "url": shown["url"] or "", "count": 1, "confidential": False}
        for source, shown in sorted(
            named,
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


# Stands in a kept briefing for the time it was generated, which is the time of each request
# (U+E000, of the private use area). Its last occurrence is replaced: the footer's, after any
# text a source or a place could bring.
GENERATED = "\ue000generated\ue000"


def _briefing_context(request, asked) -> dict:
    """Everything the briefing shows, for the page and its PDF, but the time it was generated
    (GENERATED stands for it)."""
    question = asked.question
    answer = aggregates.answer(question, lines=SPANNING_SHOWN)
    map_metric = asked.map_metric or default_map_metric(answer)
    context = dashboard_context(answer, question, asked.sort, map_metric)
    report_ids, _ = exports.reports_behind(question, answer.metrics)
    outside = beyond_only(answer)
    # The figures spanning beyond the period are printed too: their reports' sources with the
    # others' (they are in no total, so reports_behind() leaves them out).
    report_ids = sorted({*report_ids, *(item["report_id"] for item in context["beyond"])})
    sources = public_sources(report_ids)
    # The briefing's tables leave out metrics with nothing approved and areas with nothing
    # counted, to fit on paper; the empty metrics are named in one line.
    shown = [i for i, m in enumerate(answer.metrics) if answer.totals[m].events]
    areas = [
        {**row, "cells": [row["cells"][i] for i in shown]}
        for row in context["areas"]
        if any(row["cells"][i]["total"].events for i in shown)
    ]
    query = query_string(question, sort=asked.sort)
    context.update(
        {
            "heading": briefing_text.heading(question, answer),
            "key_messages": briefing_text.key_messages(question, answer),
            "table_metrics": [context["metrics"][i] for i in shown],
            "table_headline": [context["headline"][i] for i in shown],
            "table_areas": areas,
            "zero_metrics": [
                str(Metric(m).label).lower()
                for i, m in enumerate(answer.metrics)
                if i not in shown and m not in outside
            ],
            "sources": sources,
            "sources_count": sources_count(sources),
            "report_count": len(report_ids),
            "time_zone": timezone.get_current_timezone_name(),
            "generated": GENERATED,
            "dashboard_url": request.build_absolute_uri(
                url_for("index", question, sort=asked.sort)
            ),
            "pdf_url": reverse("dashboard:briefing_pdf") + (f"?{query}" if query else ""),
        }
    )
    context["method_url"] = context["dashboard_url"] + "#method"
    return context


def briefing(request):
    params = cleaned_params(request.GET)
    asked = ask(params)
    if asked.errors:
        return bad_request(request, "reports/dashboard/briefing.html", params, asked.errors)
    page = cached.kept(
        request,
        "briefing",
        lambda: render_to_string(
            "reports/dashboard/briefing.html", _briefing_context(request, asked), request=request
        ),
    )
    return HttpResponse(_generated_now(page))


def _generated_now(page: str) -> str:
    """The kept briefing with the time it is generated: now (in the footer, the page's end)."""
    before, marker, after = page.rpartition(GENERATED)
    if not marker:
        return page
    return before + escape(generated_at(timezone.localtime())) + after


def briefing_pdf(request):
    """The briefing as a PDF made on the server; where WeasyPrint's libraries are missing, a
    page that says what to install and points to the browser's own print."""
    params = cleaned_params(request.GET)
    asked = ask(params)
    if asked.errors:
        return bad_request(request, "reports/dashboard/briefing.html", params, asked.errors)
    kept = cached.kept(request, "briefing-pdf", lambda: _briefing_pdf_page(request, asked))
    page = _generated_now(kept["page"])
    try:
        pdf = briefing_text.render_pdf(page)
    except briefing_text.PdfUnavailable as error:
        context = {
            "message": str(error),
            "briefing_url": url_for("briefing", asked.question, sort=asked.sort),
        }
        return render(request, "reports/dashboard/pdf_unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kept["filename"]}"'
    return response


def _briefing_pdf_page(request, asked) -> dict:
    """The briefing's page as the PDF is made from (its style sheets inline), and the file's
    name."""
    context = _briefing_context(request, asked)
    context["pdf"] = True
    context["inline_css"] = "\n".join(
        Path(finders.find(name)).read_text(encoding="utf-8")
        for name in ("dashboard/briefing.css", "css/map.css")
    )
    return {
        "page": render_to_string("reports/dashboard/briefing.html", context, request=request),
        "filename": exports.filename(context["answer"], "briefing", "pdf"),
    }


# --- a chart as a file ----------------------------------------------------------------------


def _plain_error(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _one_metric(asked) -> str | None:
    metrics = asked.question.metrics if asked.question else ()
    return metrics[0] if len(metrics) == 1 else None


def _errors_text(errors: dict[str, str]) -> str:
    return "; ".join(f"{field}: {text}" for field, text in sorted(errors.items()))


def chart_file(request, metric: str, extension: str):
    """The dashboard's chart of one metric as a standalone SVG, or a PNG drawn from it."""
    if extension not in ("svg", "png"):
        raise Http404("Charts come as .svg or .png.")
    params = cleaned_params(request.GET)
    params.setlist("metric", [metric])
    asked = ask(params)
    if asked.errors:
        return _plain_error(_("The chart was not made: ") + _errors_text(asked.errors))
    question = asked.question
    answer = aggregates.answer(question, lines=SPANNING_SHOWN)
    context = dashboard_context(answer, question, asked.sort, metric)
    chart = next((c for c in context["charts"] if c["metric"]["value"] == metric), None)
    if chart is None:
        message = (
            _(
                "Nothing approved for %(metric)s lies wholly within %(when)s in %(area)s, so "
                "there is no chart: the figures that overlap it reach outside it."
            )
            if metric in beyond_only(answer)
            else _("Nothing approved for %(metric)s in %(title)s, so there is no chart.")
        )
        return _plain_error(
            message
            % {
                "metric": Metric(metric).label,
                "title": context["title"],
                "when": context["period_asked"],
                "area": context["area_name"],
            },
            status=404,
        )
    partial = render_to_string(
        "reports/dashboard/_bar_chart.html",
        {
            **context,
            "c": chart["chart"],
            "id": f"chart-{metric}",
            "label": chart["metric"]["label"],
        },
        request=request,
    )
    notes = [
        _("Bars: the best estimate per %(period)s; whiskers: the range the sources give.")
        % {"period": context["series_period"] or _("period")}
    ]
    if chart["chart"].any_stale:
        notes.append(
            _("Hollow bar: a stale stock, its figure standing older than the staleness limit.")
        )
    if chart["chart"].any_open:
        notes.append(_("Arrow above a bar: an “at least” total, with no upper bound."))
    for line in context["longer"]:
        if line["metric"]["value"] == metric:
            notes.append(
                _(
                    "In the total but in no bar, as it covers more than one %(period)s: "
                    "%(name)s (%(place)s, %(dates)s), %(number)s."
                )
                % {
                    "period": context["series_period"] or _("period"),
                    "name": line["name"],
                    "place": line["place"],
                    "dates": line["dates"],
                    "number": line["number"]["text"],
                }
            )
    page_url = request.build_absolute_uri(url_for("index", question))
    source = _(
        "Source: Karenni displacement & civilian harm tracker, moderator-approved reports, "
        "%(day)s. %(url)s"
    ) % {"day": generated_at(timezone.localtime()), "url": page_url}
    svg = chart_files.standalone_svg(
        chart_files.first_svg(partial),
        title=f"{chart['metric']['label']}: {context['title']}",
        notes=notes,
        source=source,
        base=request.build_absolute_uri("/").rstrip("/"),
    )
    name = exports.filename(answer, f"chart-{metric}", extension)
    if extension == "svg":
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    else:
        try:
            png = chart_files.png_from_svg(svg)
        except chart_files.PngUnavailable as error:
            return _plain_error(str(error), status=503)
        response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- embeds -----------------------------------------------------------------------------------


def iframe_snippet(url: str, title: str, width: int, height: int) -> str:
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" width="{width}" '
        f'height="{height}" loading="lazy" style="border:0;max-width:100%"></iframe>'
    )


# Burmese lines stand taller than Latin ones (its marks above and below the letters): a
# headline embed in Burmese needs more height for the same lines.
HEADLINE_HEIGHT = {"my": 300}


def embed_snippets(request, context) -> dict[str, list[dict]]:
    """The <iframe> to copy for each counted headline, each chart and the map."""
    question, title = context["answer"].question, context["title"]
    snippets: dict[str, list[dict]] = {"headline": [], "chart": [], "map": []}
    headline_height = HEADLINE_HEIGHT.get(get_language() or "en", 220)
    for card in context["headline_cards"]:
        label, metric = card["metric"]["label"], card["metric"]["value"]
        url = embed_url(request, "headline", question, metric)
        snippets["headline"].append(
            {
                "label": label,
                "code": iframe_snippet(url, f"{label}: {title}", 320, headline_height),
            }
        )
    for item in context["charts"]:
        label, metric = item["metric"]["label"], item["metric"]["value"]
        url = embed_url(request, "chart", question, metric)
        snippets["chart"].append(
            {"label": label, "code": iframe_snippet(url, f"{label}: {title}", 480, 320)}
        )
    if context["answer"].by_area:
        label, metric = context["map"]["metric"]["label"], context["map"]["metric"]["value"]
        url = embed_url(request, "map", question, metric)
        snippets["map"].append(
            {"label": label, "code": iframe_snippet(url, f"{label}: {title}", 480, 440)}
        )
    return snippets


# An embed is cached by browsers and shared caches for five minutes: a news page read by
# thousands asks the tracker at most once per cache every five minutes, and a moderator's
# approval or retraction reaches every embed within that time.
EMBED_MAX_AGE = 300
EMBED_KINDS = ("headline", "chart", "map")


def embed_url(request, kind: str, question, metric: str) -> str:
    """The embed's address for the <iframe> snippet: the question, the one metric, and the
    language of the page it was copied from (so the host page shows it in that language)."""
    query = query_string(replace(question, metrics=(metric,)), lang=get_language() or "en")
    return request.build_absolute_uri(reverse("dashboard:embed", args=[kind]) + f"?{query}")


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request, kind: str):
    """A headline, a chart or a map of one metric for another site's page: public numbers
    only (the dashboard's own answer), framing allowed, cached publicly."""
    if kind not in EMBED_KINDS:
        raise Http404("No such embed.")
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        # The page as every site framing it sees it, kept under the data version; an embed asked
        # wrongly (400) is answered afresh.
        body = cached.kept(request, f"embed-{kind}", lambda: _embed_body(request, kind))
        response = HttpResponse(body) if body is not None else _embed(request, kind)
        response["Content-Language"] = language
    response["Cache-Control"] = f"public, max-age={EMBED_MAX_AGE}"
    # Without ?lang= the language comes from the reader's browser or language cookie.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _embed_body(request, kind: str) -> bytes | None:
    response = _embed(request, kind)
    return response.content if response.status_code == 200 else None


def _embed(request, kind: str):
    params = cleaned_params(request.GET)
    params.pop("lang", None)
    asked = ask(params)
    metric = _one_metric(asked) if not asked.errors else None
    if asked.errors or metric is None:
        errors = asked.errors or {"metric": _("Choose one metric for an embed.")}
        return render(
            request, "reports/dashboard/embed.html", {"errors": errors, "kind": kind}, status=400
        )
    question = asked.question
    answer = aggregates.answer(question, lines=SPANNING_SHOWN)
    context = dashboard_context(answer, question, "", metric)
    card = context["headline"][0]
    chart = next((c for c in context["charts"] if c["metric"]["value"] == metric), None)
    context.update(
        {
            "kind": kind,
            "card": card,
            "chart": chart,
            "evidence_url": request.build_absolute_uri(card["url"]),
            "dashboard_url": request.build_absolute_uri(url_for("index", question)),
        }
    )
    return render(request, "reports/dashboard/embed.html", context)
