"""The summary rows computed from the base tables through the rules: what each event counts
(EventCount), the sources behind it (SourceUse) and the sums per cell (FlowTotal, StockStep)."""

from collections import defaultdict

from django.db.models import Q

from ...models import Figure
from ...workflow import Status
from ..facets import EVERYTHING, facet_holds, narrow, question_of
from ..from_base_tables import (
    candidates_from,
    candidates_of_reports,
    report_sources,
    separated_keys,
)
from ..places import PlaceIndex
from ..rules import apply_covering, choose, is_stock
from ..spans import reach
from .cells import ADM, SUMS, flow_cells, source_cells, source_span, use_of
from .stocks import stock_steps


def compute(facet: str = EVERYTHING, everything=None) -> tuple[dict, dict]:
    """EventCount rows (without local_sources) of every event of one facet and their sources,
    by (metric, key), with what each adds beyond the events it covers. `everything`: the whole
    gazetteer's PlaceIndex, when the caller has it already."""
    question = question_of(facet)
    figures = narrow(Figure.objects.filter(report__status=Status.APPROVED), question)
    if question.metrics:  # a facet kept for some metrics only
        figures = figures.filter(metric__in=question.metrics)
    counted = choose(candidates_from(figures))
    sources_of = report_sources(Q(report_id__in=figures.values("report_id"))) if counted else {}
    places = everything or PlaceIndex.everything()
    if counted:
        separate = separated_keys()
        by_metric: dict[str, list] = defaultdict(list)
        for c in counted:
            by_metric[c.metric].append(c)
        counted = [
            c
            for metric in sorted(by_metric)
            for c in (
                by_metric[metric]
                if is_stock(metric)
                else apply_covering(
                    by_metric[metric], places.chain, separate.get(metric, set()), places.level
                )
            )
        ]
    return _rows(counted, facet, sources_of, places)


def compute_facets(
    keys, facets_of: dict[int, set[str]], only: str | None = None
) -> dict[str, tuple[dict, dict]]:
    """EventCount rows (without local_sources; what they add left at their own numbers for the
    caller to settle) and their sources, by (metric, key), of these event keys in every facet of
    `facets_of` (the facets of each approved report of these events; `only`: just that one).
    The events' figures and sources are read once, without the facets' filters (whose
    subqueries the planner may run over every figure), and each facet's choice made among its
    reports' candidates."""
    # The events' approved reports are the keys of facets_of: their figures by report (one
    # condition over figures joined to reports let the planner read every figure).
    candidates, sources_of, paths = candidates_of_reports(sorted(facets_of))
    places = PlaceIndex.around({c.place_id for c in candidates}, paths.values())
    wanted = set().union(*facets_of.values()) if facets_of else set()
    if only is not None:
        wanted &= {only}
    # A facet kept for some metrics, none of which these events count, has nothing to refresh.
    metrics = {c.metric for c in candidates}
    wanted = {f for f in wanted if any(facet_holds(f, m) for m in metrics)}
    return {
        facet: _rows(
            choose(
                [
                    c
                    for c in candidates
                    if facet in facets_of.get(c.report_id, ()) and facet_holds(facet, c.metric)
                ]
            ),
            facet,
            sources_of,
            places,
        )
        for facet in wanted
    }


def _rows(counted, facet: str, sources_of, places) -> tuple[dict, dict]:
    adm_of: dict[int, list] = {}
    rows, uses = {}, {}
    for c in counted:
        if c.place_id not in adm_of:
            adm_of[c.place_id] = places.by_level(c.place_id)
        adm = adm_of[c.place_id]
        cited = set()
        for report_id in c.report_ids:
            cited |= sources_of.get(report_id, set())
        figure = c.figure
        stock = is_stock(c.metric)
        rows[c.metric, c.key] = {
            "facet": facet,
            "metric": c.metric,
            "key": c.key,
            "event_id": c.event_id,
            "report_id": figure.report_id,
            "figure_id": figure.figure_id,
            "place_id": figure.place_id,
            "level": places.level(c.place_id),
            "dated": figure.on if stock else c.span.start,
            "span_end": figure.on if stock else c.span.end,
            "reach": "month" if stock else reach(c.span),
            "published": figure.published,
            "approved_at": figure.approved_at,
            "best": figure.best,
            "low": figure.low,
            "high": figure.high,
            "range_low": c.range_low,
            "range_high": c.range_high,
            "high_open": c.high_open,
            "approximate": figure.approximate,
            "at_most": figure.at_most,
            "adds_best": c.adds[0],
            "adds_low": c.adds[1],
            "adds_high": c.adds[2],
            "covers": c.covers,
            "covers_open_level": c.covers_open_level,
            "report_ids": list(c.report_ids),
            "reports": len(c.report_ids),
            "sources": len(cited),
            "local_sources": None,
            **dict(zip(ADM, adm, strict=True)),
        }
        uses[c.metric, c.key] = cited
    return rows, uses


def derive(rows: dict, uses: dict) -> tuple[list, list, dict, list]:
    """From every EventCount row of one facet and their sources: the rows of all four tables
    (EventCount with local_sources, SourceUse, FlowTotal by cell, StockStep)."""
    uses_of: dict[tuple, list] = defaultdict(list)
    for (metric, key), cited in uses.items():
        for source in cited:
            uses_of[metric, source].append(use_of(rows[metric, key]))
    spans = {pair: source_span(found) for pair, found in uses_of.items()}
    events, source_uses = [], []
    flows: dict[tuple, list] = {}
    stocks: dict[str, list] = defaultdict(list)

    def add(cell, ancestry, sums):
        current = flows.get(cell)
        if current is None:
            flows[cell] = [ancestry, list(sums)]
        else:
            for i, n in enumerate(sums):
                current[1][i] += n

    for (metric, key), row in rows.items():
        cited = uses[metric, key]
        row["local_sources"] = sum(1 for s in cited if len(uses_of[metric, s]) == 1)
        events.append(row)
        for source in cited:
            source_uses.append(
                {
                    "metric": metric,
                    "source_id": source,
                    **use_of(row),
                    "shared": len(uses_of[metric, source]) > 1,
                    "span": spans[metric, source],
                }
            )
        if is_stock(metric):
            stocks[metric].append(row)
            continue
        for cell, ancestry, sums in flow_cells(row, row["local_sources"]):
            add(cell, ancestry, sums)
    for (metric, source), found in uses_of.items():
        if len(found) > 1 and not is_stock(metric):
            for cell, (ancestry, sums) in source_cells(
                found[0]["facet"], metric, found, spans[metric, source]
            ).items():
                add(cell, ancestry, sums)
    shared_of = {
        metric: {
            row["key"]: frozenset(
                s for s in uses[metric, row["key"]] if len(uses_of[metric, s]) > 1
            )
            for row in rows_of
        }
        for metric, rows_of in stocks.items()
    }
    steps = [
        step for metric in sorted(stocks) for step in stock_steps(stocks[metric], shared_of[metric])
    ]
    return events, source_uses, flows, steps


def flow_total_rows(flows: dict) -> list[dict]:
    return [
        {
            "facet": facet,
            "metric": metric,
            "node": node,
            "span": span,
            "start": start,
            "level": level,
            **dict(zip(ADM, adm, strict=True)),
            **dict(zip(SUMS, sums, strict=True)),
        }
        for (facet, metric, node, span, start), ((level, adm), sums) in flows.items()
    ]
