"""Where a counted event lands in the summary tables: its nodes (everywhere and each place above
it), its cells (node, month or year) and how far its sources' uses spread."""

from datetime import date

from ..places import LEVELS

# The tables (reports/models):
# - EventCount: what each event counts per metric (its figure, place, date, evidence counts).
# - SourceUse: which sources stand behind each counted event. Distinct sources do not add up,
#   so a source only one event cites is counted in that event's `local_sources` (which add up).
#   A source several events cite ("shared") is counted once per cell of FlowTotal it has a use
#   in (`shared_sources`, exact for that one cell), and once more in `settled_sources` where all
#   its uses fall within that cell's month or year (its `span`). A question made of several
#   cells adds the settled counts and counts distinct only the few shared sources whose uses
#   spread wider than the cell they are in (see from_summaries.py).
# - FlowTotal: flows summed per place and everything above it (node), per month and per year.
# - StockStep: each node's stock total as a step function of the date (rules.standing_stocks).
SPANS = ("month", "year")
ADM = tuple(f"adm{level}" for level in LEVELS)
EVERYWHERE = 0  # the node above every country
SUMS = ("best", "low", "high", "events", "reports", "local_sources", "shared_sources",
        "settled_sources", "open_events", "approximate_events", "at_most_events")  # fmt: skip
# The cells an event's span fits in (its reach): a month cell holds the events within that
# month, a year cell those within that year; longer events are in no cell.
CELL_SPANS = {"month": SPANS, "year": ("year",), "": ()}


def span_start(day: date, span: str) -> date:
    return day.replace(day=1) if span == "month" else date(day.year, 1, 1)


def nodes_of(row) -> list[tuple[int, int, tuple]]:
    """(node, level, adm0..adm4 of the node) for everywhere and each ancestor of the row's
    place, the place last."""
    adm = [row[a] for a in ADM]
    nodes = [(EVERYWHERE, -1, (None,) * 5)]
    for level in LEVELS:
        if adm[level] is not None:
            nodes.append((adm[level], level, tuple(adm[: level + 1]) + (None,) * (4 - level)))
    return nodes


def stock_stored_from(facet: str) -> int:
    """Where in nodes_of()'s chain a stock's stored steps begin (stocks.py): below everywhere,
    whose stock is its top places'; and in a facet (a cause, a source type, a tag ...) below
    the top place too, whose total there changes almost daily (few places under it hold a
    figure of their own) so that a back-dated figure would rewrite every later step of it.
    Those are composed when read (from_summaries.Reader)."""
    return 1 if facet == "" else 2


def flow_cells(row, local: int) -> list[tuple[tuple, tuple, tuple]]:
    """(cell key, node ancestry, sums) of one flow event's contribution to FlowTotal: what it
    adds (rule 5), in the cells its span fits in."""
    sums = (
        row["adds_best"], row["adds_low"], row["adds_high"], 1, row["reports"], local, 0, 0,
        int(row["high_open"]), int(row["approximate"]),
        int(row["at_most"] and row["adds_best"] > 0),  # (as rules.total_of)
    )  # fmt: skip
    return [
        (
            (row["facet"], row["metric"], node, span, span_start(row["dated"], span)),
            (level, adm),
            sums,
        )
        for node, level, adm in nodes_of(row)
        for span in CELL_SPANS[row["reach"]]
    ]


def source_span(uses) -> str:
    """How far a source's uses spread in time: all in the cells of one "month", of one "year",
    or "" (wider, or used by an event longer than a year)."""
    reaches = {use["reach"] for use in uses}
    if "" in reaches:
        return ""
    months = {span_start(use["dated"], "month") for use in uses}
    if len(months) == 1 and reaches == {"month"}:
        return "month"
    return "year" if len({m.year for m in months}) == 1 else ""


def source_cells(facet: str, metric: str, uses, span: str) -> dict:
    """A shared source's contribution to FlowTotal: one in `shared_sources` of each cell it has
    a use in, and one in `settled_sources` of those whose month or year holds all its uses."""
    cells = {}
    for use in uses:
        for node, level, adm in nodes_of(use):
            for cell_span in CELL_SPANS[use["reach"]]:
                cell = (facet, metric, node, cell_span, span_start(use["dated"], cell_span))
                if cell not in cells:
                    settled = span == "month" or (cell_span == "year" and span == "year")
                    cells[cell] = ((level, adm), (0, 0, 0, 0, 0, 0, 1, int(settled), 0, 0, 0))
    return cells


def use_of(row) -> dict:
    """A use of a source by a counted event, as SourceUse keeps it."""
    return {
        "facet": row["facet"],
        "key": row["key"],
        "dated": row["dated"],
        "span_end": row["span_end"],
        "reach": row["reach"],
        **{a: row[a] for a in ADM},
    }
