"""Geometry for the dashboard's inline SVG, a bar chart per metric and a map of area points:
pure functions, so the pages need no JavaScript and no other server."""

import math
from dataclasses import dataclass, field
from datetime import date

CHART_WIDTH, CHART_HEIGHT = 360, 150
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 36, 20, 10, 22
MAX_X_LABELS = 6
# A label's width in the chart's units, per character (10px text; a Burmese month name has more
# code points than it has visible width, so this errs wide), and the gap between two labels.
LABEL_CHAR_WIDTH, LABEL_GAP = 5, 8
OPEN_MARK = 7  # the height of the upward mark above an "at least" bar
# Context events (operations, offensives) over a chart: a row above the plot for their numbers,
# and the least distance between two numbers' centres there.
TRIGGER_ROW, TRIGGER_LABEL_GAP = 12, 9
STALE_STRIP = 4  # the height of the hatched strip on the axis where a stock is stale


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def short_number(value: int) -> str:
    """Axis labels: 40000 -> "40k", 2000000 -> "2M"."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= size:
            shown = value / size
            return f"{shown:.0f}{suffix}" if shown == int(shown) else f"{shown:.1f}{suffix}"
    return str(value)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    whisker_top: float  # the high end of the range; equal to whisker_bottom when no range
    whisker_bottom: float
    open_top: float  # where the small upward mark of an "at least" total ends (above the bar)
    centre: float
    label: str
    show_label: bool
    title: str  # the exact numbers, shown on hover and read by screen readers
    url: str
    stale: bool = False  # a stock with a figure older than the staleness limit: hatched, pale
    gone: bool = False  # every figure standing is that old: no bar, a strip on the axis
    high_open: bool = False  # an "at least" total: a small upward mark above the bar

    @property
    def open_path(self) -> str:
        """The upward mark of an "at least" bar: a short stem from the bar's top and an arrow
        head no wider than the bar's slot."""
        half = round(min(2.5, self.width / 2 + 0.5), 1)
        head = round(self.open_top + half, 1)
        return (
            f"M{self.centre} {self.y}V{self.open_top}"
            f"M{round(self.centre - half, 1)} {head}L{self.centre} {self.open_top}"
            f"L{round(self.centre + half, 1)} {head}"
        )


@dataclass(frozen=True)
class Trigger:
    """A context event over the chart: a band over the days it spans, or a marker line on its
    one day, and its number above the plot (the key under the chart names it)."""

    number: int
    name: str
    url: str
    x: float
    width: float  # 0 for a marker
    label_x: float
    label_y: float
    top: float
    bottom: float
    dates: str = ""  # as the key under the chart shows them

    @property
    def height(self) -> float:
        return round(self.bottom - self.top, 1)

    @property
    def is_band(self) -> bool:
        return self.width > 0


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    gridlines: list[tuple[float, str]]  # (y, label)
    baseline: float
    left: int
    right: float
    any_stale: bool = False
    any_open: bool = False
    any_gone: bool = False
    triggers: list[Trigger] = field(default_factory=list)
    stale_y: float = 0.0  # the top of the hatched strip of a stale period
    stale_height: float = STALE_STRIP


def bar_chart(points: list[dict], triggers: list[dict] | None = None) -> BarChart:
    """points: [{"label", "best", "low", "high", "title", "url"}, optionally "high_open",
    "stale", and "start" and "end" (the period's first and last day, needed to place
    triggers)] in time order. Bars show the best estimate; a whisker shows the low-high range
    where it differs; a total with no finite high gets only a short upward mark above its bar
    (a whisker to the top of the plot on every bar of a long series made a black block).

    A stale stock (DOMAIN.md rule 4) is never drawn as if current: when some figure standing
    is older than the staleness limit at the period's end ("stale") its bar is pale and
    hatched; when every one is ("stale_all": the newest figure too), it gets no bar at all, as
    a bar as tall as the last figure would carry it forward flat, period after period. A short
    strip on the axis marks such a period instead, keeps the link to its evidence and says so
    in its title; the scale ignores its value.

    triggers: [{"number", "name", "url", "start", "end"}] (end None or equal to start: one
    day), the context events to draw: a pale band over the days they span, clipped to the
    chart, or a marker line on their day, numbered in a row above the plot."""
    triggers = [t for t in triggers or [] if points and "start" in points[0]]
    chart_top = CHART_TOP + (TRIGGER_ROW if triggers else 0)
    chart_height = CHART_HEIGHT + (TRIGGER_ROW if triggers else 0)
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = chart_height - chart_top - CHART_BOTTOM
    baseline = chart_top + plot_height
    top = nice_ceiling(
        max(
            (
                max(p["best"], 0 if p.get("high_open") else p["high"])
                for p in points
                if not p.get("stale_all")
            ),
            default=0,
        )
    )
    slot = plot_width / max(len(points), 1)
    # As many labels as fit without touching: Burmese month names are about twice as long.
    longest = max((len(str(p["label"])) for p in points), default=1)
    fit = max(1, int(plot_width // (longest * LABEL_CHAR_WIDTH + LABEL_GAP)))
    every = max(1, math.ceil(len(points) / min(MAX_X_LABELS, fit)))

    def y(value):
        return round(baseline - plot_height * value / top, 1)

    bars = []
    for index, point in enumerate(points):
        x = CHART_LEFT + slot * index + slot * 0.15
        gone = bool(point.get("stale_all"))
        best = 0 if gone else point["best"]
        bars.append(
            Bar(
                x=round(x, 1),
                y=y(best),
                width=round(slot * 0.7, 1),
                height=round(baseline - y(best), 1),
                whisker_top=(
                    y(best)
                    if gone
                    else min(y(best), y(point["low"]))
                    if point.get("high_open")
                    else y(point["high"])
                ),
                whisker_bottom=y(best) if gone else y(point["low"]),
                open_top=round(max(chart_top, y(best) - OPEN_MARK), 1),
                centre=round(CHART_LEFT + slot * (index + 0.5), 1),
                label=point["label"],
                show_label=index % every == 0,
                title=point["title"],
                url=point["url"],
                stale=bool(point.get("stale")) or gone,
                gone=gone,
                high_open=bool(point.get("high_open")) and not gone,
            )
        )
    # Whole numbers only: a half of 1 (or of 5) would read "0, 0, 1".
    steps = (0, 1, 2) if top % 2 == 0 else (0, 2)
    gridlines = [(y(top * k / 2), short_number(top * k // 2)) for k in steps]
    return BarChart(
        width=CHART_WIDTH,
        height=chart_height,
        bars=bars,
        gridlines=gridlines,
        baseline=baseline,
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        any_stale=any(b.stale and not b.gone for b in bars),
        any_gone=any(b.gone for b in bars),
        any_open=any(b.high_open for b in bars),
        triggers=_triggers(points, triggers, slot, chart_top, baseline),
        stale_y=baseline - STALE_STRIP,
    )


def _triggers(points, triggers, slot, chart_top, baseline) -> list[Trigger]:
    """Bands and markers in the chart's units: a day's x is its period's slot, divided evenly
    among the period's days (the first and last periods may be clipped to the question)."""
    if not triggers:
        return []
    first, last = points[0]["start"], points[-1]["end"]

    def x_of(day: date, after: bool) -> float:
        """The left edge of `day` (the right edge with after=True) on the axis."""
        day = min(max(day, first), last)
        for index, point in enumerate(points):
            if point["start"] <= day <= point["end"]:
                days = (point["end"] - point["start"]).days + 1
                offset = (day - point["start"]).days + (1 if after else 0)
                return CHART_LEFT + slot * (index + offset / days)
        return CHART_LEFT  # pragma: no cover - the points cover first..last without gaps

    drawn = []
    label_x = -math.inf
    for trigger in sorted(triggers, key=lambda t: (t["start"], t["number"])):
        end = trigger.get("end") or trigger["start"]
        if end < first or trigger["start"] > last:
            continue
        if end == trigger["start"]:
            x = (x_of(trigger["start"], False) + x_of(trigger["start"], True)) / 2
            width = 0.0
            centre = x
        else:
            x = x_of(trigger["start"], False)
            width = x_of(end, True) - x
            centre = x + width / 2 if width < 2 * TRIGGER_LABEL_GAP else x + TRIGGER_LABEL_GAP / 2
        # Numbers never overlap: each at least a gap right of the one before.
        label_x = max(centre, label_x + TRIGGER_LABEL_GAP)
        drawn.append(
            Trigger(
                number=trigger["number"],
                name=trigger["name"],
                url=trigger["url"],
                x=round(x, 1),
                width=round(width, 1),
                label_x=round(label_x, 1),
                label_y=chart_top - 3,
                top=chart_top,
                bottom=baseline,
                dates=trigger.get("dates", ""),
            )
        )
    return drawn
