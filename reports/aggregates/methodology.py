"""How the numbers are counted, in plain sentences (the briefing and methodology pages)."""

from ..vocabulary import Metric
from .rules import is_stock


def methodology() -> list[str]:
    """How the numbers are counted, in plain sentences, for the briefing page."""
    flows = ", ".join(Metric(m).label.lower() for m in Metric.values if not is_stock(m))
    stocks = ", ".join(Metric(m).label.lower() for m in Metric.values if is_stock(m))
    return [
        "Only reports a moderator approved are counted; a report that is later retracted "
        "leaves every total.",
        "An event is counted once for each kind of number, however many reports describe it. "
        "Moderators link reports of the same event; a report linked to no event is counted as "
        "its own event.",
        "Within an event, the figure counted is the one a moderator chose as the reference; "
        "when none is chosen, the most recently published figure (the latest publication date "
        "among the report's sources, or the date the report was approved when no source is "
        "dated). The other reports' figures are kept as the event's range.",
        "Every total is a best estimate with a low-high range, the sums of the figures' own "
        "lows and highs: a figure reported as a range counts its minimum and maximum, with the "
        "midpoint (rounded down) as the best estimate; 'about', 'at least' and 'at most' "
        "figures count as the number given. Households are converted to people with the "
        "household size the report gave, or the country's default.",
        "A report is dated by its end date, or its start date when it has none: the date its "
        "figures are true at. An event is dated and placed by the report whose figure it "
        "counts.",
        f"Flows ({flows}) are added up over the period asked.",
        f"Stocks ({stocks}) are never added up over time: for each place, the latest figure on "
        "or before the end of the period is used, and over a series each period shows the "
        "figures standing at its end.",
        "For stocks, between an area and the places within it the most recent figure wins: a "
        "figure for a whole area replaces older figures for places inside it, and a more "
        "recent figure for a place inside sets an older whole-area figure aside, because we "
        "cannot tell which part of it the newer figure updates. On the same date the "
        "whole-area figure wins. Figures are never added on top of each other.",
        "A report about a whole area is never spread over the places within it: in a "
        "breakdown by area it is shown as 'unspecified within' that area.",
        "Filters by cause, tag, source type or event choose the evidence first: only figures "
        "of reports that match take part, and each event is then counted as above.",
        "Each total says how many events, approved reports and distinct sources stand behind "
        "it. Stored numbers are never rounded; pages may round for display.",
    ]
