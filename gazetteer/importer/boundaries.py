"""Applying boundary files to the gazetteer's places: every feature read and checked (valid
polygon, longitude/latitude, a P-code of the gazetteer, given once), the accepted ones simplified
per file, then written in one transaction, all or nothing. A place no file outlines gets the
union of its children's outlines, marked derived."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.db import transaction
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from ..models import Boundary, Place
from .boundary_reading import BoundaryFileError, Feature, read_boundary_file

# Degrees. The coverage simplification (Visvalingam-Whyatt, shared edges kept shared) removes
# corners whose triangle is smaller than about this squared: 0.01° is about 1 km, finer than
# a district or state map needs; all Myanmar's districts then hold about 330 KB of GeoJSON and
# draw in well under 100 ms (docs/benchmarks.md). Township files may want --tolerance 0.005.
DEFAULT_TOLERANCE = 0.01
COORDINATE_DECIMALS = 5  # about 1 m
QUERY_CHUNK = 900


@dataclass(frozen=True)
class Refusal:
    file: str
    who: str  # "MMR002D001 Loikaw", or the file alone when the whole file is refused
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.who}: {self.reason}" if self.who else f"{self.file}: {self.reason}"
        )


class BoundaryImportError(Exception):
    """Features or files were refused and --skip-invalid was not given: nothing was written."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        count = len(refusals)
        super().__init__(
            f"{count} feature{'s' if count != 1 else ''} or file{'s' if count != 1 else ''} "
            "refused; nothing was imported."
            if count != 1
            else "1 feature or file refused; nothing was imported."
        )


@dataclass
class FileResult:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # "MMR013D004 Xyz"
    named: int = 0  # places given the layer's local-script name, which they lacked

    def summary(self) -> str:
        named = f", {self.named} local names added" if self.named else ""
        return (
            f"{self.name}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.unmatched)} not in the gazetteer, "
            f"{len(self.refused)} refused{named}"
        )


@dataclass
class ImportResult:
    files: list[FileResult]
    derived: FileResult

    @property
    def changed(self) -> bool:
        return any(r.created or r.updated or r.named for r in [*self.files, self.derived])


@dataclass
class _Outline:
    geometry: str
    bbox: tuple[float, float, float, float]
    source_file: str
    attribution: str
    derived: bool


def import_boundaries(
    paths: Iterable[str | Path],
    *,
    skip_invalid: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
    pcode_field: str | None = None,
    attribution: str = "MIMU",
) -> ImportResult:
    """Import the files in order. Raises BoundaryImportError, writing nothing, when a feature
    or a file is refused, unless skip_invalid."""
    results: list[FileResult] = []
    accepted: list[tuple[FileResult, Feature]] = []
    for path in map(Path, paths):
        try:
            read = read_boundary_file(path, pcode_field)
        except BoundaryFileError as error:
            results.append(FileResult(error.file, refused=[Refusal(error.file, "", error.reason)]))
            continue
        result = FileResult(read.name)
        results.append(result)
        good = []
        for feature in read.features:
            if feature.problem:
                result.refused.append(Refusal(read.name, feature.label, feature.problem))
            else:
                good.append(feature)
        _simplify(good, tolerance)
        accepted += [(result, feature) for feature in good]

    places = _places({feature.pcode for _, feature in accepted})
    outlines: dict[str, _Outline] = {}
    given_by: dict[str, str] = {}
    local_names: dict[str, tuple[str, FileResult]] = {}
    for result, feature in accepted:
        if feature.pcode not in places:
            result.unmatched.append(feature.label)
            continue
        if feature.pcode in given_by:
            result.refused.append(
                Refusal(
                    result.name, feature.label, f"given again (first in {given_by[feature.pcode]})"
                )
            )
            continue
        given_by[feature.pcode] = f"{result.name}, feature {feature.number}"
        assert feature.geometry is not None
        outlines[feature.pcode] = _outline(feature.geometry, result.name, attribution)
        if feature.local_name:
            local_names[feature.pcode] = (feature.local_name, result)

    refusals = [refusal for result in results for refusal in result.refused]
    if refusals and not skip_invalid:
        raise BoundaryImportError(refusals)
    derived = FileResult("derived from children")
    with transaction.atomic():
        _store(outlines, places, {r.name: r for r in results})
        _name(places, local_names)
        _derive(places.values(), tolerance, attribution, derived)
    return ImportResult(results, derived)


def _simplify(features: list[Feature], tolerance: float) -> None:
    """Simplify a file's polygons together, so that a border two of them share stays one line;
    a file whose polygons overlap (not a coverage) is simplified polygon by polygon."""
    if not features or tolerance <= 0:
        return
    geometries = [f.geometry for f in features]
    simplified = shapely.coverage_simplify(geometries, tolerance)
    if not all(shapely.is_valid(simplified)) or any(shapely.is_empty(simplified)):
        simplified = shapely.simplify(geometries, tolerance, preserve_topology=True)
    for feature, geometry in zip(features, simplified, strict=True):
        feature.geometry = geometry


def _places(pcodes: set[str]) -> dict[str, Place]:
    ordered = sorted(pcodes)
    found: dict[str, Place] = {}
    for start in range(0, len(ordered), QUERY_CHUNK):
        for place in Place.objects.filter(pcode__in=ordered[start : start + QUERY_CHUNK]):
            found[place.pcode] = place
    return found


def _outline(geometry: BaseGeometry, source_file: str, attribution: str) -> _Outline:
    rounded = shapely.set_precision(geometry, 10**-COORDINATE_DECIMALS)
    if rounded.is_empty or not rounded.is_valid:
        rounded = geometry
    text = json.dumps(_rounded(mapping(rounded)), separators=(",", ":"))
    west, south, east, north = (round(v, COORDINATE_DECIMALS) for v in rounded.bounds)
    return _Outline(text, (west, south, east, north), source_file, attribution, False)


def _rounded(value):
    if isinstance(value, float):
        return round(value, COORDINATE_DECIMALS)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _apply(place: Place, outline: _Outline, existing: Boundary | None, result: FileResult):
    values = {
        "geometry": outline.geometry,
        "min_longitude": outline.bbox[0],
        "min_latitude": outline.bbox[1],
        "max_longitude": outline.bbox[2],
        "max_latitude": outline.bbox[3],
        "source_file": outline.source_file,
        "attribution": outline.attribution,
        "derived": outline.derived,
    }
    if existing is None:
        Boundary.objects.create(place=place, **values)
        result.created += 1
        return
    differ = [name for name, value in values.items() if getattr(existing, name) != value]
    if not differ:
        result.unchanged += 1
        return
    for name in differ:
        setattr(existing, name, values[name])
    existing.save(update_fields=differ)
    result.updated += 1


def _store(outlines: dict[str, _Outline], places: dict[str, Place], results) -> None:
    existing = {b.place_id: b for b in Boundary.objects.filter(place__pcode__in=list(outlines))}
    for pcode, outline in outlines.items():
        place = places[pcode]
        _apply(place, outline, existing.get(place.pk), results[outline.source_file])


def _name(places: dict[str, Place], local_names: dict[str, tuple[str, FileResult]]) -> None:
    """Give places without a local-script name the one their outline's layer gives."""
    for pcode, (name, result) in local_names.items():
        place = places[pcode]
        if not place.name_local:
            place.name_local = name
            place.save(update_fields=["name_local"])
            result.named += 1


def _derive(touched: Iterable[Place], tolerance: float, attribution: str, result: FileResult):
    """Give each ancestor of the places outlined that no file outlines the union of its
    children's outlines, deepest first (a district's union before its state's)."""
    ancestors = {code for place in touched for code in place.ancestor_pcodes}
    if not ancestors:
        return
    parents = sorted(Place.objects.filter(pcode__in=ancestors), key=lambda p: -p.admin_level)
    boundaries = {b.place_id: b for b in Boundary.objects.filter(place__in=parents)}
    for parent in parents:
        own = boundaries.get(parent.pk)
        if own is not None and not own.derived:
            continue
        children = list(
            Boundary.objects.filter(place__parent=parent).values_list("geometry", flat=True)
        )
        if not children:
            continue
        union = shapely.union_all([shapely.from_geojson(text) for text in children])
        union = _without_slivers(union, tolerance)
        if tolerance > 0:
            union = shapely.simplify(union, tolerance, preserve_topology=True)
        outline = _outline(union, "", attribution)
        outline.derived = True
        _apply(parent, outline, own, result)


def _without_slivers(geometry: BaseGeometry, tolerance: float) -> BaseGeometry:
    """The union of outlines simplified file by file leaves thin gaps where two files' borders
    differ: holes smaller than a few tolerances across are dropped."""
    smallest = (10 * max(tolerance, 1e-6)) ** 2
    polygons = list(getattr(geometry, "geoms", [geometry]))
    kept = []
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area >= smallest]
        kept.append(shapely.Polygon(polygon.exterior, holes))
    if not kept:
        return geometry
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)
