"""A report's history in words: each change with readable labels, names and figures
instead of the stored codes and ids."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from gazetteer.models import Place

from ..models import UNKNOWN, Event, Figure, Organization, Party, Report, ReportHistory, Source
from ..vocabulary import (
    Cause,
    DatePrecision,
    LocationPrecision,
    Metric,
)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    entry: ReportHistory
    changes: tuple[Change, ...]


CHANGE_LABELS = {
    "organization": "Organisation",
    "event": "Event",
    "point_released": "Exact point released",
    "tags": "Tags",
    "sources": "Sources",
    "perpetrator": "Alleged perpetrator",
    "perpetrator_sources": "Sources attributing it",
    "figures": "Figures",
    "reference_for": "Reference figure for",
    "reference_figure": "Reference figure",
    "separate_from_figure": "Counted separately from figure",
    "separate_from_report": "Counted separately from report",
}


CHOICE_FIELDS: dict[str, type[models.TextChoices]] = {
    "cause": Cause,
    "date_precision": DatePrecision,
    "location_precision": LocationPrecision,
}


def report_history(report: Report) -> list[HistoryEntry]:
    """The report's history, oldest first, with each change in words: "Place: Loikaw Township
    (MMR002001) → Loikaw Town (MMR002001701)" rather than the stored codes and ids."""
    entries = list(report.history.select_related("actor").order_by("created_at", "pk"))
    names = _names_in_changes([e.changes for e in entries])
    return [
        HistoryEntry(
            entry,
            tuple(
                Change(_change_label(field), *(_readable(field, v, names) for v in pair))
                for field, pair in sorted(entry.changes.items())
                if isinstance(pair, list | tuple) and len(pair) == 2
            ),
        )
        for entry in entries
    ]


def _change_label(field: str) -> str:
    if field in CHANGE_LABELS:
        return CHANGE_LABELS[field]
    try:
        return str(capfirst(Report._meta.get_field(field).verbose_name))  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return field.replace("_", " ").capitalize()


def _names_in_changes(all_changes: list[dict[str, Any]]) -> dict[str, dict[Any, str]]:
    """Look up, once for the whole history, the places, sources, events, organisations and
    figures the stored changes refer to by code or id."""
    wanted: dict[str, set[Any]] = {k: set() for k in ("place", "sources", "event", "organization")}
    wanted["figure"] = set()
    wanted["party"] = set()
    wanted["report"] = set()
    for changes in all_changes:
        for field, pair in changes.items():
            if not isinstance(pair, list | tuple):
                continue
            for value in pair:
                if field in ("place", "event", "organization") and value not in (None, ""):
                    wanted[field].add(value)
                elif field == "perpetrator" and value not in (None, "", UNKNOWN):
                    wanted["party"].add(value)
                elif field in ("sources", "perpetrator_sources") and isinstance(value, list):
                    wanted["sources"].update(value)
                elif field in ("reference_figure", "separate_from_figure") and value is not None:
                    wanted["figure"].add(value)
                elif field == "separate_from_report" and isinstance(value, int):
                    wanted["report"].add(value)
                elif field == "reference_for" and isinstance(value, list):
                    wanted["event"].update(p[0] for p in value if isinstance(p, list | tuple))
                elif field == "figures" and isinstance(value, list):
                    wanted["place"].update(_destinations(value))

    def ints(values: Iterable[Any]) -> list[int]:
        return [v for v in values if isinstance(v, int)]

    return {
        "place": {
            p.pcode: f"{p.display_name} ({p.pcode})"
            for p in Place.objects.filter(pcode__in=[str(c) for c in wanted["place"]])
        },
        "sources": {
            s.pk: f"{s}" + (" (confidential)" if s.is_confidential else "")
            for s in Source.objects.filter(pk__in=ints(wanted["sources"]))
        },
        "event": {
            e.pk: f"#{e.pk} {e.name}" for e in Event.objects.filter(pk__in=ints(wanted["event"]))
        },
        "organization": {
            o.pk: o.name for o in Organization.objects.filter(pk__in=ints(wanted["organization"]))
        },
        "party": {p.slug: str(p) for p in Party.objects.filter(slug__in=map(str, wanted["party"]))},
        "figure": {f.pk: str(f) for f in Figure.objects.filter(pk__in=ints(wanted["figure"]))},
        "report": {
            r.pk: f"#{r.pk} {r.title}" for r in Report.objects.filter(pk__in=ints(wanted["report"]))
        },
    }


def _readable(field: str, value: Any, names: dict[str, dict[Any, str]]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field == "place":
        return names["place"].get(value, str(value))
    if field in ("event", "organization"):
        return names[field].get(value, f"#{value} (since deleted)")
    if field in ("reference_figure", "separate_from_figure"):
        return names["figure"].get(value, f"figure #{value} (since deleted or edited)")
    if field == "separate_from_report":
        return names["report"].get(value, f"report #{value}")
    if field in CHOICE_FIELDS and value in CHOICE_FIELDS[field].values:
        return str(CHOICE_FIELDS[field](value).label)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in ("start_date", "end_date") and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%-d %b %Y")
        except ValueError:
            return value
    if field == "perpetrator":
        if value == UNKNOWN:
            return "unknown (the sources say it is not known)"
        return names["party"].get(value, f"party {value!r}")
    if field in ("sources", "perpetrator_sources") and isinstance(value, list):
        return "; ".join(names["sources"].get(pk, f"source #{pk}") for pk in value)
    if field == "figures" and isinstance(value, list):
        return "; ".join(_figure_text(data, names["place"]) for data in value)
    if field == "reference_for" and isinstance(value, list):
        return "; ".join(
            f"{names['event'].get(pair[0], f'event #{pair[0]}')}: {_metric_label(pair[1])}"
            for pair in value
            if isinstance(pair, list | tuple) and len(pair) == 2
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _metric_label(metric: Any) -> str:
    return Metric(metric).label.lower() if metric in Metric.values else str(metric)


FIGURE_TEXT_FIELDS = (
    "metric",
    "qualifier",
    "value",
    "value_min",
    "value_max",
    "unit",
    "household_size",
)


def _figure_text(data: Any, places: dict[Any, str]) -> str:
    if not isinstance(data, dict):
        return str(data)
    figure = str(Figure(**{k: v for k, v in data.items() if k in FIGURE_TEXT_FIELDS}))
    destination = data.get("destination")
    if destination:
        figure += f", went to {places.get(destination, str(destination))}"
    return figure


def _destinations(figures: list[Any]) -> set[str]:
    """The P-codes of the destinations in a stored list of figures."""
    return {
        str(data["destination"])
        for data in figures
        if isinstance(data, dict) and data.get("destination")
    }
