"""The briefing an advocate hands over: its period in words, the key messages written from the
engine's numbers (the largest figures, the change against the period before, the leading
cause or means), and the PDF made on the server with WeasyPrint."""

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from reports import aggregates, exports, selectors
from reports.views import chart_files
from reports.views.dashboard_shaping import (
    area_name,
    behind_text,
    beyond_only,
    qualified,
    shown_total,
)
from reports.vocabulary import HARM_METRICS, MEASURE, Cause, Measure, Metric

# Whole month names for a period in words ("1–30 November 2023"); the tables keep the short ones.
MONTH_NAMES = (
    pgettext_lazy("month name", "January"),
    pgettext_lazy("month name", "February"),
    pgettext_lazy("month name", "March"),
    pgettext_lazy("month name", "April"),
    pgettext_lazy("month name", "May"),
    pgettext_lazy("month name", "June"),
    pgettext_lazy("month name", "July"),
    pgettext_lazy("month name", "August"),
    pgettext_lazy("month name", "September"),
    pgettext_lazy("month name", "October"),
    pgettext_lazy("month name", "November"),
    pgettext_lazy("month name", "December"),
)
# The Debian packages WeasyPrint loads (its documentation's list for Debian 11 and later).
PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
LARGEST_SHOWN = 2  # key messages naming the largest figures


# --- the period in words --------------------------------------------------------------------


def period_in_words(start: date, end: date) -> str:
    """ "1–30 November 2023", "1 November – 31 December 2023", "1 December 2023 – 31 January
    2024", "5 November 2023": each a whole pattern, so a language may order its parts."""
    parts = {
        "day": start.day,
        "month": MONTH_NAMES[start.month - 1],
        "year": start.year,
        "end_day": end.day,
        "end_month": MONTH_NAMES[end.month - 1],
        "end_year": end.year,
    }
    if start == end:
        return _("%(day)s %(month)s %(year)s") % parts
    if (start.year, start.month) == (end.year, end.month):
        return _("%(day)s–%(end_day)s %(month)s %(year)s") % parts
    if start.year == end.year:
        return _("%(day)s %(month)s – %(end_day)s %(end_month)s %(year)s") % parts
    return _("%(day)s %(month)s %(year)s – %(end_day)s %(end_month)s %(end_year)s") % parts


def data_period(question, answer) -> tuple[date, date] | None:
    """The days the question covers, with a missing start or end taken from the approved
    figures it counts (never "to today": a briefing says what its numbers cover). None when
    nothing was counted and the question leaves a date open."""
    if question.start and question.end:
        return question.start, question.end
    starts, ends = [], []
    for metric in answer.metrics:
        if answer.totals[metric].events:
            for event in aggregates.evidence(question, metric):
                if event.start and event.end:
                    starts.append(event.start)
                    ends.append(event.end)
    start = question.start or (min(starts) if starts else None)
    end = question.end or (max(ends) if ends else None)
    if start is None or end is None or end < start:
        return None
    return start, end


def heading(question, answer) -> str:
    """ "Kayah, 1–30 November 2023"."""
    period = data_period(question, answer)
    if period is None:
        return area_name(answer)
    return _("%(area)s, %(period)s") % {
        "area": area_name(answer),
        "period": period_in_words(*period),
    }


# --- key messages ---------------------------------------------------------------------------


def _metric_words(metric: str) -> str:
    return str(Metric(metric).label).lower()


def _number(total: aggregates.Total) -> str:
    """ "at least 40,000", "approximately 350", "16"; a total partly approximate says so in
    the sentence's details (the engine's words, not moved between number and noun)."""
    if total.high_open:
        return _("at least %(number)s") % {"number": f"{total.best:,}"}
    return qualified(total, f"{total.best:,}")


def _largest(answer) -> list[str]:
    counted = [m for m in answer.metrics if answer.totals[m].events]
    counted.sort(key=lambda m: -answer.totals[m].best)
    messages = []
    for metric in counted[:LARGEST_SHOWN]:
        total = answer.totals[metric]
        shown = shown_total(total)
        details = [
            part
            for part in (
                _("partly approximate") if total.high_open and total.approximate else "",
                _("range %(range)s") % {"range": shown["range"]} if shown["range"] else "",
                shown["as_of"],
                _("stale: %(note)s") % {"note": shown["stale_note"]} if shown["stale"] else "",
            )
            if part
        ]
        sentence = _("%(number)s %(metric)s") % {
            "number": _number(total),
            "metric": _metric_words(metric),
        }
        if details:
            sentence += f" ({'; '.join(details)})"
        sentence = sentence[:1].upper() + sentence[1:]
        # (In the reader's language: a Burmese sentence ends with "။", not a full stop.)
        messages.append(
            _("%(sentence)s, %(behind)s.") % {"sentence": sentence, "behind": behind_text(total)}
        )
    return messages


def _flows_by_size(answer) -> list[str]:
    flows = [m for m in answer.metrics if MEASURE[m] == Measure.FLOW and answer.totals[m].events]
    return sorted(flows, key=lambda m: -answer.totals[m].best)


def _change(question, answer) -> list[str]:
    """The largest flow against the period of the same length just before."""
    flows = _flows_by_size(answer)
    period = data_period(question, answer)
    if not flows or period is None:
        return []
    start, end = period
    length = (end - start).days + 1
    before_end = start - timedelta(days=1)
    before_start = before_end - timedelta(days=length - 1)
    metric = flows[0]
    before = aggregates.totals(
        replace(
            question,
            start=before_start,
            end=before_end,
            metrics=(metric,),
            period=None,
            level=None,
        )
    )[metric]
    now = answer.totals[metric]
    words = {
        "metric": str(Metric(metric).label),
        "now": _number(now),
        "period": period_in_words(start, end),
        "before": _number(before) if before.events else _("none"),
        "previous": period_in_words(before_start, before_end),
    }
    if not before.events:
        return [
            _(
                "%(metric)s: %(now)s in %(period)s; none approved in the %(days)s days before "
                "(%(previous)s)."
            )
            % {**words, "days": length}
        ]
    if now.best > before.best:
        pattern = _("%(metric)s: %(now)s in %(period)s, up from %(before)s in %(previous)s.")
    elif now.best < before.best:
        pattern = _("%(metric)s: %(now)s in %(period)s, down from %(before)s in %(previous)s.")
    else:
        pattern = _("%(metric)s: %(now)s in %(period)s, as in %(previous)s (%(before)s).")
    return [pattern % words]


@dataclass(frozen=True)
class LeadingBy:
    """A filter of the question whose leading value gets a key message: the engine is asked
    the same question once per value (`choices`: (value, label) pairs)."""

    field: str
    choices: Callable[[], list[tuple[str, str]]]
    # The values given by these approved reports (the ones behind the total): only those are
    # asked, so a briefing asks the engine once or twice rather than once per value.
    values_in: Callable[[set[int]], set[str]]
    sentence: str  # with %(leader)s %(number)s %(total)s %(metric)s %(events)s
    lower: bool = True  # a cause reads in lower case within the sentence; a party's name not


def _parties() -> list[tuple[str, str]]:
    from reports.models import Party

    parties = [(p.slug, p.short_name or p.name) for p in Party.objects.order_by("name")]
    return [*parties, ("unknown", str(_("an unknown party")))]


def _perpetrators_in(report_ids: set[int]) -> set[str]:
    # Each party once, from the database: not a row per report behind the number.
    reports = selectors.public_reports().filter(pk__in=report_ids).order_by()
    named = set(
        reports.exclude(perpetrator=None).values_list("perpetrator__slug", flat=True).distinct()
    )
    return named | ({"unknown"} if reports.filter(perpetrator_unknown=True).exists() else set())


LEADING_BY: list[LeadingBy] = [
    LeadingBy(
        "cause",
        lambda: list(Cause.choices),
        lambda report_ids: set(
            selectors.public_reports()
            .filter(pk__in=report_ids)
            .exclude(cause="")
            .order_by()
            .values_list("cause", flat=True)
            .distinct()
        ),
        gettext_lazy(
            "Leading cause or means of %(metric)s: %(leader)s, %(number)s of %(total)s, %(events)s."
        ),
    ),
    LeadingBy(
        "perpetrator",
        _parties,
        _perpetrators_in,
        gettext_lazy(
            "Alleged perpetrator most often named for %(metric)s (a claim of the sources cited): "
            "%(leader)s, %(number)s of %(total)s, %(events)s."
        ),
        lower=False,
    ),
]


def _ranked(total) -> tuple[int, int]:
    """How a value's total ranks for "leading": by its best, except where an "at most" figure
    adds to it (its part of the best is only a bound, and may be none), by its low: what it
    certainly counts. Whatever the total reads beside it ("approximately", a range)."""
    certain = total.low if total.at_most else total.best
    return certain, total.best


def _leading(question, answer) -> list[str]:
    flows = _flows_by_size(answer)
    # Harm to civilians and protected objects first: its cause or means is what the law of war
    # asks about.
    harm = [m for m in HARM_METRICS if m in flows]
    if not flows:
        return []
    metric = harm[0] if harm else flows[0]
    total = answer.totals[metric]
    report_ids, _counted = exports.reports_behind(question, (metric,))
    messages = []
    for leading in LEADING_BY:
        if not hasattr(question, leading.field) or getattr(question, leading.field):
            continue  # not a filter yet, or the question already fixes it
        best, leader = None, ""
        given = leading.values_in(report_ids)
        for value, label in leading.choices():
            if value not in given:
                continue
            asked = replace(question, metrics=(metric,), period=None, level=None)
            counted = aggregates.totals(replace(asked, **{leading.field: value}))[metric]
            if counted.events and (best is None or _ranked(counted) > _ranked(best)):
                best, leader = counted, str(label).lower() if leading.lower else str(label)
        if best is None:
            continue
        messages.append(
            str(leading.sentence)
            % {
                "metric": _metric_words(metric),
                "leader": leader,
                "number": _number(best),
                "total": _number(total),
                "events": behind_text(best),
            }
        )
    return messages


def key_messages(question, answer) -> list[str]:
    """Three to five sentences from the numbers, largest first; none invented when nothing
    was counted."""
    if not any(answer.totals[m].events for m in answer.metrics):
        if beyond_only(answer):
            return [
                _(
                    "Nothing approved lies wholly within this period: the figures that overlap "
                    "it reach outside it, and are listed beside the headline numbers."
                )
            ]
        return [_("Nothing approved for this area and period.")]
    return (_largest(answer) + _change(question, answer) + _leading(question, answer))[:5]


# --- the PDF --------------------------------------------------------------------------------


class PdfUnavailable(RuntimeError):
    """WeasyPrint, or the system libraries it loads, is missing; the message says what to
    install."""


def _figures_as_images(page: str) -> str:
    """Each inline SVG of the page replaced by a PNG of it: WeasyPrint lays SVG text out a
    letter at a time, which breaks Burmese (chart_files says why)."""
    parts, last = [], 0
    for start, end in chart_files.svg_elements(page):
        svg = page[start:end]
        kind = "map" if 'class="map' in svg.split(">", 1)[0] else "chart"
        title = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S)
        png = chart_files.png_from_svg(chart_files.inline_svg_with_styles(svg), zoom=3)
        alt = title[1] if title else ""
        parts += [
            page[last:start],
            f'<img class="{kind}" alt="{alt}" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">',
        ]
        last = end
    return "".join(parts) + page[last:]


def render_pdf(page: str) -> bytes:
    """The briefing's HTML (its stylesheet inline) as a PDF. Nothing is fetched: images are
    data: URLs. PdfUnavailable names the packages to install when WeasyPrint cannot load."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            _(
                "The PDF is made with WeasyPrint, which needs the Pango and HarfBuzz "
                "libraries. On Debian or Ubuntu an administrator installs them with: "
                "apt-get install %(packages)s"
            )
            % {"packages": PDF_PACKAGES}
        ) from error
    try:
        html = _figures_as_images(page)
    except chart_files.PngUnavailable as error:  # pragma: no cover - a broken install
        raise PdfUnavailable(str(error)) from error
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
