"""The host-communities page (/dashboard/hosts/): where people displaced from an area went,
and how many each area within it is hosting, from the counting engine's breakdown by the
figures' destination (docs/counting.md, "Where people went")."""

from dataclasses import replace

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gazetteer.models import AdminLevel, Place
from reports import aggregates
from reports.aggregates.question import BY_DESTINATION, NO_DESTINATION
from reports.views import cached
from reports.views.dashboard_shaping import (
    SPANNING_SHOWN,
    ask,
    bad_request,
    cleaned_params,
    filter_form,
    from_form,
    metric_info,
    page_title,
    period_asked,
    period_label,
    query_string,
    row_name,
    shown_total,
    spanning_items,
    url_for,
    when,
)
from reports.vocabulary import DESTINATION_METRICS, Metric

TEMPLATE = "reports/dashboard/hosts.html"
# Newly displaced (a flow) and currently displaced (a stock), always apart.
METRICS = tuple(m for m in Metric.values if m in DESTINATION_METRICS)


def hosts_url(question) -> str:
    query = query_string(_plain(question))
    return reverse("dashboard:hosts") + (f"?{query}" if query else "")


def _plain(question):
    """The page's own question: the displacement metrics, by origin (the page asks the rest)."""
    return replace(question, metrics=(), destination=None, by=None)


def index(request):
    params = cleaned_params(request.GET)
    asked = ask(params)
    action = reverse("dashboard:hosts")
    if asked.errors:
        extra = {"form": filter_form(params, asked.errors, action=action)}
        return bad_request(request, TEMPLATE, params, asked.errors, extra)
    if from_form(request.GET) or asked.question.metrics or asked.question.by:
        return redirect(hosts_url(asked.question))
    # The same for every visitor (public data only): kept under the data version, as the
    # dashboard's content (at a million reports its three answers take seconds).
    context = cached.kept(
        request,
        "hosts",
        lambda: (
            hosts_context(_plain(asked.question)) | {"form": filter_form(params, {}, action=action)}
        ),
    )
    return render(request, TEMPLATE, context)


def hosts_context(question) -> dict:
    """The page's numbers: three answers of the engine, each from one question that the
    evidence page and the downloads can ask again."""
    base = replace(question, metrics=METRICS)
    departures = aggregates.answer(replace(base, by=BY_DESTINATION), lines=SPANNING_SHOWN)
    by_origin = aggregates.answer(base, lines=0)
    arrivals_question = _arrivals_question(base)
    arrivals = aggregates.answer(arrivals_question, lines=SPANNING_SHOWN)
    return {
        "title": page_title(departures),
        "when": when(question),
        "period_asked": period_asked(question),
        "area_name": departures.area.display_name if departures.area else _("all areas"),
        "metrics": [metric_info(m) for m in METRICS],
        "departures_total": _cells(departures.totals, replace(base, by=None)),
        "destinations": _destination_rows(departures, base),
        "departures_beyond": spanning_items(departures, replace(base, by=None), "beyond")[0],
        "arrivals_total": _cells(arrivals.totals, replace(arrivals_question, by=None)),
        "hosting": _hosting_rows(arrivals, by_origin, arrivals_question, base),
        "arrivals_beyond": spanning_items(arrivals, replace(arrivals_question, by=None), "beyond")[
            0
        ],
        "series": _series(arrivals, by_origin, arrivals_question, base),
        "dashboard_url": url_for("index", base),
        "download_url": reverse("dashboard:download", args=["areas.csv"])
        + f"?{query_string(replace(base, by=BY_DESTINATION))}",
        "reports_download_url": reverse("dashboard:download", args=["reports.csv"])
        + f"?{query_string(base)}",
    }


def _arrivals_question(base):
    """Arrivals into the area from any origin: the figures whose destination is within it,
    broken down by destination one level below it (everywhere: by state or region)."""
    if base.area is None:
        return replace(base, by=BY_DESTINATION)
    return replace(base, area=None, destination=base.area, by=BY_DESTINATION)


def _evidence(question, metric) -> str:
    return url_for("evidence", replace(question, metrics=(metric,), by=None, level=None))


def _cells(totals, question) -> list[dict]:
    return [
        {**shown_total(totals[m]), "url": _evidence(question, m) if totals[m].events else ""}
        for m in METRICS
    ]


def _destination_name(row) -> str:
    if row.where == "unknown":
        return _("Destination unknown")
    if row.where == "outside":
        return _("%(area)s (outside the area)") % {"area": row.name}
    return row_name(row)


def _row_destination(row, within) -> str:
    """The destination filter of a row's evidence: its place, "none" for the unknown row, and
    for "unspecified within" the area it is within (the row is part of it)."""
    if row.where == "unknown":
        return NO_DESTINATION
    return row.pcode or within or ""


def _destination_rows(departures, base) -> list[dict]:
    """(a) Where people displaced from the area went."""
    rows = []
    for row in departures.by_area:
        target = replace(base, destination=_row_destination(row, base.area) or None)
        rows.append(
            {
                "name": _destination_name(row),
                "where": row.where,
                "cells": _cells(row.totals, target),
            }
        )
    return rows


def _hosting_rows(arrivals, by_origin, arrivals_question, base) -> list[dict]:
    """(b) Each area below the one asked: what it hosts (arrivals, by destination) beside
    what left it (departures, by origin)."""
    hosted = {r.pcode: r for r in arrivals.by_area if r.where != "unknown"}
    left = {r.pcode: r for r in by_origin.by_area}
    names = {r.pcode: row_name(r) for r in [*by_origin.by_area, *hosted.values()]}
    order = [r.pcode for r in by_origin.by_area if not r.unspecified]
    order += [p for p in hosted if p not in order and p is not None]
    order.sort(key=lambda p: names[p])
    order += [None] if None in hosted or None in left else []
    rows = []
    for pcode in order:
        arrival, departure = hosted.get(pcode), left.get(pcode)
        into = replace(arrivals_question, destination=pcode or arrivals_question.destination)
        cells = []
        for m in METRICS:
            a = arrival.totals[m] if arrival else aggregates.Total.zero(m)
            d = departure.totals[m] if departure else aggregates.Total.zero(m)
            cells.append(
                {
                    "metric": metric_info(m),
                    "arrived": {**shown_total(a), "url": _evidence(into, m) if a.events else ""},
                    "left": {
                        **shown_total(d),
                        "url": _evidence(replace(base, area=pcode or base.area), m)
                        if d.events
                        else "",
                    },
                }
            )
        name = names.get(pcode) or _("Unspecified")
        rows.append(
            {
                "name": name,
                "pcode": pcode or "",
                "url": hosts_url(replace(base, area=pcode, level=None))
                if pcode and _can_zoom(arrivals, by_origin)
                else "",
                "cells": cells,
            }
        )
    return rows


def _can_zoom(*answers) -> bool:
    levels = [a.question.level for a in answers if a.question.level is not None]
    return not levels or max(levels) < AdminLevel.VILLAGE_TRACT_OR_TOWN


def _series(arrivals, by_origin, arrivals_question, base) -> list[dict]:
    """Over time (the dashboard's periods): arrivals into the area beside departures from it,
    flows per period, stocks standing at each period's end."""
    hosted = {r.label: r for r in arrivals.by_period}
    left = {r.label: r for r in by_origin.by_period}
    periods = {r.label: r for r in [*by_origin.by_period, *arrivals.by_period]}
    rows = []
    for row in sorted(periods.values(), key=lambda r: r.start):
        arrival, departure = hosted.get(row.label), left.get(row.label)
        start = max(row.start, base.start) if base.start else row.start
        end = min(row.end, base.end) if base.end else row.end
        cells = []
        for m in METRICS:
            a = arrival.totals[m] if arrival else aggregates.Total.zero(m)
            d = departure.totals[m] if departure else aggregates.Total.zero(m)
            into = replace(arrivals_question, start=start, end=end)
            out_of = replace(base, start=start, end=end)
            cells.append(
                {
                    "metric": metric_info(m),
                    "arrived": {**shown_total(a), "url": _evidence(into, m) if a.events else ""},
                    "left": {**shown_total(d), "url": _evidence(out_of, m) if d.events else ""},
                }
            )
        rows.append({"label": period_label(row), "cells": cells})
    return rows


# --- the evidence page, for a question about where people went ------------------------------


def went_to(text: str, figure) -> str:
    """A figure as the evidence page lists it, with where its people went."""
    place = figure.destination
    if place is None:
        return text
    return _("%(figure)s, went to %(place)s (%(pcode)s)") % {
        "figure": text,
        "place": place.display_name,
        "pcode": place.pcode,
    }


def destination_context(question) -> dict:
    """What the evidence page says of a question by destination, and its way back to the host
    page (empty for other questions)."""
    if question.destination is None and question.by is None:
        return {}
    if question.destination == NO_DESTINATION:
        note = _("Only figures that do not say where people went.")
    elif question.destination:
        place = Place.objects.filter(pcode=question.destination).first()
        name = place.display_name if place else question.destination
        note = _("Only figures whose people went to %(place)s.") % {"place": name}
    else:
        note = ""
    return {
        "destination_note": note,
        "dashboard_url": hosts_url(question),
    }
