"""The dashboard's map, drawn on the server as SVG: each area of the breakdown filled by its
class (a choropleth of one metric), the areas without an outline as marked circles at their
representative point, the area asked as an outline (hatched when part of its total is
"unspecified within" it), and the exact points a moderator released. No JavaScript, nothing
fetched; coordinates are projected to whole units and repeated points dropped, so the page stays
light (docs/benchmarks.md)."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import shapely

from gazetteer import selectors as gazetteer_selectors
from gazetteer.models import Place

# The drawing's longer side, in SVG units; the shorter follows the area's shape, within bounds.
MAP_SIZE, MAP_MIN_SIDE, MAP_PAD = 400, 220, 8
CLASSES = 5  # at most, for the areas with a number above zero
# The shades used when there are fewer classes: spread over the scale, so that one class
# stands out from "nothing approved" as clearly as the highest of five.
SHADES = {1: (4,), 2: (2, 4), 3: (1, 3, 5), 4: (2, 3, 4, 5), 5: (1, 2, 3, 4, 5)}
MARKER_RADIUS = 7
# Corners closer than this (in SVG units) to the line between their neighbours are dropped.
SIMPLIFY_UNITS = 0.7
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
    for shade, high in zip(SHADES[count], highs, strict=True):
        legend.append(LegendClass(f"c{shade}", low, high))
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


@functools.lru_cache(maxsize=2048)
def _rings(geometry: str) -> tuple[np.ndarray, ...]:
    """The rings of a stored GeoJSON (multi)polygon as arrays of (longitude, latitude); kept
    for the process's life (keyed by the text itself, so an imported change is a new key)."""
    parsed = json.loads(geometry)
    kind, coordinates = parsed.get("type"), parsed.get("coordinates") or []
    polygons = coordinates if kind == "MultiPolygon" else [coordinates] if kind == "Polygon" else []
    return tuple(
        np.asarray(ring, dtype=float) for polygon in polygons for ring in polygon if len(ring) >= 4
    )


def paths_of(geometries: Sequence[str], projection: Projection) -> list[str]:
    """The SVG paths of stored GeoJSON (multi)polygons: each ring projected, simplified to
    SIMPLIFY_UNITS (Douglas-Peucker, all rings in one call), then a move and relative lines in
    whole units with repeated points dropped, closed with z; rings smaller than a unit
    vanish."""
    rings = [(index, ring) for index, text in enumerate(geometries) for ring in _rings(text)]
    drawn = [""] * len(geometries)
    if not rings:
        return drawn
    coordinates = projection.array(np.concatenate([ring for _, ring in rings]))
    ring_of = np.repeat(np.arange(len(rings)), [len(ring) for _, ring in rings])
    lines = shapely.simplify(
        shapely.linestrings(coordinates, indices=ring_of), SIMPLIFY_UNITS, preserve_topology=False
    )
    simplified, line_of = shapely.get_coordinates(lines, return_index=True)
    points = np.rint(simplified).astype(int)
    pieces = np.split(points, np.searchsorted(line_of, np.arange(1, len(rings))))
    for (index, _ring), piece in zip(rings, pieces, strict=True):
        drawn[index] += _ring_path(piece)
    return drawn


def _ring_path(points: np.ndarray) -> str:
    steps = np.diff(points, axis=0)
    steps = steps[np.any(steps != 0, axis=1)]
    if len(steps) < 3:
        return ""
    # The closing step is implied by z.
    x, y = points[0]
    moves = " ".join(map(str, steps[:-1].ravel().tolist()))
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
    outlines = gazetteer_selectors.outlines_within(area, level)
    if area is not None:
        outlines.update(gazetteer_selectors.outlines_of([area.pcode]))
    # The areas of the breakdown without an outline, placed by their representative point.
    unoutlined = [row for row in rows if row.pcode not in outlines]
    legend = classes([row.value for row in rows])

    boxes = [
        (b.min_longitude, b.min_latitude, b.max_longitude, b.max_latitude)
        for pcode, b in outlines.items()
        if area is None or pcode == area.pcode or area.pcode not in outlines
    ]
    located = [
        (float(representative[row.pcode][1]), float(representative[row.pcode][0]))
        for row in unoutlined
        if row.pcode in representative
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
    shaped = [pcode for pcode in outlines if area is None or pcode != area.pcode]
    drawn = paths_of([outlines[pcode].geometry for pcode in shaped], projection)
    for pcode, d in zip(shaped, drawn, strict=True):
        row = by_pcode.get(pcode)
        if not d:
            if row is not None:
                unoutlined.append(row)
            continue
        name = row.name if row else outlines[pcode].name
        result.shapes.append(
            Shape(
                pcode,
                name,
                d,
                fill_of(row.value, legend) if row else "c0",
                row.title if row else none_title(name),
                row.url if row else drill_url(pcode),
            )
        )
    for row in unoutlined:
        if row.pcode in representative:
            latitude, longitude, _where = representative[row.pcode]
            x, y = projection.point(float(longitude), float(latitude))
            fill = fill_of(row.value, legend)
            result.markers.append(Marker(row.pcode, row.name, x, y, fill, row.title, row.url))
    result.hatched = unspecified_value > 0
    # The area asked is drawn as an outline when part of its number lies nowhere below it
    # (hatched) or when nothing below it has an outline of its own (markers need a frame); it
    # often comes from another file than its children's, so it is not drawn over them otherwise.
    if area is not None and area.pcode in outlines and (result.hatched or not result.shapes):
        result.outline = paths_of([outlines[area.pcode].geometry], projection)[0]
    elif area is None and result.hatched:
        # "Unspecified within Myanmar": the country's outline, when the gazetteer has one
        # country and it has an outline.
        countries = gazetteer_selectors.outlines_within(None, 0)
        if len(countries) == 1:
            (country,) = countries.values()
            result.outline = paths_of([country.geometry], projection)[0]
    for _pk, title, latitude, longitude in released[:MAX_POINTS]:
        x, y = projection.point(float(longitude), float(latitude))
        result.points.append(Point(x, y, point_title(title)))
    credits = sorted({b.attribution for b in outlines.values() if b.attribution})
    result.attribution = ", ".join(credits)
    return result
