"""Reading boundary files into features: GeoJSON, TopoJSON (its arcs decoded here: no maintained
Python package decodes TopoJSON to GeoJSON) and ESRI shapefiles (.shp or a .zip, with pyshp).
Each feature carries its P-code, its name and its geometry, or the reason it is refused."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapefile
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

# The P-code properties of MIMU and OCHA COD-AB layers, deepest first, with the property that
# holds the unit's English name beside each.
MIMU_PCODE_FIELDS = [("TS_PCODE", "TS"), ("DT_PCODE", "DT"), ("ST_PCODE", "ST")]
ADM_PCODE = re.compile(r"^ADM(\d)_PCODE$", re.IGNORECASE)
NAME_FALLBACKS = ("NAME_EN", "NAME", "name")
# Where a layer gives the unit's name in the local script (MIMU: Myanmar Unicode), by P-code
# property; the gazetteer's own name wins, this only fills one it lacks (MIMU's P-code files
# give no Burmese names above the town and village tract).
LOCAL_NAME_FIELDS = {
    "TS_PCODE": ("TS_MMR4", "TS_MMR"),
    "DT_PCODE": ("DT_MMR4", "DT_MMR"),
    "ST_PCODE": ("ST_MMR4", "ST_MMR", "NAME_MMR4"),
}


class BoundaryFileError(Exception):
    """A whole file cannot be read (not JSON, no P-code property, a projected CRS ...)."""

    def __init__(self, file: str, reason: str):
        self.file, self.reason = file, reason
        super().__init__(f"{file}: {reason}")


@dataclass
class Feature:
    file: str
    number: int  # 1-based, in the file's order
    pcode: str
    name: str
    geometry: BaseGeometry | None
    problem: str = ""  # why it is refused; "" when it is fine
    local_name: str = ""  # the name in the local script, where the layer gives one

    @property
    def label(self) -> str:
        """How messages name it: "MMR002D001 Loikaw" (or the feature's number without a
        P-code)."""
        who = " ".join(part for part in (self.pcode, self.name) if part)
        return who or f"feature {self.number} of {self.file}"


@dataclass
class BoundaryFile:
    name: str
    pcode_field: str
    features: list[Feature]


def read_boundary_file(path: Path, pcode_field: str | None = None) -> BoundaryFile:
    name = path.name
    suffix = path.suffix.lower()
    if suffix in (".shp", ".zip"):
        records, prj = _read_shapefile(path)
    elif suffix in (".json", ".geojson", ".topojson"):
        try:
            data = json.loads(path.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BoundaryFileError(name, f"not JSON ({error})") from error
        records, prj = _read_json(name, data)
    else:
        raise BoundaryFileError(name, "not a GeoJSON, TopoJSON or shapefile (.shp, .zip)")
    if prj is not None and _projected(prj):
        raise BoundaryFileError(
            name,
            f"coordinates are in a projected system ({_crs_name(prj)}), not longitude and "
            "latitude: reproject it to WGS 84 (EPSG:4326) first",
        )
    field, name_field = _pcode_field(name, records, pcode_field)
    features = [
        _feature(name, number, properties, geometry, field, name_field)
        for number, (properties, geometry) in enumerate(records, start=1)
    ]
    for feature, (properties, _geometry) in zip(features, records, strict=True):
        feature.local_name = _local_name(properties, field)
    return BoundaryFile(name, field, features)


def _local_name(properties: dict, pcode_field: str) -> str:
    upper = {key.upper(): value for key, value in properties.items()}
    level = ADM_PCODE.match(pcode_field)
    fields = (
        (f"ADM{level.group(1)}_MY",) if level else LOCAL_NAME_FIELDS.get(pcode_field.upper(), ())
    )
    return next((str(upper[f]).strip() for f in fields if str(upper.get(f) or "").strip()), "")


def _feature(file, number, properties, geometry, field, name_field) -> Feature:
    pcode = str(properties.get(field) or "").strip()
    name = str(properties.get(name_field) or "").strip() if name_field else ""
    feature = Feature(file, number, pcode, name, None)
    if not pcode:
        feature.problem = f"no {field}"
        return feature
    if not geometry:
        feature.problem = "no geometry"
        return feature
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError) as error:
        feature.problem = f"unreadable geometry ({error})"
        return feature
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        feature.problem = f"a {geom.geom_type}, not a polygon"
        return feature
    if geom.is_empty:
        feature.problem = "an empty polygon"
        return feature
    west, south, east, north = geom.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        feature.problem = (
            f"coordinates ({west:g}, {south:g}) – ({east:g}, {north:g}) are not longitude and "
            "latitude (a projected system in metres?): reproject it to WGS 84 first"
        )
        return feature
    if not geom.is_valid:
        feature.problem = f"broken geometry: {shapely.is_valid_reason(geom)}"
        return feature
    feature.geometry = geom
    return feature


def _pcode_field(file: str, records, asked: str | None) -> tuple[str, str | None]:
    keys: dict[str, str] = {}  # upper-cased -> as spelled in the file
    for properties, _geometry in records:
        for key in properties:
            keys.setdefault(key.upper(), key)
    if asked:
        if asked.upper() not in keys:
            raise BoundaryFileError(
                file, f"no property {asked} (it has {', '.join(keys.values())})"
            )
        field = keys[asked.upper()]
        stem = field.upper().removesuffix("_PCODE").removesuffix("PCODE")
        candidates = [stem, f"{stem}_EN", f"{stem}_NAME", *NAME_FALLBACKS]
        return field, next((keys[c.upper()] for c in candidates if c.upper() in keys), None)
    for pcode, name in MIMU_PCODE_FIELDS:
        if pcode in keys:
            return keys[pcode], keys.get(name)
    levels = sorted((int(match.group(1)), key) for key in keys if (match := ADM_PCODE.match(key)))
    if levels:
        level, key = levels[-1]
        names = (f"ADM{level}_EN", f"ADM{level}_NAME", f"ADM{level}_REF")
        return keys[key], next((keys[n] for n in names if n in keys), None)
    raise BoundaryFileError(
        file,
        "no P-code property (TS_PCODE, DT_PCODE, ST_PCODE or ADMn_PCODE): name it with "
        "--pcode-field",
    )


# --- GeoJSON and TopoJSON ---------------------------------------------------------------------


def _read_json(file: str, data: Any) -> tuple[list[tuple[dict, Any]], str | None]:
    if not isinstance(data, dict):
        raise BoundaryFileError(file, "not a GeoJSON or TopoJSON object")
    crs = _json_crs(data)
    if data.get("type") == "Topology":
        return _topojson_features(file, data), crs
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
    elif data.get("type") == "Feature":
        features = [data]
    else:
        raise BoundaryFileError(file, "not a GeoJSON FeatureCollection or a TopoJSON Topology")
    return [
        ((f.get("properties") or {}), f.get("geometry")) for f in features if isinstance(f, dict)
    ], crs


def _json_crs(data: dict) -> str | None:
    """The old GeoJSON "crs" member (RFC 7946 dropped it; projected files still carry it)."""
    crs = data.get("crs")
    if isinstance(crs, dict):
        name = (crs.get("properties") or {}).get("name")
        return str(name) if name else None
    return None


def _topojson_features(file: str, topology: dict) -> list[tuple[dict, Any]]:
    arcs = _decoded_arcs(file, topology)
    records = []
    for obj in (topology.get("objects") or {}).values():
        for geometry in _flatten(obj):
            try:
                decoded = _topo_geometry(geometry, arcs)
            except (IndexError, TypeError, ValueError):
                decoded = {"type": "Invalid", "coordinates": []}
            records.append((geometry.get("properties") or {}, decoded))
    return records


def _flatten(obj: dict) -> list[dict]:
    if obj.get("type") == "GeometryCollection":
        return [g for child in obj.get("geometries") or [] for g in _flatten(child)]
    return [obj]


def _decoded_arcs(file: str, topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs in absolute coordinates: with a "transform", positions are quantised and each
    arc's positions after the first are deltas from the one before."""
    transform = topology.get("transform")
    arcs = []
    try:
        for arc in topology.get("arcs") or []:
            if transform:
                (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
                x = y = 0
                points = []
                for position in arc:
                    x += position[0]
                    y += position[1]
                    points.append((x * kx + dx, y * ky + dy))
            else:
                points = [(float(p[0]), float(p[1])) for p in arc]
            arcs.append(points)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise BoundaryFileError(file, f"unreadable TopoJSON arcs ({error!r})") from error
    return arcs


def _ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def _topo_geometry(geometry: dict, arcs) -> dict | None:
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_ring(r, arcs) for r in geometry["arcs"]]}
    if kind == "MultiPolygon":
        return {
            "type": kind,
            "coordinates": [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]],
        }
    if kind is None:
        return None
    return {"type": kind, "coordinates": geometry.get("coordinates", [])}


# --- shapefiles -------------------------------------------------------------------------------


def _read_shapefile(path: Path) -> tuple[list[tuple[dict, Any]], str | None]:
    prj = None
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                prjs = [n for n in archive.namelist() if n.lower().endswith(".prj")]
                if prjs:
                    prj = archive.read(prjs[0]).decode("utf-8", "replace")
        else:
            prj_path = path.with_suffix(".prj")
            if prj_path.exists():
                prj = prj_path.read_text("utf-8", "replace")
        with shapefile.Reader(str(path), encoding="utf-8", encodingErrors="replace") as reader:
            names = [f[0] for f in reader.fields[1:]]
            records = []
            for shape_record in reader.iterShapeRecords():
                properties = dict(zip(names, list(shape_record.record), strict=False))
                geom = shape_record.shape
                interface = geom.__geo_interface__ if geom.shapeType != 0 else None
                records.append((properties, interface))
    except (shapefile.ShapefileException, zipfile.BadZipFile) as error:
        raise BoundaryFileError(path.name, f"not a readable shapefile ({error})") from error
    return records, prj


# --- coordinate systems -----------------------------------------------------------------------

LONGITUDE_LATITUDE = re.compile(r"(CRS84|EPSG:{1,2}4326|EPSG:{1,2}4979)$", re.IGNORECASE)


def _projected(crs: str) -> bool:
    """A .prj's WKT or a GeoJSON crs name that is not longitude/latitude."""
    text = crs.strip()
    if text.upper().startswith(("PROJCS", "PROJCRS")):
        return True
    if text.upper().startswith(("GEOGCS", "GEOGCRS")):
        return False
    return not LONGITUDE_LATITUDE.search(text)


def _crs_name(crs: str) -> str:
    match = re.match(r'\s*\w+\["([^"]+)"', crs)
    return match.group(1) if match else crs.strip()[:80]
