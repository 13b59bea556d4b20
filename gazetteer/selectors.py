"""Finding places the way people name them: an English or Burmese name, or a P-code."""

import re
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Case, IntegerField, Q, Value, When

from .models import Boundary, Place, admin_path_label

# "Loikaw Town, Loikaw, Loikaw District, Kayah (MMR002001701)": the label a chosen place
# carries in a form; the P-code in brackets is what the server reads back.
PCODE_IN_LABEL = re.compile(r"\(([A-Za-z]{2,3}[0-9A-Za-z]*)\)\s*$")
LOOKS_LIKE_PCODE = re.compile(r"^[A-Za-z]{3}[0-9][0-9A-Za-z]*$|^[A-Za-z]{3}$")
MAX_QUERY = 100


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    admin_path: str

    @property
    def label(self) -> str:
        return f"{self.admin_path} ({self.place.pcode})"


def admin_paths(places) -> dict[int, str]:
    """Place id -> "Loikaw Town, Loikaw, Loikaw District, Kayah", for many places in one
    query (Place.admin_path_display asks once per place)."""
    places = list(places)
    codes = {code for place in places for code in place.ancestor_pcodes}
    ancestors = {p.pcode: p for p in Place.objects.filter(pcode__in=codes)}
    return {place.pk: admin_path_label(place, ancestors) for place in places}


def _normalise(query) -> str:
    # NUL cannot be stored or searched in PostgreSQL text, and nobody types it.
    return " ".join(str(query or "").replace("\x00", " ").split())[:MAX_QUERY]


def search_places(query, *, limit: int = 20) -> list[PlaceMatch]:
    """Places whose P-code starts with, or whose English or local name contains, the query;
    exact names first, then names that start with it, then larger units first."""
    query = _normalise(query)
    if not query:
        return []
    code = PCODE_IN_LABEL.search(query)
    if code:
        query = code.group(1)
    condition = Q(name_en__icontains=query) | Q(name_local__icontains=query)
    if LOOKS_LIKE_PCODE.match(query):
        condition |= Q(pcode__istartswith=query)
    rank = Case(
        When(Q(pcode__iexact=query), then=Value(0)),
        When(Q(name_en__iexact=query) | Q(name_local=query), then=Value(1)),
        When(Q(name_en__istartswith=query) | Q(name_local__startswith=query), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    places = list(
        Place.objects.filter(condition)
        .annotate(rank=rank)
        .order_by("rank", "admin_level", "name_en", "pcode")[:limit]
    )
    paths = admin_paths(places)
    return [PlaceMatch(place, paths[place.pk]) for place in places]


def resolve_place(text) -> tuple[Place | None, list[PlaceMatch]]:
    """What a person typed into a place box, as (the place, []) when it names exactly one
    place, or (None, the candidates) when it names several or none (an empty list)."""
    text = _normalise(text)
    if not text:
        return None, []
    code = PCODE_IN_LABEL.search(text)
    pcode = code.group(1) if code else text
    exact = Place.objects.filter(pcode__iexact=pcode).first()
    if exact:
        return exact, []
    matches = search_places(text)
    named = [
        m
        for m in matches
        if m.place.name_en.casefold() == text.casefold()
        or m.place.name_local == text
        or m.place.display_name.casefold() == text.casefold()
    ]
    if len(named) == 1:
        return named[0].place, []
    return None, named or matches


class Outline(NamedTuple):
    geometry: str  # GeoJSON text
    min_longitude: float
    min_latitude: float
    max_longitude: float
    max_latitude: float
    attribution: str
    name: str  # the place's display name


def _outlines(boundaries) -> dict[str, Outline]:
    rows = boundaries.order_by("place__path").values_list(
        "place__pcode",
        "geometry",
        "min_longitude",
        "min_latitude",
        "max_longitude",
        "max_latitude",
        "attribution",
        "place__name_en",
        "place__kind",
    )
    return {
        pcode: Outline(*rest, name=Place(name_en=name_en, kind=kind).display_name)
        for pcode, *rest, name_en, kind in rows
    }


def outlines_within(area: Place | None, level: int) -> dict[str, Outline]:
    """P-code -> outline of the places at an admin level inside an area (everywhere when area
    is None) that have one, in gazetteer order. Read from the outlines' side: they are few,
    the places many."""
    boundaries = Boundary.objects.filter(place__admin_level=level)
    if area is not None:
        boundaries = boundaries.filter(place__path__startswith=area.path)
    return _outlines(boundaries)


def outlines_of(pcodes) -> dict[str, Outline]:
    """P-code -> the place's outline (gazetteer.models.Boundary), for those that have one."""
    return _outlines(Boundary.objects.filter(place__pcode__in=list(pcodes)))
