"""What the advocate's pages show, shaped from a question in the URL and the engine's Answer:
the filter form, numbers as people read them, and the dashboard's rows, charts and map."""

import contextlib
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from gazetteer.models import AdminLevel, Place
from reports import aggregates, exports, selectors
from reports.aggregates.facets import public_tag_names
from reports.dates import (  # noqa: F401
    MONTHS,
    at_precision,
    day,
    day_month,
    days,
    month_name,
    read_day,
)
from reports.models import Report
from reports.views import charts as charts_module
from reports.views import maps
from reports.vocabulary import (
    MEASURE,
    SUBJECT,
    Cause,
    Measure,
    Metric,
    Qualifier,
    SourceType,
    Subject,
    Unit,
)
from reports.workflow import Status

PERIODS = [
    ("week", pgettext_lazy("period", "Week")),
    ("month", pgettext_lazy("period", "Month")),
    ("quarter", pgettext_lazy("period", "Quarter")),
    ("year", pgettext_lazy("period", "Year")),
]


# --- the question asked in the URL ----------------------------------------------------------


def cleaned_params(get: QueryDict) -> QueryDict:
    """The GET parameters without empty values (a form field left blank means "not set"); the
    P-code typed in the text box wins over the area chosen in the list."""
    params = QueryDict(mutable=True)
    for key, values in get.lists():
        # A NUL (which PostgreSQL refuses in text) becomes U+FFFD, so it is reported as a
        # bad value rather than silently dropped.
        kept = [v.replace("\x00", "\ufffd").strip() for v in values if v.strip()]
        if kept:
            params.setlist(key, kept)
    if "pcode" in params:
        params["area"] = params.pop("pcode")[-1]
    return params


def from_form(get: QueryDict) -> bool:
    """A submission of the filter form (blank fields, the P-code box, every metric ticked),
    which is answered with a redirect to the short permanent URL of the same question."""
    metrics = set(get.getlist("metric"))
    return (
        any(not v.strip() for values in get.lists() for v in values[1])
        or "pcode" in get
        or metrics == set(Metric.values)
    )


@dataclass(frozen=True)
class Asked:
    question: aggregates.Question | None
    sort: str
    map_metric: str
    errors: dict[str, str]


def ask(params: QueryDict) -> Asked:
    errors: dict[str, str] = {}
    try:
        question = aggregates.parse_question(params)
        # What only a plan can tell (a series of more periods than the engine draws, as
        # start=0001-01-01&end=9999-12-31 asks): refused here, as a bad parameter, not later
        # as a server error.
        aggregates.make_plan(question)
    except aggregates.QuestionError as error:
        question, errors = None, dict(error.errors)
    if question is not None and set(question.metrics) == set(Metric.values):
        question = replace(question, metrics=())
    metrics = (question.metrics if question else ()) or tuple(Metric.values)
    sort = params.get("sort", "")
    if sort and sort.removeprefix("-") not in {"name", *metrics}:
        errors["sort"] = _(
            "Unknown sort column %(value)r: use name or one of the metrics shown."
        ) % {"value": sort[:40]}
    map_metric = params.get("map", "")
    if map_metric and map_metric not in metrics:
        errors["map"] = _("Unknown map metric %(value)r: use one of the metrics shown.") % {
            "value": map_metric[:40]
        }
    return Asked(question, sort, map_metric, errors)


def query_string(question, **page) -> str:
    params = aggregates.question_params(question)
    params.update({k: v for k, v in page.items() if v not in (None, "")})
    return urlencode(params, doseq=True)


def url_for(name: str, question, **page) -> str:
    query = query_string(question, **page)
    return _page_path(name, get_script_prefix(), get_urlconf()) + (f"?{query}" if query else "")


@lru_cache(maxsize=64)
def _page_path(name: str, prefix: str, urlconf) -> str:
    """A dashboard page's path, reversed once: a page links thousands of numbers."""
    return reverse(f"dashboard:{name}", urlconf=urlconf)


def _evidence_url(question, metric, **page) -> str:
    return url_for("evidence", replace(question, metrics=(metric,)), **page)


# A metric is a plain identifier, the same in a URL: one query string serves every metric's link.
_ANY_METRIC = "__metric__"


def _evidence_urls(question, metrics, **page) -> dict[str, str]:
    """_evidence_url() of each metric, the query string built once for them all."""
    template = _evidence_url(question, _ANY_METRIC, **page)
    return {m: template.replace(f"metric={_ANY_METRIC}", f"metric={m}", 1) for m in metrics}


# --- numbers as people read them ------------------------------------------------------------


def rounded(value: int, *, down: bool = False, up: bool = False) -> tuple[str, bool]:
    """Three significant figures for display from 1,000 up; the exact number stays in the
    title attribute and the tables. `down` never rounds up (an "at least" number stays true),
    `up` never down (an "at most" one)."""
    if value < 1000:
        return f"{value:,}", False
    digits = len(str(value)) - 3
    unit = 10**digits
    if down:
        shown = (value // unit) * unit
    elif up:
        shown = -(-value // unit) * unit
    else:
        shown = round(value, -digits)
    return f"{shown:,}", shown != value


def _week_start(row) -> date:
    """The Monday of a week row ("2023-W05" -> 30 Jan 2023), even when the question's period
    begins later in that week."""
    year, week = row.label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def period_label(row) -> str:
    """A period row's label in the page's language: a week by its first day ("30 Jan 2023",
    not "2023-W05"), a month by its name; quarters and years as the engine names them."""
    label = row.label
    if "-W" in label:
        return _("week of %(date)s") % {"date": day(_week_start(row))}
    if " Q" in label or label.isdigit():
        return label
    return month_name(row.start)


def chart_label(row) -> str:
    """The shorter label under a chart's bar: a week as "30 Jan"."""
    return day_month(_week_start(row)) if "-W" in row.label else period_label(row)


def stale_days() -> int:
    return getattr(settings, "TRACKER_STOCK_STALE_DAYS", 180)


def qualified(total: aggregates.Total, number: str) -> str:
    """A number with the qualifier its total rests on (DOMAIN.md rule 7), in the engine's own
    words: "at least 2,000,000", "at most 60", "approximately 40,000", or the number alone."""
    if total.high_open and total.approximate:
        return _("at least %(number)s, partly approximate") % {"number": number}
    if total.high_open:
        return _("at least %(number)s") % {"number": number}
    if total.qualifier == "at_most":
        return _("at most %(number)s") % {"number": number}
    if total.approximate:
        return _("approximately %(number)s") % {"number": number}
    return number


def total_range(total: aggregates.Total) -> str:
    """ "35,000–40,000" when the sources disagree; an open total has no high: "from 35,000, no
    upper bound" when its low is below the best estimate (not "35,000 or more", which beside
    "at least 40,000" reads as a second floor)."""
    if total.high_open:
        return (
            _("from %(low)s, no upper bound") % {"low": f"{total.low:,}"}
            if total.low < total.best
            else ""
        )
    return f"{total.low:,}–{total.high:,}" if total.low != total.high else ""


def as_of(total: aggregates.Total) -> str:
    """A stock's date: "as of 1 Dec 2023", or the oldest and newest figure's when they differ."""
    if total.as_of_newest is None:
        return ""
    oldest = total.as_of_oldest or total.as_of_newest
    return _("as of %(dates)s") % {"dates": days(oldest, total.as_of_newest)}


def shown_total(total: aggregates.Total) -> dict:
    """A total as people read it: the number, its qualifier, range, date and title. A page
    shows thousands (every cell of its tables, most of them alike: zeros), so each distinct
    total is worded once per language and copied (callers add their own keys)."""
    return dict(_shown_total(total, get_language(), stale_days()))


@lru_cache(maxsize=8192)
def _shown_total(total: aggregates.Total, language: str | None, stale_limit: int) -> dict:
    display, is_rounded = rounded(total.best, down=total.high_open, up=total.qualifier == "at_most")
    exact = f"{total.best:,}"
    span = total_range(total)
    dated = as_of(total)
    stale_note = (
        _("a figure standing is more than %(days)s days old at the period's end")
        % {"days": stale_limit}
        if total.stale
        else ""
    )
    behind = _("%(events)s, %(reports)s, %(sources)s") % {
        "events": ngettext("%(n)s event", "%(n)s events", total.events) % {"n": total.events},
        "reports": ngettext("%(n)s report", "%(n)s reports", total.reports) % {"n": total.reports},
        "sources": ngettext("%(n)s source", "%(n)s sources", total.sources) % {"n": total.sources},
    }
    if total.qualifier != "exact":
        head = qualified(total, exact)
    else:  # "exactly" only when the sources agree: "5 (range 4-6)", never "Exactly 5 (range 4-6)"
        head = exact if span else _("Exactly %(number)s") % {"number": exact}
    head = head[:1].upper() + head[1:]
    title = head + (" " + _("(range %(range)s)") % {"range": span} if span else "")
    stale_part = _("stale (%(note)s)") % {"note": stale_note} if stale_note else ""
    title += "".join(f"; {part}" for part in (dated, stale_part) if part) + f"; {behind}"
    return {
        "total": total,
        "exact": exact,
        "text": qualified(total, exact),  # the exact number with its qualifier
        "display": display,
        "display_text": qualified(total, display),
        "rounded": is_rounded,
        "qualifier": total.qualifier,
        "range": span,
        "as_of": dated,
        "stale": total.stale,
        "stale_note": stale_note,
        "title": title,
    }


def _cell_notes_html(cell: dict) -> str:
    """templates/reports/dashboard/_cell_notes.html, written here: a table has thousands of
    cells, and the template engine's variable lookups cost more than the page's numbers."""
    notes = ""
    if cell["range"]:
        notes += f"<small>{escape(cell['range'])}</small>"
    if cell["as_of"]:
        notes += f'<small class="asof">{escape(cell["as_of"])}</small>'
    if cell["stale"]:
        notes += (
            f'<small class="stale-mark" title="{escape(cell["stale_note"])}">'
            f"{escape(_('stale'))}</small>"
        )
    return notes


def cell_html(cell: dict, *, linked: bool, unlinked_span: bool) -> str:
    """One number of a table as its <td>: a link to its evidence when `linked`, else the number
    (in a <span> with its title when `unlinked_span`), with its notes; the same markup the
    tables' templates wrote cell by cell."""
    opening = '<td class="stale">' if cell["stale"] else "<td>"
    title, number = escape(cell["title"]), escape(cell["text"])
    if linked:
        body = f'<a href="{escape(cell["url"])}" title="{title}">{number}</a>'
    elif unlinked_span:
        body = f'<span title="{title}">{number}</span>'
    else:
        body = number
    return mark_safe(f"{opening}{body}{_cell_notes_html(cell)}</td>")  # noqa: S308 - escaped


def bars_html(chart: charts_module.BarChart, chart_id: str) -> str:
    """The bars of templates/reports/dashboard/_bar_chart.html, written here as cell_html()
    writes a table's cells: an unfiltered series draws hundreds of bars per metric, each a
    dozen template lookups. The same markup: numbers as the template writes them with
    localization off, every text escaped."""

    def number(value) -> str:
        return localize(value, use_l10n=False)

    stale, not_drawn = escape(_("Stale")), escape(_("Stale, not drawn"))
    hatch = f'fill="url(#{escape(chart_id)}-hatch)"'
    label_y = number(int(chart.height) - 6)
    parts = []
    for bar in chart.bars:
        x, width, title = number(bar.x), number(bar.width), escape(bar.title)
        if bar.url:
            parts.append(f'<a href="{escape(bar.url)}">')
            if bar.gone:
                parts.append(
                    f'<rect class="stale gone" x="{x}" y="{number(chart.stale_y)}" '
                    f'width="{width}" height="{number(chart.stale_height)}" {hatch}>'
                    f"<title>{not_drawn}: {title}</title></rect>"
                )
            else:
                shape = f'stale" {hatch}' if bar.stale else 'bar"'
                parts.append(
                    f'<rect class="{shape} x="{x}" y="{number(bar.y)}" width="{width}" '
                    f'height="{number(bar.height)}"><title>'
                    f"{stale + ': ' if bar.stale else ''}{title}</title></rect>"
                )
                centre = number(bar.centre)
                if bar.whisker_top != bar.whisker_bottom:
                    parts.append(
                        f'<line class="range" x1="{centre}" x2="{centre}" '
                        f'y1="{number(bar.whisker_top)}" y2="{number(bar.whisker_bottom)}"/>'
                    )
                if bar.high_open:
                    parts.append(f'<path class="open-mark" d="{escape(bar.open_path)}"/>')
            parts.append("</a>")
        if bar.show_label:
            parts.append(
                f'<text class="xtick" x="{number(bar.centre)}" y="{label_y}">'
                f"{escape(bar.label)}</text>"
            )
        parts.append("\n")
    return mark_safe("".join(parts))  # noqa: S308 - escaped


def behind_text(total: aggregates.Total) -> str:
    """ "from 3 events, 4 sources": the sources as the engine counts them for the public (a
    confidential source once per report citing it, DOMAIN.md "Visibility and protection")."""
    events = ngettext("from %(n)s event", "from %(n)s events", total.events) % {"n": total.events}
    sources = ngettext("%(n)s source", "%(n)s sources", total.sources) % {"n": total.sources}
    # (Joined in the reader's language: Burmese separates them with "၊", not a comma.)
    return _("%(events)s, %(sources)s") % {"events": events, "sources": sources}


def headline_card(answer, question, metric: str) -> dict:
    """One headline number: the metric, the total as people read it and its evidence link."""
    return {
        "metric": metric_info(metric),
        "number": shown_total(answer.totals[metric]),
        "behind": behind_text(answer.totals[metric]),
        "url": _evidence_url(question, metric),
    }


def figure_text(figure) -> str:
    """A report's figure in the page's language: "at least 40,000 people", "1,200–1,500
    households (× 4.4)" (figures.describe() says the same in English only)."""

    def show(n):
        return "?" if n is None else f"{n:,}"

    if figure.qualifier == Qualifier.RANGE:
        number = f"{show(figure.value_min)}–{show(figure.value_max)}"
    else:
        number = show(figure.value)
    if figure.unit == Unit.HOUSEHOLDS:
        unit = _("households (× %(size)s)") % {"size": figure.household_size}
    elif figure.unit == Unit.STRUCTURES:
        unit = _("buildings")
    else:
        unit = _("people")
    pattern = {
        Qualifier.APPROXIMATELY: _("approximately %(number)s %(unit)s"),
        Qualifier.AT_LEAST: _("at least %(number)s %(unit)s"),
        Qualifier.AT_MOST: _("at most %(number)s %(unit)s"),
    }.get(figure.qualifier, _("%(number)s %(unit)s"))
    return pattern % {"number": number, "unit": unit}


def metric_info(metric: str) -> dict:
    stock = MEASURE[metric] == Measure.STOCK
    return {
        "value": metric,
        "label": Metric(metric).label,
        "stock": stock,
        "unit": _("buildings") if SUBJECT[metric] == Subject.STRUCTURES else _("people"),
    }


def _level_label(level: int | None) -> str:
    return AdminLevel(level).label if level is not None else ""


def _period_bounds(question, row) -> tuple[date, date]:
    """A period row's days within the question's own period."""
    start = max(row.start, question.start) if question.start else row.start
    end = min(row.end, question.end) if question.end else row.end
    return start, end


def when(question) -> str:
    """The question's dates in words."""
    q = question
    if q.start and q.end:
        return f"{day(q.start)} – {day(q.end)}"
    if q.start:
        return _("from %(date)s") % {"date": day(q.start)}
    if q.end:
        return _("up to %(date)s") % {"date": day(q.end)}
    return _("all dates")


def period_asked(question) -> str:
    """The question's dates as the period a figure lies within or spans beyond: "1 Feb 2023 –
    28 Feb 2023", "the period up to 28 Feb 2023"."""
    q = question
    if q.start and q.end:
        return when(q)
    if q.start:
        return _("the period from %(date)s") % {"date": day(q.start)}
    if q.end:
        return _("the period up to %(date)s") % {"date": day(q.end)}
    return _("all dates")


def area_name(answer) -> str:
    return _place_name(answer.area)


def _place_name(area) -> str:
    return area.display_name if area is not None else _("All areas")


def page_title(answer) -> str:
    return title_of(answer.area, answer.question)


def title_of(area, question) -> str:
    """The title of a page of the question about this area (None: everywhere)."""
    return f"{_place_name(area)}, {when(question)}"


def row_name(row) -> str:
    """An area row's name; the engine names the "unspecified" row in English
    ("Unspecified within Kayah"), so it is named again here in the page's language."""
    if not row.unspecified:
        return row.name
    within = row.name.removeprefix("Unspecified within ").strip()
    if within and within != row.name:
        return _("Unspecified within %(area)s") % {"area": within}
    return _("Unspecified location")


def series_period(answer) -> str:
    """The step of the time series (week, month, quarter or year), read off its labels."""
    if not answer.by_period:
        return answer.question.period or ""
    label = answer.by_period[0].label
    if "-W" in label:
        return "week"
    if " Q" in label:
        return "quarter"
    return "year" if label.isdigit() else "month"


PERIOD_NAMES = {
    "week": gettext_lazy("week"),
    "month": gettext_lazy("month"),
    "quarter": gettext_lazy("quarter"),
    "year": gettext_lazy("year"),
}


def _download_url(name: str, question) -> str:
    query = query_string(question)
    return reverse("dashboard:download", args=[name]) + (f"?{query}" if query else "")


# The most figures of each metric listed on their own lines under a total or a series: a
# question over years and a whole country can have thousands, which no page can show usefully;
# the engine picks those adding the most (aggregates.answer(lines=...)), the downloads hold
# every one.
SPANNING_SHOWN = 10


def beyond_only(answer) -> list[str]:
    """The metrics with nothing counted in the period but figures overlapping it that reach
    outside it (rule 3): "nothing approved" would hide them, so the pages point to them."""
    return [
        m
        for m in answer.metrics
        if not answer.totals[m].events and (answer.beyond.get(m) or answer.beyond_more.get(m))
    ]


def spanning_items(answer, question, which: str) -> tuple[list[dict], int]:
    """The figures on their own lines (DOMAIN.md rule 3), for the pages: `beyond` (reaching
    outside the period asked; beside the total, not in it) or `longer` (longer than one period
    of the series; in the total, in no period row). Each links to its evidence: the evidence
    page for its own place, span and event. The answer lists those adding the most of each
    metric; how many more it left out is said with them."""
    items = []
    for metric, figure in exports.spanning_figures(answer, which):
        covered = figure.adds.best != figure.counted.best
        evidence = replace(
            question,
            area=figure.pcode or None,
            start=figure.start,
            end=figure.end,
            level=None,
            period=None,
            event=figure.event_id if figure.event_id is not None else question.event,
        )
        items.append(
            {
                "metric": metric_info(metric),
                "name": figure.name,
                "place": figure.place_name,
                "dates": days(figure.start, figure.end),
                "number": shown_total(figure.counted),
                "adds": shown_total(figure.adds) if covered else None,
                "report_id": figure.report_id,
                "url": _evidence_url(evidence, metric),
            }
        )
    return items, sum(getattr(answer, f"{which}_more").values())


# --- the filter form ----------------------------------------------------------------------


def _place_options(selected: str) -> list[dict]:
    """States, districts and, for the area shown, its ancestors and children: a short list;
    any other P-code can be typed in the box beside it."""
    places = list(Place.objects.filter(admin_level__lte=AdminLevel.DISTRICT))
    current = Place.objects.filter(pcode=selected).first() if selected else None
    if current is not None:
        extra = Place.objects.filter(pcode__in=current.ancestor_pcodes) | Place.objects.filter(
            parent=current
        )
        places += list(extra) + [current]
    unique = {p.pcode: p for p in places}
    return [
        {
            "pcode": p.pcode,
            "label": "\u2003" * p.admin_level + p.display_name,
            "selected": p.pcode == selected,
        }
        for p in sorted(unique.values(), key=lambda p: p.path)
    ]


def filter_form(params: QueryDict, errors: dict[str, str], *, action: str = "") -> dict:
    area = params.get("area", "")
    options = _place_options(area)
    chosen = set(params.getlist("metric"))
    for value in params.getlist("metric"):
        chosen.update(v.strip() for v in value.split(","))
    # Kept by the summaries, not a scan of every approved report's tags on every load.
    tags = public_tag_names()
    values = {key: params.get(key, "") for key in params}
    for key in ("start", "end"):
        # A date typed in Burmese digits shown as the date box takes it (a browser blanks any
        # other form, and the next "Show" would drop it).
        with contextlib.suppress(KeyError, ValueError):
            values[key] = read_day(values[key]).isoformat()
    return {
        "values": values,
        "area_in_list": any(o["selected"] for o in options),
        "places": options,
        "metrics": [{**metric_info(m), "checked": m in chosen} for m in Metric.values],
        "causes": Cause.choices,
        "source_types": SourceType.choices,
        "levels": [(level.value, level.label) for level in AdminLevel if level > 0],
        "periods": PERIODS,
        "tags": tags,
        "errors": errors,
        "perpetrators": perpetrator_options(),
        # Where the form sends its question: the dashboard, or a page asking the same way.
        "action": action,
    }


def perpetrator_options() -> list[tuple[str, str]]:
    """The alleged perpetrators a question may ask about: each party, then "unknown"."""
    from reports.models import UNKNOWN, Party

    return [(party.slug, party.reader_name()) for party in Party.objects.all()] + [
        (UNKNOWN, str(_("Unknown (the sources say so)")))
    ]


def bad_request(request, template: str, params, errors, extra=None):
    context = {"form": filter_form(params, errors), "errors": errors, **(extra or {})}
    return render(request, template, context, status=400)


# --- the dashboard ----------------------------------------------------------------------------


def _area_rows(answer, question, sort: str) -> list[dict]:
    level = exports.breakdown_level(answer)
    rows = []
    for row in exports.sort_areas(answer.by_area, sort):
        if row.unspecified:
            area_question, page = question, {"unspecified": "1"}
        else:
            area_question, page = replace(question, area=row.pcode, level=None), {}
        urls = _evidence_urls(area_question, answer.metrics, **page)
        rows.append(
            {
                "row": row,
                "name": row_name(row),
                "dashboard_url": (
                    drill_down_url(question, row.pcode)
                    if row.pcode and level is not None and level < AdminLevel.VILLAGE_TRACT_OR_TOWN
                    else ""
                ),
                "cells": [
                    _with_html(
                        {**shown_total(row.totals[m]), "url": urls[m]},
                        linked=bool(row.totals[m].events),
                        unlinked_span=True,
                    )
                    for m in answer.metrics
                ],
            }
        )
    return rows


def _with_html(cell: dict, *, linked: bool, unlinked_span: bool) -> dict:
    cell["html"] = cell_html(cell, linked=linked, unlinked_span=unlinked_span)
    return cell


def _sort_links(question, answer, sort: str, map_metric: str) -> dict:
    """Column -> the URL that sorts by it (descending numbers first, names A-Z first)."""
    links = {}
    for key in ("name", *answer.metrics):
        first = key if key == "name" else f"-{key}"
        other = first.removeprefix("-") if first.startswith("-") else f"-{first}"
        target = other if sort == first else first
        links[key] = {
            "url": url_for("index", question, sort=target, map=map_metric) + "#areas",
            "state": (
                "ascending" if sort == key else "descending" if sort == f"-{key}" else "none"
            ),
        }
    return links


def _series_metrics(answer) -> list[str]:
    """The metrics with anything approved over time; the others would be columns of zeros,
    and are named once instead."""
    return [
        m
        for m in answer.metrics
        if any(r.totals[m].events for r in answer.by_period) or answer.longer.get(m)
    ]


def _period_rows(answer, question, metrics) -> list[dict]:
    rows = []
    for row in answer.by_period:
        start, end = _period_bounds(question, row)
        period_question = replace(question, start=start, end=end)
        cells = []
        urls = _evidence_urls(period_question, metrics)
        for m in metrics:
            cell = shown_total(row.totals[m])
            cell["url"] = urls[m] if row.totals[m].events else ""
            cells.append(_with_html(cell, linked=bool(cell["url"]), unlinked_span=False))
        rows.append({"row": row, "label": period_label(row), "cells": cells})
    return rows


def _triggers(answer, question, period_rows) -> list[dict]:
    """The context events (operations, offensives) beside this question's numbers, numbered
    in time order: those overlapping the series' days (or the question's, without a series)
    whose area contains the question's area or lies within it (selectors.context_events_for;
    a sibling area's are left out)."""
    if period_rows:
        start, end = period_rows[0]["row"].start, period_rows[-1]["row"].end
    else:
        start, end = question.start, question.end
    events = selectors.context_events_for(answer.area, start, end)
    return [
        {
            "number": number,
            "event": event,
            "name": event.name,
            "kind": event.get_kind_display(),
            "start": event.start_date,
            "end": event.end_date,
            "dates": days(event.start_date, event.last_day),
            "area": event.area.display_name,
            "url": reverse("dashboard:context_event", args=[event.pk]),
        }
        for number, event in enumerate(events, start=1)
    ]


def _all_stale(total: aggregates.Total, at: date) -> bool:
    """Every figure standing at `at` is older than the staleness limit (its newest too)."""
    newest = total.as_of_newest
    return bool(total.stale and newest is not None and (at - newest).days > stale_days())


def _charts(period_rows, metrics, triggers=()) -> list[dict]:
    charts = []
    for index, metric in enumerate(metrics):
        points = [
            {
                "label": chart_label(r["row"]),
                "best": r["row"].totals[metric].best,
                "low": r["row"].totals[metric].low,
                "high": r["row"].totals[metric].high,
                "high_open": r["row"].totals[metric].high_open,
                "stale": r["row"].totals[metric].stale,
                "stale_all": _all_stale(r["row"].totals[metric], r["row"].end),
                "title": f"{r['label']}: {r['cells'][index]['title']}",
                "url": r["cells"][index]["url"],
                "start": r["row"].start,
                "end": r["row"].end,
            }
            for r in period_rows
        ]
        charts.append(
            {
                "metric": metric_info(metric),
                "chart": charts_module.bar_chart(points, list(triggers)),
            }
        )
    return charts


def drill_down_url(question, pcode: str, **page) -> str:
    """Where an area's name leads in the table by area (and its shape on the map): the same
    question for that area, broken down one level further (the map keeps its metric)."""
    return url_for("index", replace(question, area=pcode, level=None), **page)


# At most so many exact points on the map; the table and the downloads have every report.
MAP_POINTS = 200


def _any_released_point(area) -> bool:
    """Whether any approved report in the area (or anywhere, without one) has an exact point a
    moderator released: a quick test before asking which; selectors.released_points() applies
    the rule itself. The partial index of migration 0024 holds only such reports."""
    released = Report.objects.filter(
        status=Status.APPROVED,
        point_released=True,
        latitude__isnull=False,
        longitude__isnull=False,
    )
    if area is not None:
        released = released.filter(place__path__startswith=area.path)
    return released.exists()


def _map(answer, question, map_metric: str, sort: str) -> dict:
    level = exports.breakdown_level(answer)
    choices = [
        {**metric_info(m), "url": url_for("index", question, sort=sort, map=m) + "#map"}
        for m in answer.metrics
    ]
    info = metric_info(map_metric)
    if level is None:
        return {"metric": info, "map": None, "choices": choices}
    drills = level < AdminLevel.VILLAGE_TRACT_OR_TOWN

    def map_drill(pcode: str) -> str:
        return drill_down_url(question, pcode, sort=sort, map=map_metric) + "#map"

    areas = [
        maps.MapArea(
            pcode=r.pcode,
            name=row_name(r),
            value=r.totals[map_metric].best,
            title=f"{row_name(r)}: {shown_total(r.totals[map_metric])['title']}",
            url=map_drill(r.pcode) if drills else "",
        )
        for r in answer.by_area
        if r.pcode
    ]
    unspecified = next((r for r in answer.by_area if r.unspecified), None)
    unspecified_total = unspecified.totals[map_metric] if unspecified is not None else None
    # Which reports are behind the metric is read (every counted event: tens of thousands at
    # scale) only when the area has an exact point a moderator released at all; most have none.
    report_ids = (
        {pk for event in aggregates.evidence(question, map_metric) for pk in event.report_ids}
        if answer.totals[map_metric].events and _any_released_point(answer.area)
        else set()
    )
    drawn = maps.choropleth(
        answer.area,
        level,
        areas,
        drill_url=map_drill if drills else (lambda _: ""),
        none_title=lambda name: _("%(area)s: nothing approved") % {"area": name},
        representative=exports.representative_points(answer),
        unspecified_value=unspecified_total.best if unspecified_total is not None else 0,
        released=selectors.released_points(report_ids, MAP_POINTS),
        point_title=lambda title: (
            _("%(report)s (exact point released by a moderator)") % {"report": title}
        ),
    )
    return {
        "metric": info,
        "map": drawn,
        "choices": choices,
        "unspecified": (
            {
                "name": row_name(unspecified),
                "number": shown_total(unspecified_total),
                "url": _evidence_url(question, map_metric, unspecified="1"),
            }
            if unspecified_total is not None and unspecified_total.best
            else None
        ),
        "without_outline": [m.name for m in drawn.markers],
        "unplaced": [
            a.name
            for a in areas
            if a.pcode not in {s.pcode for s in drawn.shapes}
            and a.pcode not in {m.pcode for m in drawn.markers}
        ],
    }


def default_map_metric(answer) -> str:
    return next((m for m in answer.metrics if answer.totals[m].best), answer.metrics[0])


def dashboard_context(answer, question, sort: str, map_metric: str) -> dict:
    """Everything the dashboard and the briefing show, from one Answer."""
    series = _series_metrics(answer)
    period_rows = _period_rows(answer, question, series)
    sort_links = _sort_links(question, answer, sort, map_metric)
    parts = exports.question_parts(answer, translated=True)
    summary = [(label, value) for _, label, value in parts]
    labels = [str(Metric(m).label) for m in answer.metrics]
    beyond, beyond_more = spanning_items(answer, question, "beyond")
    longer, longer_more = spanning_items(answer, question, "longer")
    headline = [headline_card(answer, question, m) for m in answer.metrics]
    outside = beyond_only(answer)
    triggers = _triggers(answer, question, period_rows)
    return {
        "answer": answer,
        "title": page_title(answer),
        "area_name": answer.area.display_name if answer.area is not None else _("all areas"),
        "summary": summary,
        "filters": exports.filters_in_words(question),
        "metrics": [{**metric_info(m), "sort": sort_links[m]} for m in answer.metrics],
        "metrics_caption": labels[0] if len(labels) == 1 else _("Totals"),
        "name_sort": sort_links["name"],
        "headline": headline,
        # The cards show what was counted; the metrics with nothing approved are named on one
        # line instead of as cards of zeros, which read as "nothing happened".
        "headline_cards": [h for h in headline if h["number"]["total"].events],
        "headline_empty": [
            str(Metric(m).label).lower()
            for m in answer.metrics
            if not answer.totals[m].events and m not in outside
        ],
        "headline_outside": [str(Metric(m).label).lower() for m in outside],
        "periods": period_rows,
        "when": when(question),
        "period_asked": period_asked(question),
        "beyond": beyond,
        "beyond_more": beyond_more,
        "beyond_download": _download_url("areas.csv", question),
        "longer": longer,
        "longer_more": longer_more,
        "longer_download": _download_url("periods.csv", question),
        "series_period": PERIOD_NAMES.get(series_period(answer), ""),
        "stale_days": stale_days(),
        "charts": _charts(period_rows, series, triggers),
        "triggers": triggers,
        "series_metrics": [metric_info(m) for m in series],
        "series_zero": [
            str(Metric(m).label) for m in answer.metrics if m not in series and m not in outside
        ],
        "series_outside": [str(Metric(m).label) for m in outside],
        "areas": _area_rows(answer, question, sort),
        "sort": sort,
        "map": _map(answer, question, map_metric, sort),
        "breakdown_level": _level_label(exports.breakdown_level(answer)),
        "stock_metrics": [
            str(Metric(m).label) for m in answer.metrics if MEASURE[m] == Measure.STOCK
        ],
        "methodology": aggregates.methodology(),
    }
