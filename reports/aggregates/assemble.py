"""Pieces of an answer that both ways of computing it share: rows named from the gazetteer and
the calendar of the period breakdown."""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Expression, F, Func, Q

from gazetteer.models import Place

from ..models import Event, Report
from .question import Plan, auto_period, periods_between
from .results import AreaRow, SpanningFigure, Total
from .spans import Span


class _Named(NamedTuple):
    """What a row or a line needs of a place, read as plain values rather than model
    instances (a breakdown by township names hundreds), named by Place's own rules."""

    pk: int
    pcode: str
    name_en: str
    name_local: str
    kind: str
    latitude: Decimal | None
    longitude: Decimal | None

    english_name = Place.english_name
    local_name = Place.local_name
    display_name = Place.display_name


class _Ids(Expression):
    """Ids as one bigint[] parameter, sent as the array's text (`{1,2,3}`): Django's ArrayField
    prepares each member in Python (a second for 350,000 reports), the text takes one join."""

    output_field = ArrayField(BigIntegerField())

    def __init__(self, ids: list[int]):
        super().__init__()
        self.ids = ids

    def as_sql(self, compiler, connection):
        return "%s::bigint[]", ["{" + ",".join(str(int(i)) for i in self.ids) + "}"]


def among(ids, field: str = "pk") -> Q:
    """Rows whose `field` (an id) is one of `ids`. On PostgreSQL one array parameter,
    `field = ANY(%s)`: an IN list of hundreds (the townships of a breakdown) is quoted one value
    at a time and read by the server's parser, 4.9 ms for 330 places against 1.3 ms for them
    all; of tens of thousands (the reports of a large pool), Django and psycopg spend seconds
    writing it out. For filter() and delete() only: negated (exclude(), ~), PostgreSQL's form
    has none of the care an IN takes of NULLs and of rows joined several times. None among
    the ids matches nothing, as in an IN."""
    ids = [i for i in ids if i is not None]
    if not ids or connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})  # (none: Django asks nothing)
    return Q(
        Func(
            F(field), _Ids(ids), arg_joiner=" = ANY(", template="%(expressions)s)",
            output_field=BooleanField(),
        )
    )  # fmt: skip


# Ids sent in one IN list at most, where they are not one array parameter (SQLite's limit on a
# query's parameters is 32,766).
CHUNK = 10_000


def batches(ids) -> list[list]:
    """`ids` in the batches one statement takes with among(): all at once on PostgreSQL (one
    array parameter), CHUNK at a time elsewhere."""
    ids = list(ids)
    size = max(len(ids), 1) if connection.vendor == "postgresql" else CHUNK
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _named(ids) -> list[_Named]:
    """The places of `ids`, in the gazetteer's order."""
    return [
        _Named(*row)
        for row in Place.objects.filter(among(ids)).order_by("path").values_list(*_Named._fields)
    ]


def unspecified_name(plan: Plan) -> str:
    if plan.area is not None:
        return f"Unspecified within {plan.area.display_name}"
    countries = list(Place.objects.filter(admin_level=0).values_list("name_en", flat=True)[:2])
    return f"Unspecified within {countries[0]}" if len(countries) == 1 else "Unspecified location"


def area_rows(plan: Plan, by_place: dict[int | None, dict[str, Total]]) -> list[AreaRow]:
    """One row per place (gazetteer order) with at least one counted event, then the
    "unspecified within" row; every asked metric is in every row."""

    def full(totals):
        return {m: totals.get(m) or Total.zero(m) for m in plan.metrics}

    def counts(totals):
        return any(t.events for t in totals.values())

    rows = [
        AreaRow(p.pcode, p.display_name, False, p.latitude, p.longitude, full(by_place[p.pk]))
        for p in _named([k for k in by_place if k is not None and counts(by_place[k])])
    ]
    if None in by_place and counts(by_place[None]):
        remainder = {m: t.in_order() for m, t in by_place[None].items()}
        rows.append(AreaRow(None, unspecified_name(plan), True, None, None, full(remainder)))
    return rows


# Keys of a breakdown by destination besides place ids: the figures that say no destination.
UNKNOWN_DESTINATION = "unknown"


def destination_rows(
    plan: Plan, by_key: dict[int | str | None, dict[str, Total]], outside: set[int]
) -> list[AreaRow]:
    """Rows of a breakdown by destination: the places at the breakdown's level within the area
    (gazetteer order), then "unspecified within" (a destination coarser than that level), the
    destinations outside the area by their state or region (`outside`), and "destination
    unknown" last: a figure without a destination is never dropped."""
    places = {k: v for k, v in by_key.items() if isinstance(k, int)}
    inside = area_rows(
        plan, {k: v for k, v in places.items() if k not in outside} | _only_none(by_key)
    )
    if plan.area is None and plan.destination is not None and inside and inside[-1].unspecified:
        last = inside[-1]
        inside[-1] = AreaRow(
            None,
            f"Unspecified within {plan.destination.display_name}",
            True,
            None,
            None,
            last.totals,
        )
    beyond = [
        AreaRow(r.pcode, r.name, False, r.latitude, r.longitude, r.totals, "outside")
        for r in area_rows(plan, {k: v for k, v in places.items() if k in outside})
    ]
    rows = inside + beyond
    unknown = by_key.get(UNKNOWN_DESTINATION)
    if unknown and any(t.events for t in unknown.values()):
        totals = {m: unknown.get(m) or Total.zero(m) for m in plan.metrics}
        rows.append(AreaRow(None, "Destination unknown", True, None, None, totals, "unknown"))
    return rows


def _only_none(by_key: dict) -> dict:
    return {None: by_key[None]} if None in by_key else {}


def calendar(
    plan: Plan, first: date | None, last: date | None = None
) -> tuple[str, list[tuple[date, date, str]]]:
    """The kind of period and the periods of the breakdown: from the question's start (or the
    first day holding data when it has none) to its end (or, when it has none, the last day
    holding data: not today, whose empty years would squeeze the data into a bar or two).
    The totals still answer up to today; only the series stops at the data."""
    start = plan.start or first
    end = plan.end
    if plan.question.end is None and last is not None and (start is None or last >= start):
        end = min(end, last)
    if start is None or start > end:
        return plan.question.period or "month", []
    period = plan.question.period or auto_period(start, end)
    return period, periods_between(start, end, period)


def spanning_figures(
    *groups: list[tuple[str, int | None, int, Span, int, Total, Total]],
) -> list[dict[str, list[SpanningFigure]]]:
    """SpanningFigure lines per metric, newest first, of each group of (metric, event id,
    counted report id, span, place id, the figure's own total, what it adds), with the names
    of their events (or reports) and places, read in one query each for all the groups."""
    entries = [e for group in groups for e in group]
    names = dict(
        Event.objects.filter(among({e[1] for e in entries if e[1]})).values_list("pk", "name")
    )
    titles = dict(
        Report.objects.filter(among({e[2] for e in entries if not e[1]})).values_list("pk", "title")
    )
    places = {p.pk: p for p in _named({e[4] for e in entries})}
    found = []
    for group in groups:
        lines: dict[str, list[SpanningFigure]] = {}
        for metric, event_id, report_id, span, place_id, counted, adds in group:
            lines.setdefault(metric, []).append(
                SpanningFigure(
                    metric=metric,
                    event_id=event_id,
                    name=names.get(event_id, "") if event_id else titles.get(report_id, ""),
                    report_id=report_id,
                    start=span.start,
                    end=span.end,
                    pcode=places[place_id].pcode,
                    place_name=places[place_id].display_name,
                    counted=counted,
                    adds=adds.in_order(),
                )
            )
        for figures in lines.values():
            figures.sort(key=lambda line: (line.end, line.start, line.report_id), reverse=True)
        found.append(lines)
    return found
