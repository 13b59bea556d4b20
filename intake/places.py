"""Places named in a text, found by the gazetteer's own search keys (gazetteer.names): English
names as capitalised words with or without their unit word ("Mese Township", "Demoso",
"Karenni State", "Shadaw (North) village tract"), Burmese names where a syllable starts
("ဒီးမော့ဆိုမြို့နယ်တွင်"). The keys of every place and alias are held in memory while the
gazetteer's stamp is unchanged, so that a 2,000-word article costs dictionary lookups, not a
search a word.

A bare name several places share is read as people read it: the town first, then the
township, village tract, district, state; places in the deployment's own area
(TRACKER_OFFLINE_PLACES_ROOT) before others. A village tract outside that area is taken only
with its unit word, so that a capitalised word in an article does not become a village tract
across the country."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from gazetteer.models import AdminLevel, Place, PlaceAlias, PlaceSearchStamp
from gazetteer.names import (
    ENGLISH_UNIT_WORDS,
    LOCAL_UNIT_WORDS,
    english_key,
    local_key,
    split_unit_word,
)

# "Mese Township", "Pan Tein village", "Loikaw", "Karenni (Kayah) State": capitalised words,
# an optional word in brackets, then an optional unit word.
_units = "|".join(
    sorted((w.replace(" ", r"\s+") for w in ENGLISH_UNIT_WORDS), key=len, reverse=True)
)
ENGLISH_NAME = re.compile(
    rf"\b((?:[A-Z][a-z]{{1,30}}|[A-Z]{{2,12}}\b)(?:[ -](?:[A-Z][a-z]{{1,30}})){{0,5}})"
    rf"(?:\s+\(?([A-Z][a-z]{{1,30}})\)?)?"
    rf"(?:\s+((?i:{_units}|village|villages))\b)?"
)
VILLAGE = re.compile(r"^villages?$", re.I)
MY_LETTERS = re.compile(r"[\u1000-\u109f]+")
# A Burmese syllable starts at a consonant or an independent vowel that is not a final (asat)
# or the lower half of a stacked pair.
MY_SYLLABLE_START = re.compile(r"(?<!\u1039)[\u1000-\u102a](?![\u103a\u1039])")
# What follows a Burmese place name: its unit word, or a particle (in, at, from, of, to...).
MY_AFTER_NAME = ("တွင်", "၌", "မှ", "ရှိ", "သို့", "၏", "ကို", "နှင့်", "ဘက်", "အနီး", "၊", "။", " ")
MY_MIN_BARE = 4  # letters of a Burmese name taken without its unit word
PREFIX = 3  # Burmese keys are looked up by their first three letters (shorter ones whole)
KIND_ORDER = ["town", "township", "village tract", "district", "state", "region"]
# Capitalised words that open a phrase and are never part of a place's name.
NOT_NAMES = {
    "the", "a", "an", "on", "in", "at", "of", "and", "but", "since", "more", "over", "from",
    "after", "before", "during", "when", "while", "near", "between", "around", "about",
    "report", "residents", "yesterday", "today", "some", "nearly", "across", "by", "last",
}  # fmt: skip


@dataclass(frozen=True)
class Found:
    """A place as the extractor needs it."""

    pk: int
    pcode: str
    kind: str  # casefolded
    admin_level: int
    ancestor_pcodes: tuple[str, ...]
    key: str


@dataclass
class Mention:
    start: int
    end: int
    words: str
    place: Found | None  # None: unresolved (a village the gazetteer does not hold)


@dataclass
class _Index:
    english: dict[str, list[Found]]
    local: dict[str, list[Found]]
    by_prefix: dict[str, list[str]]  # Burmese keys by their first letters, longest first
    country: Found | None


def _found(pk, pcode, kind, level, path, key) -> Found:
    ancestors = tuple(code for code in path.strip("/").split("/") if code and code != pcode)
    return Found(pk, pcode, kind.casefold(), level, ancestors, key)


@lru_cache(maxsize=2)
def _index(token) -> _Index:
    english: dict[str, list[Found]] = {}
    local: dict[str, list[Found]] = {}
    by_pk: dict[int, Found] = {}
    country = None
    rows = Place.objects.values_list(
        "pk", "pcode", "kind", "admin_level", "path", "search_key", "search_key_local"
    )
    for pk, pcode, kind, level, path, key, key_local in rows.iterator(chunk_size=5000):
        place = _found(pk, pcode, kind, level, path, key)
        by_pk[pk] = place
        if level == AdminLevel.COUNTRY and country is None:
            country = place
        if key:
            english.setdefault(key, []).append(place)
        if key_local:
            local.setdefault(key_local, []).append(place)
    for place_id, key, key_local in PlaceAlias.objects.values_list(
        "place_id", "search_key", "search_key_local"
    ):
        if place_id in by_pk:
            if key:
                english.setdefault(key, []).append(by_pk[place_id])
            if key_local:
                local.setdefault(key_local, []).append(by_pk[place_id])
    by_prefix: dict[str, list[str]] = {}
    for key in local:
        by_prefix.setdefault(key[:PREFIX], []).append(key)
    for keys in by_prefix.values():
        keys.sort(key=len, reverse=True)
    return _Index(english, local, by_prefix, country)


def _current() -> _Index:
    return _index(PlaceSearchStamp.objects.values_list("token", flat=True).first())


def _home(place: Found) -> bool:
    root = settings.TRACKER_OFFLINE_PLACES_ROOT
    return place.pcode == root or root in place.ancestor_pcodes


def _namesakes(index: _Index, places: list[Found], kinds: frozenset[str]) -> list[Found]:
    """MIMU names towns and village tracts in Burmese, not the townships named after them:
    "ဒီးမော့ဆိုမြို့နယ်" is the township above the town ဒီးမော့ဆို, of the same English name."""
    found = []
    for place in places:
        for candidate in index.english.get(place.key, []):
            if candidate.kind in kinds and candidate.pcode in place.ancestor_pcodes:
                found.append(candidate)
    return found


def resolve(index: _Index, name: str, kinds: frozenset[str], local: bool) -> Found | None:
    """The place a name (without its unit word) and the kinds its unit word said name."""
    places = list(index.local.get(local_key(name), [])) if local else []
    places += index.english.get(english_key(name), []) if not local else []
    if kinds:
        of_kind = [p for p in places if p.kind in kinds] or _namesakes(index, places, kinds)
        places = of_kind
    else:
        # Without a unit word, a village tract only in the deployment's own area.
        places = [p for p in places if p.kind != "village tract" or _home(p)]
    if not places:
        return None

    def order(place: Found):
        kind = KIND_ORDER.index(place.kind) if place.kind in KIND_ORDER else 99
        return (not _home(place), kind, place.admin_level, place.pcode)

    return min(places, key=order)


def english_mentions(text: str) -> list[Mention]:
    index = _current()
    found = []
    for match in ENGLISH_NAME.finditer(text):
        name, second, unit = match.group(1), match.group(2), match.group(3)
        start = match.start()
        while " " in name and name.split(" ", 1)[0].casefold() in NOT_NAMES:
            skipped, name = name.split(" ", 1)  # "In Loikaw Township": the name after "In"
            start += len(skipped) + 1
        end = match.end(3) if unit else match.end(1)
        bare, kinds = split_unit_word(name)
        if kinds and not unit:  # "Demoso Township": the capitalised unit word was read as a name
            name = bare
        elif unit and not VILLAGE.match(unit):
            kinds = split_unit_word(f"{name} {unit}")[1]
        if name.casefold() in NOT_NAMES:
            continue
        if second and english_key(f"{name} ({second})") in index.english:
            name = f"{name} ({second})"  # "Shadaw (North)": a village tract's whole name
            end = match.end(3) if unit else match.end()
        elif (
            second
            and english_key(second) in index.english
            and english_key(name) not in index.english
        ):
            continue  # "Karenni (Kayah)": the name in brackets is read on its own
        if unit and VILLAGE.match(unit):
            place = resolve(index, name, frozenset(), local=False)
            found.append(Mention(start, match.end(), text[start : match.end()], place))
            continue
        place = resolve(index, name, kinds, local=False)
        if place is not None:
            found.append(Mention(start, end, text[start:end], place))
    return found


def burmese_mentions(text: str) -> list[Mention]:
    index = _current()
    found = []
    units = sorted(LOCAL_UNIT_WORDS, key=len, reverse=True)
    for run in MY_LETTERS.finditer(text):
        chars = run.group(0)
        next_free = 0
        for syllable in MY_SYLLABLE_START.finditer(chars):
            position = syllable.start()
            if position < next_free:
                continue
            keys = index.by_prefix.get(chars[position : position + PREFIX], [])
            short = index.by_prefix.get(chars[position : position + 2], [])  # two-letter names
            for key in keys + short:
                if not chars.startswith(key, position):
                    continue
                end = position + len(key)
                unit = next((u for u in units if chars.startswith(u, end)), "")
                following = text[run.start() + end : run.start() + end + 4]
                if not unit and (
                    len(key) < MY_MIN_BARE
                    or not following.startswith(MY_AFTER_NAME)
                    and end < len(chars)
                ):
                    continue
                kinds = LOCAL_UNIT_WORDS[unit] if unit else frozenset()
                place = resolve(index, key, kinds, local=True)
                if place is None:
                    continue
                start = run.start() + position
                words = key + unit
                found.append(
                    Mention(start, start + len(words), text[start : start + len(words)], place)
                )
                next_free = end + len(unit)
                break
    return found


def country() -> Found | None:
    """The country the gazetteer holds (MIMU: Myanmar), for "nationwide" figures."""
    return _current().country


def clear_caches() -> None:
    """Forget the index (for benchmarks and tests; a gazetteer change does it by itself,
    through its stamp)."""
    _index.cache_clear()
