"""The dashboard's map, drawn on the server as SVG: each area of the breakdown filled by its
class (a choropleth of one metric), the areas without an outline as marked circles at their
representative point, the area asked as an outline (hatched when part of its total is
"unspecified within" it), and the exact points a moderator released. No JavaScript, nothing
fetched; coordinates are projected to whole units and repeated points dropped, so the page stays
light (docs/benchmarks.md)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gazetteer import selectors as gazetteer_selectors
from gazetteer.models import Place

# The drawing's longer side, in SVG units; the shorter follows the area's shape, within bounds.
MAP_SIZE, MAP_MIN_SIDE, MAP_PAD = 400, 220, 8
CLASSES = 5  # at most, for the areas with a number above zero
SIMPLIFY_UNITS = 0.6  # corners closer than this to a straight line are dropped when drawing
MARKER_RADIUS = 7
POINT_RADIUS = 3
# No more markers than this are drawn; the table has every number.
MAX_POINTS = 200


@dataclass(frozen=True)
class MapArea:
    """One row of the breakdown as the map shows it."""

    pcode: str
    name: str
    value: int
    title: str  # the number in words, with its qualifier, range and what stands behind it
    url: str  # where selecting it goes: the same drill-down as the table's area name


@dataclass(frozen=True)
class Shape:
    pcode: str
    name: str
    d: str  # the SVG path
    fill: str  # CSS class: "c0" (nothing approved) … "c5"
    title: str
    url: str


@dataclass(frozen=True)
class Marker:
    """An area of the breakdown without an outline, at its representative point."""

    pcode: str
    name: str
    x: int
    y: int
    fill: str
    title: str
    url: str


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    title: str


@dataclass(frozen=True)
class LegendClass:
    fill: str
    low: int
    high: int

    @property
    def label(self) -> str:
        return f"{self.low:,}" if self.low == self.high else f"{self.low:,}–{self.high:,}"


@dataclass
class Choropleth:
    width: int
    height: int
    shapes: list[Shape] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    outline: str = ""  # the area asked, drawn over the shapes
    hatched: bool = False  # part of the area's number is not located below it
    legend: list[LegendClass] = field(default_factory=list)
    attribution: str = ""

    @property
    def drawn(self) -> bool:
        return bool(self.shapes or self.markers)


def classes(values: Sequence[int]) -> list[LegendClass]:
    """Up to CLASSES classes over the numbers above zero: the distinct numbers in ascending
    order cut into groups of (nearly) equal count; each class runs from one above the previous
    class's highest number (1 for the first) to its own highest, so the legend has no gaps."""
    distinct = sorted({v for v in values if v > 0})
    if not distinct:
        return []
    count = min(CLASSES, len(distinct))
    highs = [distinct[math.ceil(len(distinct) * (i + 1) / count) - 1] for i in range(count)]
    legend, low = [], 1
    for index, high in enumerate(highs, start=1):
        legend.append(LegendClass(f"c{index}", low, high))
        low = high + 1
    return legend


def fill_of(value: int, legend: list[LegendClass]) -> str:
    if value <= 0:
        return "c0"
    return next(c.fill for c in legend if value <= c.high)


class Projection:
    """Equirectangular, x shrunk by the cosine of the middle latitude (true enough over one
    country), fitted to a box of MAP_SIZE on its longer side."""

    def __init__(self, west: float, south: float, east: float, north: float):
        self.stretch = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * self.stretch, 0.05)
        span_y = max(north - south, 0.05)
        inner = MAP_SIZE - 2 * MAP_PAD
        self.scale = inner / max(span_x, span_y)
        self.width = max(MAP_MIN_SIDE, round(span_x * self.scale) + 2 * MAP_PAD)
        self.height = max(MAP_MIN_SIDE, round(span_y * self.scale) + 2 * MAP_PAD)
        # centred in the box
        self.x0 = (west + east) / 2 * self.stretch * self.scale - self.width / 2
        self.y0 = (south + north) / 2 * self.scale + self.height / 2

    def array(self, coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = coords[:, 0] * self.stretch * self.scale - self.x0
        out[:, 1] = self.y0 - coords[:, 1] * self.scale
        return out

    def point(self, longitude: float, latitude: float) -> tuple[int, int]:
        x, y = self.array(np.array([[longitude, latitude]], dtype=float))[0]
        return round(x), round(y)


def path_of(geometry: BaseGeometry, projection: Projection) -> str:
    """The SVG path of a (multi)polygon: each ring a move, then relative lines in whole
    units with repeated points dropped, closed with z; rings smaller than a unit vanish."""
    drawn = shapely.transform(geometry, projection.array)
    drawn = shapely.simplify(drawn, SIMPLIFY_UNITS, preserve_topology=False)
    parts = []
    for polygon in getattr(drawn, "geoms", [drawn]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            parts.append(_ring_path(np.rint(np.asarray(ring.coords)).astype(int)))
    return "".join(parts)


def _ring_path(points: np.ndarray) -> str:
    steps = np.diff(points, axis=0)
    steps = steps[np.any(steps != 0, axis=1)]
    if len(steps) < 3:
        return ""
    # The closing step is implied by z.
    steps = steps[:-1]
    x, y = points[0]
    moves = " ".join(f"{dx} {dy}" for dx, dy in steps.tolist())
    return f"M{x} {y}l{moves}z".replace(" -", "-")


def choropleth(
    area: Place | None,
    level: int,
    rows: list[MapArea],
    *,
    drill_url: Callable[[str], str],
    none_title: Callable[[str], str],
    representative: dict[str, tuple[Decimal, Decimal, str]] | None = None,
    unspecified_value: int = 0,
    released: Sequence[tuple[int, str, Decimal, Decimal]] = (),
    point_title: Callable[[str], str] = str,
) -> Choropleth:
    """The map of a breakdown: `rows` the areas with a number; every other place at `level`
    inside `area` is drawn as having nothing approved (`none_title(name)`, linking to
    `drill_url(pcode)`); an area of `rows` without an outline is a marker at its
    `representative` point (latitude, longitude, where from); `released` the exact points a
    moderator released."""
    representative = representative or {}
    by_pcode = {row.pcode: row for row in rows}
    places = gazetteer_selectors.places_within(area, level)
    wanted = [p.pcode for p in places] + ([area.pcode] if area is not None else [])
    outlines = gazetteer_selectors.boundaries_of(wanted)
    legend = classes([row.value for row in rows])

    boxes = [
        (b.min_longitude, b.min_latitude, b.max_longitude, b.max_latitude)
        for pcode, b in outlines.items()
        if area is None or pcode == area.pcode or area.pcode not in outlines
    ]
    located = [
        (float(representative[p.pcode][1]), float(representative[p.pcode][0]))
        for p in places
        if p.pcode in by_pcode and p.pcode not in outlines and p.pcode in representative
    ] + [(float(lon), float(lat)) for _, _, lat, lon in released]
    boxes += [(lon, lat, lon, lat) for lon, lat in located]
    if not boxes:
        return Choropleth(MAP_SIZE, MAP_MIN_SIDE, legend=legend)
    projection = Projection(
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    result = Choropleth(projection.width, projection.height, legend=legend)
    for place in places:
        row = by_pcode.get(place.pcode)
        name = row.name if row else place.display_name
        title = row.title if row else none_title(name)
        url = row.url if row else drill_url(place.pcode)
        fill = fill_of(row.value, legend) if row else "c0"
        outline = outlines.get(place.pcode)
        if outline is not None:
            d = path_of(shapely.from_geojson(outline.geometry), projection)
            if d:
                result.shapes.append(Shape(place.pcode, name, d, fill, title, url))
                continue
        if row is not None and place.pcode in representative:
            latitude, longitude, _where = representative[place.pcode]
            x, y = projection.point(float(longitude), float(latitude))
            result.markers.append(Marker(place.pcode, name, x, y, fill, title, url))
    result.hatched = unspecified_value > 0
    # The area asked is drawn as an outline when part of its number lies nowhere below it
    # (hatched) or when nothing below it has an outline of its own (markers need a frame); it
    # often comes from another file than its children's, so it is not drawn over them otherwise.
    if area is not None and area.pcode in outlines and (result.hatched or not result.shapes):
        result.outline = path_of(shapely.from_geojson(outlines[area.pcode].geometry), projection)
    for _pk, title, latitude, longitude in released[:MAX_POINTS]:
        x, y = projection.point(float(longitude), float(latitude))
        result.points.append(Point(x, y, point_title(title)))
    credits = sorted({b.attribution for b in outlines.values() if b.attribution})
    result.attribution = ", ".join(credits)
    return result
