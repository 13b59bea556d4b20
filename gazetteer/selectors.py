"""Finding places the way people name them: as the tracker's pages show them ("Loikaw Township",
"Demoso Town", "ဒီးမော့ဆိုမြို့"), with or without the unit word, in another romanisation ("Loi
Kaw", "Dee Maw Soe", "Phruso"), with a small typo, or by P-code."""

import re
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from .models import AdminLevel, Boundary, Place, PlaceAlias, PlaceSearchStamp
from .names import TypedName, literal_names, typed_name, unit_label

# "Loikaw Town, Loikaw, Loikaw District, Kayah (MMR002001701)": the label a chosen place
# carries in a form; the P-code in brackets is what the server reads back.
PCODE_IN_LABEL = re.compile(r"\(([A-Za-z]{2,3}[0-9A-Za-z]*)\)\s*$")
LOOKS_LIKE_PCODE = re.compile(r"^[A-Za-z]{3}[0-9][0-9A-Za-z]*$|^[A-Za-z]{3}$")
PCODE_SHAPED = re.compile(r"^[A-Za-z]{3}[0-9]")
MAX_QUERY = 100

# How well a place matches, best first; places of the kind a typed unit word names ("...
# Township") come first within each.
EXACT_CODE, EXACT_NAME, SAME_KEY, PREFIX, CONTAINS, FUZZY = range(6)
# A typo is looked for only in keys of at least this many letters, and kept above this
# similarity (0 to 1): one letter wrong in five.
FUZZY_MIN_KEY = 3
FUZZY_CUTOFF = 0.75


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    admin_path: str

    @property
    def label(self) -> str:
        return f"{self.admin_path} ({self.place.pcode})"


def _unit_name(place: Place) -> str:
    """ "Demoso Township", "ဒီးမော့ဆိုမြို့": a place's name with the word of its kind, in the
    page's language where the gazetteer has the name in it."""
    if place.name_local and translation.get_language() == settings.GAZETTEER_LOCAL_LANGUAGE:
        return place.local_name
    return unit_label(place.name_en, place.kind)


def kind_paths(places) -> dict[int, str]:
    """Place id -> "Demoso Town, Demoso Township, Loikaw District, Kayah State": every unit of
    the path named with its kind, so that a town, a township and a village tract of the same
    name read apart in a list of choices. One query for many places."""
    places = list(places)
    codes = {code for place in places for code in place.ancestor_pcodes}
    ancestors = {p.pcode: p for p in Place.objects.filter(pcode__in=codes)}
    labels = {}
    for place in places:
        chain = [place] + [ancestors[c] for c in reversed(place.ancestor_pcodes) if c in ancestors]
        names = [_unit_name(unit) for unit in chain if unit.admin_level != AdminLevel.COUNTRY]
        labels[place.pk] = ", ".join(names) or _unit_name(place)
    return labels


def _normalise(query) -> str:
    # NUL cannot be stored or searched in PostgreSQL text, and nobody types it.
    return " ".join(str(query or "").replace("\x00", " ").split())[:MAX_QUERY]


class _Ranked(NamedTuple):
    match: PlaceMatch
    rank: int
    other_kind: bool  # a unit word was typed and this place is of another kind


def _kind_q(kinds) -> Q:
    condition = Q()
    for kind in kinds:
        condition |= Q(kind__iexact=kind)
    return condition


class _Index(NamedTuple):
    """What the search compares typed text with, for every place, held in memory: matching
    15,000 keys in Python and rapidfuzz takes a few milliseconds, where the same as SQL LIKE
    scans takes a hundred on SQLite."""

    token: object
    pks: list[int]
    keys: list[str]
    local_keys: list[str]
    rows: dict[int, tuple]  # pk -> (admin_level, kind casefolded, name_en, name_local, pcode)
    by_key: dict[str, list[int]]
    aliases: dict[int, set[str]]  # pk -> its aliases as typed_name reads them (literal)


_index_cache: _Index | None = None


def _index() -> _Index:
    """The index, rebuilt when the gazetteer's stamp shows that places changed since."""
    global _index_cache
    token = PlaceSearchStamp.objects.values_list("token", flat=True).first()
    if _index_cache is not None and _index_cache.token == token:
        return _index_cache
    pks, keys, local_keys, rows = [], [], [], {}
    by_key: dict[str, list[int]] = {}
    fields = ("pk", "search_key", "search_key_local", "admin_level", "kind", "name_en")
    for pk, key, local, level, kind, name_en, name_local, pcode in Place.objects.values_list(
        *fields, "name_local", "pcode"
    ).order_by("pk"):
        pks.append(pk)
        keys.append(key)
        local_keys.append(local)
        rows[pk] = (level, kind.casefold(), name_en, name_local, pcode)
        if key:
            by_key.setdefault(key, []).append(pk)
        if local:  # Burmese: never equal to a Latin key
            by_key.setdefault(local, []).append(pk)
    # Aliases are more keys of their place: the lists may hold a place more than once.
    aliases: dict[int, set[str]] = {}
    for pk, key, local, name in PlaceAlias.objects.values_list(
        "place_id", "search_key", "search_key_local", "name"
    ).order_by("pk"):
        pks.append(pk)
        keys.append(key)
        local_keys.append(local)
        for k in {key, local} - {""}:
            by_key.setdefault(k, []).append(pk)
        aliases.setdefault(pk, set()).add(typed_name(name).literal)
    _index_cache = _Index(token, pks, keys, local_keys, rows, by_key, aliases)
    return _index_cache


def _fuzzy(index: _Index, typed: TypedName) -> dict[int, float]:
    """Places whose keys are a small typo away from the typed ones, scored by rapidfuzz in C:
    the better of the edit similarity counting a swap of two letters as one edit (OSA: "Hpurso"
    for "Hpruso") and the one counting letters put in or left out (Indel)."""
    scores: dict[int, float] = {}
    for key, keys in ((typed.key, index.keys), (typed.local_key, index.local_keys)):
        if len(key) < FUZZY_MIN_KEY:
            continue
        for scorer in (OSA.normalized_similarity, Indel.normalized_similarity):
            for _, score, position in process.extract(
                key, keys, scorer=scorer, score_cutoff=FUZZY_CUTOFF, limit=None
            ):
                pk = index.pks[position]
                scores[pk] = max(scores.get(pk, 0.0), score)
    return scores


def _namesakes(typed: TypedName, exact: list[int]) -> list[int]:
    """MIMU gives Burmese names to towns and village tracts, not to the townships and districts
    named after them: "လွိုင်ကော်မြို့နယ်" is the township of the same English name as the
    town လွိုင်ကော်. Only when the unit word is typed, so that a bare name stays the town's."""
    if not (typed.local_key and typed.kinds):
        return []
    named = list(Place.objects.filter(pk__in=exact, search_key_local=typed.local_key))
    codes = {code for place in named for code in place.ancestor_pcodes}
    keys = {place.search_key for place in named}
    return list(
        Place.objects.filter(
            _kind_q(typed.kinds), pcode__in=codes, search_key__in=keys
        ).values_list("pk", flat=True)
    )


def _within(places: list[Place], context: list[TypedName]) -> list[Place]:
    """The places that lie within every area named after the first comma: "Demoso, Kayah"."""
    codes = {code for place in places for code in place.ancestor_pcodes}
    ancestors = {p.pcode: p for p in Place.objects.filter(pcode__in=codes)}

    def named(area: Place, typed: TypedName) -> bool:
        return bool(
            (typed.key and area.search_key == typed.key)
            or (typed.local_key and area.search_key_local == typed.local_key)
        ) and (not typed.kinds or area.kind.casefold() in typed.kinds)

    return [
        place
        for place in places
        if all(
            any(named(ancestors[c], typed) for c in place.ancestor_pcodes if c in ancestors)
            for typed in context
        )
    ]


def _pcodes_from(code: str):
    """Places whose P-code starts with code, as a range the P-code's index answers (LIKE is a
    scan of every place on SQLite). P-codes are upper case in MIMU and COD-AB files."""
    return Place.objects.filter(pcode__gte=code, pcode__lt=code + "\U0010ffff")


def _search(query, limit: int) -> list[_Ranked]:
    text = _normalise(query)
    if not text:
        return []
    code = PCODE_IN_LABEL.search(text)
    if code:
        text = code.group(1)
    name, *areas = [part for part in text.split(",") if part.strip()] or [""]
    typed = typed_name(name)
    context = [typed_name(area) for area in areas]
    found: dict[int, tuple[int, float]] = {}  # place id -> (rank, similarity)

    def add(pk: int, rank: int, similarity: float = 1.0) -> None:
        if pk not in found or (rank, -similarity) < (found[pk][0], -found[pk][1]):
            found[pk] = (rank, similarity)

    if LOOKS_LIKE_PCODE.match(text):
        codes = _pcodes_from(text.upper()).order_by("admin_level", "pcode")
        for pk, pcode in codes.values_list("pk", "pcode")[:limit]:
            add(pk, EXACT_CODE if pcode.casefold() == text.casefold() else PREFIX)

    index = _index()
    # "MMR002001" is a P-code, never a name: the names' scan and typo search are skipped.
    if (typed.key or typed.local_key) and not PCODE_SHAPED.match(text):
        exact = [pk for k in {typed.key, typed.local_key} - {""} for pk in index.by_key.get(k, [])]
        for pk in exact:
            _, kind, name_en, name_local, _ = index.rows[pk]
            literal = typed.literal in literal_names(name_en, name_local, kind) or (
                typed.literal in index.aliases.get(pk, ())
            )
            add(pk, EXACT_NAME if literal else SAME_KEY)
        for pk in _namesakes(typed, exact):
            add(pk, EXACT_NAME)
        for typed_key, keys in ((typed.key, index.keys), (typed.local_key, index.local_keys)):
            if not typed_key:
                continue
            for position, key in enumerate(keys):
                if typed_key in key:
                    add(index.pks[position], PREFIX if key.startswith(typed_key) else CONTAINS)
        if context or len(found) < limit:  # else typos could not reach the list
            for pk, similarity in _fuzzy(index, typed).items():
                add(pk, FUZZY, similarity)

    def order(pk: int):
        rank, similarity = found[pk]
        level, kind, name_en, _, pcode = index.rows.get(pk, (0, "", "", "", ""))
        other_kind = bool(typed.kinds) and kind not in typed.kinds
        return (rank, other_kind, -similarity, level, name_en, pcode)

    # Enough to fill the list after the places outside the areas named are left out.
    best = sorted(found, key=order)[: limit if not context else max(limit * 20, 500)]
    places_by_pk = Place.objects.in_bulk(best)
    places = [places_by_pk[pk] for pk in best if pk in places_by_pk]
    if context:
        places = _within(places, context)
    places = places[:limit]
    paths = kind_paths(places)
    return [
        _Ranked(PlaceMatch(place, paths[place.pk]), *order(place.pk)[:2])  # type: ignore[arg-type]
        for place in places
    ]


def search_places(query, *, limit: int = 20) -> list[PlaceMatch]:
    """Places matching what was typed, best first: the P-code, then the exact name in any of its
    forms, then a variant spelling of it, names that start with it, names that contain it, and
    names a small typo away, most similar first; among equals the kind of unit typed ("...
    Town") first, then larger units. Each labelled with its kind and path."""
    return [ranked.match for ranked in _search(query, limit)]


def resolve_place(text) -> tuple[Place | None, list[PlaceMatch]]:
    """What a person typed into a place box, as (the place, []) when it names exactly one
    place, or (None, the candidates) when it names several or none (an empty list). A name
    with its unit word ("Loikaw Township") names only places of that kind."""
    text = _normalise(text)
    if not text:
        return None, []
    code = PCODE_IN_LABEL.search(text)
    pcode = code.group(1) if code else text
    exact = Place.objects.filter(pcode=pcode.upper()).first()
    if exact:
        return exact, []
    ranked = _search(text, 20)
    named = [r.match for r in ranked if r.rank <= SAME_KEY and not r.other_kind]
    if len(named) == 1:
        return named[0].place, []
    return None, named or [r.match for r in ranked]


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
