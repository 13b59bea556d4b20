"""Import places from the standard gazetteer CSV files: MIMU P-code releases (towns, village
tracts) and OCHA COD-AB tabular files. Everything is checked before anything is written.

The work is done in memory: files are parsed and checked row by row, the existing places
for the P-codes involved are loaded in a few queries, and the result is written with
bulk_create (level by level, parents first) and bulk_update in one transaction. Several
files given together behave as if imported one after the other, but all or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from django.db import transaction

from .models import Place

MIMU_GAZETTEER = "MIMU P-code 9.6"
COD_GAZETTEER = "OCHA COD-AB"

# People per household used when a figure is given in households; set when the country is
# created, never overwritten (an administrator may have set a better figure since).
# Myanmar: 2014 Population and Housing Census, conventional households.
DEFAULT_HOUSEHOLD_SIZE = {"MMR": Decimal("4.4")}

MYANMAR_NAME_LOCAL = "မြန်မာ"
MYANMAR_STATES = {"Kachin", "Kayah", "Kayin", "Chin", "Mon", "Rakhine", "Shan"}
UNION_TERRITORIES = {"Nay Pyi Taw"}

MIMU_COLUMNS = [
    "SR_Pcode",
    "SR_Name_Eng",
    "District/SAZ_Pcode",
    "District/SAZ_Name_Eng",
    "Tsp_Pcode",
    "Township_Name_Eng",
]
MIMU_TOWN_COLUMNS = ["Town_Pcode", "Town_Name_Eng", "Town_Name_MMR", "Longitude", "Latitude"]
MIMU_VT_COLUMNS = ["VT_Pcode", "Village_Tract_Name_Eng", "Village_Tract_Name_MMR"]

DEEPEST_LEVEL = 4
PCODE_MAX_LENGTH = Place._meta.get_field("pcode").max_length
NAME_MAX_LENGTH = Place._meta.get_field("name_en").max_length
# A P-code ends up inside Place.path, where "/" is the separator.
PCODE_RE = re.compile(r"[A-Za-z0-9_-]+")
COD_PCODE_RE = re.compile(r"ADM(\d+)_PCODE")
COD_LOCAL_NAME_RE = re.compile(r"ADM(\d+)_([A-Z]{2})")
# Zero-width spaces sit at the start of a few Burmese names in MIMU 9.6; they are invisible
# and make "the same name" compare unequal, so they are trimmed along with white space.
EDGE_JUNK_RE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
# SQLite allows 999 variables per query in the versions Django still supports.
QUERY_CHUNK = 900
DESCRIBED = {
    "level": "admin level",
    "parent": "parent",
    "name_en": "name",
    "name_local": "local name",
    "kind": "kind",
    "latitude": "latitude",
    "longitude": "longitude",
}


class Rejection(NamedTuple):
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class GazetteerImportError(Exception):
    """Rows were rejected and --skip-invalid was not given: nothing was written."""

    def __init__(self, rejections: list[Rejection]):
        self.rejections = rejections
        count = len(rejections)
        super().__init__(f"{count} row{'s' if count != 1 else ''} rejected; nothing was imported.")


@dataclass
class FileResult:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    updated_pcodes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.name}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


@dataclass(frozen=True)
class Unit:
    """One place as a row states it. None means "not stated": the row names a place that
    must exist already (an ancestor given by P-code only), or a file without that column."""

    column: str  # the P-code column, for messages
    pcode: str
    level: int
    parent: str | None
    name_en: str | None
    name_local: str | None = None
    kind: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    has_point: bool = False


@dataclass
class Row:
    line: int
    units: list[Unit]  # country first, the row's own unit last


@dataclass
class ParsedFile:
    name: str
    gazetteer: str
    rows: list[Row]
    rejected: list[tuple[int, str]]


@dataclass
class _State:
    """What a place looks like at this point of the import (database plus earlier files)."""

    level: int
    parent: str | None
    name_en: str
    name_local: str
    kind: str
    latitude: Decimal | None
    longitude: Decimal | None
    gazetteer: str
    source: str  # "the database" or the file that introduced it, for messages
    household_size: Decimal | None = None


def import_files(
    paths: Iterable[str | Path], *, skip_invalid: bool = False, dry_run: bool = False
) -> list[FileResult]:
    """Import the files in order. Raises GazetteerImportError, writing nothing, when a row is
    rejected, unless skip_invalid; with dry_run nothing is written either way."""
    parsed = [read_file(Path(path)) for path in paths]
    with transaction.atomic():
        importer = _Importer(parsed)
        results = [importer.apply(file) for file in parsed]
        rejections = [
            Rejection(result.name, line, reason)
            for result in results
            for line, reason in result.rejected
        ]
        if rejections and not skip_invalid:
            raise GazetteerImportError(rejections)
        if not dry_run:
            importer.save()
    return results


# Reading and checking one file ----------------------------------------------------------


def read_file(path: Path) -> ParsedFile:
    """Parse a file into rows of units, rejecting the rows that are wrong on their own
    (checks against other rows and the database come later)."""
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return ParsedFile(name, "", [], [(line, "not UTF-8 text")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return ParsedFile(name, "", [], [(1, "the file is empty (no header row)")])
        layout = _detect_layout(header)
    except (_HeaderError, csv.Error) as error:
        return ParsedFile(name, "", [], [(1, str(error))])

    rows, rejected = [], []
    last_line = reader.line_num
    try:
        for values in reader:
            # A quoted field may span lines: a row is numbered by the line it starts on.
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                reason = f"row has {len(values)} fields, the header has {len(header)}"
                rejected.append((line, reason))
                continue
            units, problems = layout.units(values)
            if problems:
                rejected.append((line, "; ".join(problems)))
            else:
                rows.append(Row(line, units))
    except csv.Error as error:
        rejected.append((last_line + 1, f"unreadable CSV ({error}); the rest of the file skipped"))
    return ParsedFile(name, layout.gazetteer, rows, rejected)


class _HeaderError(Exception):
    pass


def _clean(value: str) -> str:
    return EDGE_JUNK_RE.sub("", value)


def _index(header: list[str]) -> dict[str, int]:
    """Column positions by upper-cased name; the first of duplicated columns wins."""
    index: dict[str, int] = {}
    for position, column in enumerate(header):
        index.setdefault(_clean(column).upper(), position)
    return index


def _detect_layout(header: list[str]):
    index = _index(header)
    if not any(index):
        raise _HeaderError("the header row is blank")
    missing = {
        "MIMU towns": [c for c in MIMU_COLUMNS + MIMU_TOWN_COLUMNS if c.upper() not in index],
        "MIMU village tracts": [
            c for c in MIMU_COLUMNS + MIMU_VT_COLUMNS if c.upper() not in index
        ],
        "OCHA COD-AB": [] if "ADM0_PCODE" in index else ["ADM0_PCODE"],
    }
    if not missing["MIMU towns"]:
        return _MimuLayout(index, town=True)
    if not missing["MIMU village tracts"]:
        return _MimuLayout(index, town=False)
    if not missing["OCHA COD-AB"]:
        return _CodLayout(index)
    raise _HeaderError(
        "unknown layout: "
        + ", ".join(f"not {name} (missing {', '.join(cols)})" for name, cols in missing.items())
    )


def _check_pcode(column: str, code: str, problems: list[str]) -> bool:
    if not code:
        problems.append(f"{column} is blank")
    elif len(code) > PCODE_MAX_LENGTH:
        problems.append(f"{column} {code!r} is longer than {PCODE_MAX_LENGTH} characters")
    elif not PCODE_RE.fullmatch(code):
        problems.append(f"{column} {code!r} is not a P-code (letters, digits, '-' and '_' only)")
    else:
        return True
    return False


def _check_name(column: str, name: str, problems: list[str], *, required: bool = True) -> None:
    if required and not name:
        problems.append(f"{column} is blank")
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(f"{column} is longer than {NAME_MAX_LENGTH} characters")


def _check_under(
    column: str, code: str, parent_column: str, parent: str, problems: list[str]
) -> None:
    if code == parent:
        problems.append(f"{column} {code!r} is the same as {parent_column}")
    elif not code.startswith(parent):
        problems.append(f"{column} {code!r} does not start with {parent_column} {parent!r}")


def _parse_point(
    lat_column: str, lat_text: str, lon_column: str, lon_text: str, problems: list[str]
) -> tuple[Decimal | None, Decimal | None]:
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        blank, given = (lat_column, lon_column) if not lat_text else (lon_column, lat_column)
        problems.append(f"{blank} is blank but {given} is not")
        return None, None
    point = []
    for column, text, limit in ((lat_column, lat_text, 90), (lon_column, lon_text, 180)):
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            problems.append(f"{column} {text!r} is not a number")
        elif not -limit <= value <= limit:
            problems.append(f"{column} {text} is out of range (-{limit} to {limit})")
        else:
            # The column keeps six decimals (about 0.1 m), more than any gazetteer gives.
            point.append(value.quantize(Decimal("0.000001")))
            continue
        point.append(None)
    return point[0], point[1]


class _MimuLayout:
    """A MIMU P-code file: every row spells out its state/region, district and township."""

    gazetteer = MIMU_GAZETTEER

    def __init__(self, index: dict[str, int], *, town: bool):
        self.index = index
        self.town = town
        own = MIMU_TOWN_COLUMNS if town else MIMU_VT_COLUMNS
        self.own_columns = own[:3]
        self.kind = "Town" if town else "Village tract"

    def units(self, values: list[str]) -> tuple[list[Unit], list[str]]:
        def get(column: str) -> str:
            return _clean(values[self.index[column.upper()]])

        problems: list[str] = []
        own_pcode_col, own_name_col, own_local_col = self.own_columns
        pcode_cols = ["SR_Pcode", "District/SAZ_Pcode", "Tsp_Pcode", own_pcode_col]
        name_cols = ["SR_Name_Eng", "District/SAZ_Name_Eng", "Township_Name_Eng", own_name_col]
        codes = [get(column) for column in pcode_cols]
        names = [get(column) for column in name_cols]
        valid = [
            _check_pcode(col, code, problems) for col, code in zip(pcode_cols, codes, strict=True)
        ]
        for column, name in zip(name_cols, names, strict=True):
            _check_name(column, name, problems)
        local = get(own_local_col)
        _check_name(own_local_col, local, problems, required=False)

        sr, district, township, own = codes
        # What holds for every row of the 9.6 files, checked there: state/region codes start
        # with MMR; district and township codes start with the state/region code (a township
        # code does not contain its district's); a town or village tract code starts with its
        # township's, except the three capital cities (Yangon, Mandalay, Nay Pyi Taw), which
        # span several townships and are coded <state/region>000777.
        if valid[0] and not sr.startswith("MMR"):
            problems.append(f"SR_Pcode {sr!r} does not start with MMR")
        if valid[0] and valid[1]:
            _check_under("District/SAZ_Pcode", district, "SR_Pcode", sr, problems)
        if valid[0] and valid[2]:
            _check_under("Tsp_Pcode", township, "SR_Pcode", sr, problems)
        if valid[2] and valid[3] and not (self.town and own == f"{sr}000777"):
            _check_under(own_pcode_col, own, "Tsp_Pcode", township, problems)

        latitude = longitude = None
        if self.town:
            latitude, longitude = _parse_point(
                "Latitude", get("Latitude"), "Longitude", get("Longitude"), problems
            )
        if problems:
            return [], problems
        sr_name, district_name, township_name, own_name = names
        return [
            Unit("SR_Pcode", sr[:3], 0, None, "Myanmar", MYANMAR_NAME_LOCAL, ""),
            Unit("SR_Pcode", sr, 1, sr[:3], sr_name, None, _state_kind(sr_name)),
            Unit("District/SAZ_Pcode", district, 2, sr, district_name, None,
                 _district_kind(district_name)),
            Unit("Tsp_Pcode", township, 3, district, township_name, None, "Township"),
            Unit(own_pcode_col, own, 4, township, own_name, local, self.kind,
                 latitude, longitude, has_point=self.town),
        ], []  # fmt: skip


def _state_kind(name: str) -> str:
    # "Shan (South)", "Bago (East)": MIMU splits some states/regions; the base name decides.
    base = name.split("(")[0].strip()
    if base in UNION_TERRITORIES:
        return "Union Territory"
    return "State" if base in MYANMAR_STATES else "Region"


def _district_kind(name: str) -> str:
    # Only the full words count: "Laukkaing (Kokang SAZ)" and "Mong Maw (Wa SAD)" are
    # districts inside a self-administered area (their MIMU P-codes have D, not S).
    if "Self-Administered Zone" in name:
        return "Self-Administered Zone"
    if "Self-Administered Division" in name:
        return "Self-Administered Division"
    return "District"


class _CodLayout:
    """An OCHA COD-AB tabular file: ADM0_PCODE, ADM0_EN, ... down to the row's own level."""

    gazetteer = COD_GAZETTEER

    def __init__(self, index: dict[str, int]):
        self.index = index
        levels = sorted(int(m[1]) for c in index if (m := COD_PCODE_RE.fullmatch(c)))
        self.deepest = levels[-1]
        if self.deepest > DEEPEST_LEVEL:
            raise _HeaderError(
                f"ADM{self.deepest}_PCODE is deeper than admin level {DEEPEST_LEVEL}, "
                "the deepest the tracker stores"
            )
        gaps = [f"ADM{level}_PCODE" for level in range(self.deepest) if level not in levels]
        if f"ADM{self.deepest}_EN" not in index:
            gaps.append(f"ADM{self.deepest}_EN")
        if gaps:
            raise _HeaderError(f"COD-AB header is missing {', '.join(gaps)}")
        # The local-script name: the first ADMn_XX column whose two letters are not EN.
        self.local: dict[int, str] = {}
        for column in index:
            m = COD_LOCAL_NAME_RE.fullmatch(column)
            if m and m[2] != "EN":
                self.local.setdefault(int(m[1]), column)
        lat = [c for c in ("LAT", "LATITUDE") if c in index]
        lon = [c for c in ("LON", "LONGITUDE") if c in index]
        if bool(lat) != bool(lon):
            given = (lat or lon)[0]
            raise _HeaderError(f"{given} column without a matching {'LON' if lat else 'LAT'}")
        self.point = (lat[0], lon[0]) if lat else None

    def units(self, values: list[str]) -> tuple[list[Unit], list[str]]:
        def get(column: str) -> str:
            return _clean(values[self.index[column]])

        problems: list[str] = []
        units: list[Unit] = []
        codes: list[str | None] = []
        for level in range(self.deepest + 1):
            column = f"ADM{level}_PCODE"
            code = get(column)
            own = level == self.deepest
            codes.append(code if _check_pcode(column, code, problems) else None)
            if codes[level] is None:
                continue
            parent = codes[level - 1] if level else None
            # Myanmar's COD-AB uses MIMU P-codes, where a township's code carries its
            # state/region's but not its district's (MMR002001 is in MMR002D001).
            under = 1 if level == 3 and codes[0] == "MMR" else level - 1
            if level and codes[under]:
                _check_under(column, code, f"ADM{under}_PCODE", codes[under], problems)
            name_column = f"ADM{level}_EN"
            name = get(name_column) if name_column in self.index else ""
            _check_name(name_column, name, problems, required=own)
            local_column = self.local.get(level)
            local = get(local_column) if local_column else None
            if local:
                _check_name(local_column, local, problems, required=False)
            latitude = longitude = None
            if own and self.point:
                lat_col, lon_col = self.point
                latitude, longitude = _parse_point(
                    lat_col, get(lat_col), lon_col, get(lon_col), problems
                )
            if name:
                units.append(
                    Unit(column, code, level, parent, name, local, "", latitude, longitude,
                         has_point=own and self.point is not None)
                )  # fmt: skip
            else:
                # No name: a reference to a place that must exist, in this file or already.
                units.append(Unit(column, code, level, parent, None))
        return (units if not problems else []), problems


# Checking rows against each other and the database, then writing -----------------------


def _stated(unit: Unit) -> dict:
    """The attributes a unit states (a reference states only its level and parent)."""
    stated = {"level": unit.level, "parent": unit.parent}
    if unit.name_en is not None:
        stated["name_en"] = unit.name_en
    if unit.name_local is not None:
        stated["name_local"] = unit.name_local
    if unit.kind is not None:
        stated["kind"] = unit.kind
    if unit.has_point:
        stated["latitude"] = unit.latitude
        stated["longitude"] = unit.longitude
    return stated


def _show(value) -> str:
    if value is None:
        return "none"
    return str(value) if isinstance(value, int) else repr(str(value))


class _Importer:
    def __init__(self, files: list[ParsedFile]):
        pcodes = sorted({unit.pcode for file in files for row in file.rows for unit in row.units})
        self.existing: dict[str, Place] = {}
        for start in range(0, len(pcodes), QUERY_CHUNK):
            chunk = pcodes[start : start + QUERY_CHUNK]
            for place in Place.objects.filter(pcode__in=chunk):
                self.existing[place.pcode] = place
        self.current: dict[str, _State] = {
            pcode: _State(
                level=place.admin_level,
                parent=(place.ancestor_pcodes or [None])[-1],
                name_en=place.name_en,
                name_local=place.name_local,
                kind=place.kind,
                latitude=place.latitude,
                longitude=place.longitude,
                gazetteer=place.gazetteer,
                source="the database",
                household_size=place.default_household_size,
            )
            for pcode, place in self.existing.items()
        }

    def apply(self, file: ParsedFile) -> FileResult:
        """Check the file's rows against each other and the state so far, then fold the
        accepted ones into the state, counting what that changes."""
        result = FileResult(file.name, rejected=list(file.rejected))
        accepted = self._accept(file, result)
        result.rejected.sort()

        merged: dict[str, dict] = {}
        for row in accepted:
            for unit in row.units:
                stated = merged.setdefault(unit.pcode, {})
                stated.update(_stated(unit))
                if unit.name_en is not None:
                    stated["gazetteer"] = file.gazetteer
        # Parents first, so that a new place's parent is known when its children are seen.
        for pcode, stated in sorted(merged.items(), key=lambda item: item[1]["level"]):
            state = self.current.get(pcode)
            if state is None:
                self.current[pcode] = _State(
                    level=stated["level"],
                    parent=stated["parent"],
                    name_en=stated["name_en"],
                    name_local=stated.get("name_local", ""),
                    kind=stated["kind"],
                    latitude=stated.get("latitude"),
                    longitude=stated.get("longitude"),
                    gazetteer=stated["gazetteer"],
                    source=file.name,
                    household_size=(
                        DEFAULT_HOUSEHOLD_SIZE.get(pcode) if stated["level"] == 0 else None
                    ),
                )
                result.created += 1
                continue
            changed = False
            for attribute, value in stated.items():
                if getattr(state, attribute) != value:
                    setattr(state, attribute, value)
                    changed = True
            if changed:
                result.updated += 1
                result.updated_pcodes.append(pcode)
            else:
                result.unchanged += 1
        return result

    def _accept(self, file: ParsedFile, result: FileResult) -> list[Row]:
        # attribute values by P-code, each with the line that first stated it
        seen: dict[str, dict[str, tuple[object, int]]] = {}
        accepted: list[Row] = []
        for row in file.rows:
            problems: list[str] = []
            for unit in row.units:
                problems += self._against_state(unit)
                problems += self._against_file(unit, seen.get(unit.pcode, {}))
            if problems:
                result.rejected.append((row.line, "; ".join(dict.fromkeys(problems))))
                continue
            accepted.append(row)
            for unit in row.units:
                known = seen.setdefault(unit.pcode, {})
                for attribute, value in _stated(unit).items():
                    known.setdefault(attribute, (value, row.line))

        # A P-code given without a name must be a place named in the file or one that exists
        # already. Rejecting a row can take away the only row that named another row's
        # ancestor, hence the loop.
        while True:
            named = {u.pcode for row in accepted for u in row.units if u.name_en is not None}
            still = []
            for row in accepted:
                problems = [
                    problem
                    for unit in row.units
                    if unit.name_en is None and unit.pcode not in named
                    for problem in self._reference(unit)
                ]
                if problems:
                    result.rejected.append((row.line, "; ".join(problems)))
                else:
                    still.append(row)
            if len(still) == len(accepted):
                return accepted
            accepted = still

    def _against_state(self, unit: Unit) -> list[str]:
        state = self.current.get(unit.pcode)
        if state is not None and state.level != unit.level:
            return [
                f"{unit.column} {unit.pcode} is admin level {state.level} in {state.source}, "
                f"not {unit.level}"
            ]
        return []

    def _reference(self, unit: Unit) -> list[str]:
        """Problems with a P-code given without a name that no row of the file names."""
        state = self.current.get(unit.pcode)
        if state is None:
            return [f"unknown parent {unit.column}={unit.pcode}"]
        if state.parent != unit.parent:
            # Only a row that names a place can move it.
            return [
                f"{unit.column} {unit.pcode} is under {state.parent} in {state.source}, "
                f"not under {unit.parent}"
            ]
        return []

    def _against_file(self, unit: Unit, known: dict[str, tuple[object, int]]) -> list[str]:
        differences, first_line = [], None
        for attribute, value in _stated(unit).items():
            if attribute in known and known[attribute][0] != value:
                earlier, line = known[attribute]
                first_line = first_line or line
                differences.append(
                    f"{DESCRIBED[attribute]} {_show(earlier)} there, {_show(value)} here"
                )
        if not differences:
            return []
        return [
            f"{unit.column} {unit.pcode} conflicts with line {first_line}: "
            + ", ".join(differences)
        ]

    def save(self) -> None:
        paths = self._paths()
        created: dict[int, list[Place]] = {}
        # Places to update, grouped by the fields that changed: bulk_update builds a CASE
        # per object and field, which is slow in Python, so it gets only the changed fields.
        changed: dict[tuple[str, ...], list[Place]] = {}
        fields = ["name_en", "name_local", "kind", "latitude", "longitude", "gazetteer"]
        for pcode, state in self.current.items():
            place = self.existing.get(pcode)
            if place is None:
                place = Place(pcode=pcode, admin_level=state.level, path=paths[pcode])
                place.default_household_size = state.household_size
                for name in fields:
                    setattr(place, name, getattr(state, name))
                created.setdefault(state.level, []).append(place)
                continue
            differ = [name for name in fields if getattr(place, name) != getattr(state, name)]
            for name in differ:
                setattr(place, name, getattr(state, name))
            if state.parent != (place.ancestor_pcodes or [None])[-1]:
                differ.append("parent")
            if place.path != paths[pcode]:
                place.path = paths[pcode]
                differ.append("path")
            if differ:
                changed.setdefault(tuple(differ), []).append(place)

        pks = {pcode: place.pk for pcode, place in self.existing.items()}
        for level in sorted(created):
            places = created[level]
            for place in places:
                place.parent_id = pks.get(self.current[place.pcode].parent)
            Place.objects.bulk_create(places, batch_size=500)
            if any(place.pk is None for place in places):  # a backend without RETURNING
                fresh = dict(
                    Place.objects.filter(pcode__in=[p.pcode for p in places]).values_list(
                        "pcode", "pk"
                    )
                )
                for place in places:
                    place.pk = fresh[place.pcode]
            pks.update((place.pcode, place.pk) for place in places)
        for differ, places in changed.items():
            if "parent" in differ:
                for place in places:
                    place.parent_id = pks[self.current[place.pcode].parent]
            Place.objects.bulk_update(places, differ, batch_size=500)
        Place.objects.bulk_update(self._moved_descendants, ["path"], batch_size=500)

    def _paths(self) -> dict[str, str]:
        """The path of every place of the import, and of the places beneath a place that
        changed parent (self._moved_descendants, loaded here)."""
        parents = {pcode: state.parent for pcode, state in self.current.items()}
        moved = [
            place
            for pcode, place in self.existing.items()
            if parents[pcode] != (place.ancestor_pcodes or [None])[-1]
        ]
        beneath: dict[str, Place] = {}
        for place in moved:
            for below in Place.objects.filter(path__startswith=place.path).exclude(pk=place.pk):
                if below.pcode not in parents:
                    beneath[below.pcode] = below
                    parents[below.pcode] = below.ancestor_pcodes[-1]

        paths: dict[str, str] = {}

        def path_of(pcode: str) -> str:
            if pcode not in paths:
                parent = parents[pcode]
                if parent is None:
                    paths[pcode] = f"/{pcode}/"
                elif parent in parents:
                    paths[pcode] = f"{path_of(parent)}{pcode}/"
                else:  # an untouched place whose parent is outside the import
                    paths[pcode] = self.existing[pcode].path
            return paths[pcode]

        for pcode in parents:
            path_of(pcode)
        self._moved_descendants = []
        for pcode, place in beneath.items():
            if place.path != paths[pcode]:
                place.path = paths[pcode]
                self._moved_descendants.append(place)
        return paths
