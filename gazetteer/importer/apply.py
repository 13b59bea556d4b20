"""Applying read files to the gazetteer: rows checked against each other and the database, then
written in bulk (parents first) in one transaction, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.db import transaction

from ..models import Place, PlaceSearchStamp
from .layouts import Unit
from .reading import ParsedFile, Row, read_file

# People per household used when a figure is given in households; set when the country is
# created, never overwritten (an administrator may have set a better figure since).
# Myanmar: 2014 Population and Housing Census, conventional households.
DEFAULT_HOUSEHOLD_SIZE = {"MMR": Decimal("4.4")}

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
    # Of those, the places given another parent or level: the totals above them may change.
    moved_pcodes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.name}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


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
        importer = Importer(parsed)
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


class Importer:
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
            changed = {
                attribute
                for attribute, value in stated.items()
                if getattr(state, attribute) != value
            }
            for attribute in changed:
                setattr(state, attribute, stated[attribute])
            if changed:
                result.updated += 1
                result.updated_pcodes.append(pcode)
            else:
                result.unchanged += 1
            if changed & {"parent", "level"}:
                result.moved_pcodes.append(pcode)
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
                place.set_search_keys()  # bulk_create does not call save()
                created.setdefault(state.level, []).append(place)
                continue
            differ = [name for name in fields if getattr(place, name) != getattr(state, name)]
            for name in differ:
                setattr(place, name, getattr(state, name))
            if place.set_search_keys():
                differ += ["search_key", "search_key_local"]
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
        if created or changed or self._moved_descendants:
            PlaceSearchStamp.renew()  # bulk writes do not call Place.save()

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
