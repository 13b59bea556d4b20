"""Places named in a text, found with the gazetteer's own search (gazetteer.selectors): English
names as capitalised words with or without their unit word ("Mese Township", "Demoso",
"Karenni State"), Burmese names anywhere in the Burmese text ("ဒီးမော့ဆိုမြို့နယ်"). Only words
whose search key is a gazetteer name or alias are looked up, so that a 2,000-word article costs
a few dictionary lookups a word, not a search each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from gazetteer.models import AdminLevel, Place, PlaceAlias, PlaceSearchStamp
from gazetteer.names import (
    ENGLISH_UNIT_WORDS,
    LOCAL_UNIT_WORDS,
    english_key,
    local_key,
    split_unit_word,
)
from gazetteer.selectors import resolve_place, search_places

# "Mese Township", "Pan Tein village", "Loikaw", "Karenni (Kayah) State": up to four
# capitalised words, then an optional unit word.
_units = "|".join(
    sorted((w.replace(" ", r"\s+") for w in ENGLISH_UNIT_WORDS), key=len, reverse=True)
)
ENGLISH_NAME = re.compile(
    rf"\b((?:[A-Z][a-z]+|[A-Z]{{2,}}\b)(?:[ -](?:[A-Z][a-z]+))*)"
    rf"(?:\s+\(?([A-Z][a-z]+)\)?)?"
    rf"(?:\s+((?i:{_units}|village|villages))\b)?"
)
VILLAGE = re.compile(r"^villages?$", re.I)
MY_LETTERS = re.compile(r"[\u1000-\u109f]+")
# Kinds preferred for a bare name that several places share: "Mese" alone is the town.
KIND_ORDER = ["town", "township", "village tract", "district", "state", "region"]
# Words that open a sentence with a capital and are never places.
NOT_NAMES = {
    "the", "a", "an", "on", "in", "at", "of", "and", "but", "since", "more", "over", "from",
    "after", "before", "during", "when", "while", "near", "between", "around", "about",
    "report", "residents", "yesterday", "today", "some", "nearly", "across", "by",
}  # fmt: skip


@dataclass
class Mention:
    start: int
    end: int
    words: str
    place: Place | None  # None: unresolved (a village the gazetteer does not hold)


@lru_cache(maxsize=2)
def _keys(token) -> tuple[frozenset[str], frozenset[str], int]:
    """The gazetteer's English and Burmese search keys, and the longest Burmese key."""
    english, local = set(), set()
    for rows in (
        Place.objects.values_list("search_key", "search_key_local"),
        PlaceAlias.objects.values_list("search_key", "search_key_local"),
    ):
        for key, key_local in rows:
            if key:
                english.add(key)
            if key_local:
                local.add(key_local)
    longest = max((len(k) for k in local), default=0)
    return frozenset(english), frozenset(local), longest


def _token():
    return PlaceSearchStamp.objects.values_list("token", flat=True).first()


@lru_cache(maxsize=4096)
def _place_named(token, words: str) -> Place | None:
    """_best, kept while the gazetteer is unchanged (its stamp, token): an article names the
    same few places again and again, and so do the articles after it."""
    return _best(words)


def _best(words: str) -> Place | None:
    """The one place the words name: the gazetteer's resolve_place when it names one; for a
    bare name several places share, the kind a bare name usually means (the town first)."""
    place, choices = resolve_place(words)
    if place is not None:
        return place
    _name, kinds = split_unit_word(words)
    key = english_key(_name) if not MY_LETTERS.search(_name) else ""
    lkey = local_key(_name) if MY_LETTERS.search(_name) else ""
    exact = [
        match.place
        for match in (choices or search_places(words, limit=10))
        if (key and match.place.search_key == key)
        or (lkey and match.place.search_key_local == lkey)
        or (key and _alias_named(match.place, key))
    ]
    if kinds:
        exact = [p for p in exact if p.kind.casefold() in kinds]
    if not exact:
        return None

    def order(place: Place):
        kind = place.kind.casefold()
        return (KIND_ORDER.index(kind) if kind in KIND_ORDER else 99, place.admin_level)

    return sorted(exact, key=order)[0]


def _alias_named(place: Place, key: str) -> bool:
    return PlaceAlias.objects.filter(place=place, search_key=key).exists()


def english_mentions(text: str) -> list[Mention]:
    token = _token()
    english, _local, _longest = _keys(token)
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
            name, unit = bare, name[len(bare) :].strip()
        if name.casefold() in NOT_NAMES:
            continue
        if second and english_key(second) in english and english_key(name) not in english:
            continue
        if second and english_key(f"{name} ({second})") in english:
            name = f"{name} ({second})"  # "Shadaw (North)": a village tract's whole name
            end = match.end(3) if unit else match.end()
        key = english_key(name)
        if unit and VILLAGE.match(unit):
            place = None
            if key in english:
                words = name
                place = _place_named(token, words)
            found.append(Mention(start, match.end(), text[start : match.end()], place))
            continue
        if key not in english:
            # "Pan Tein" alone is no mention; a longer phrase may end in a place: "Junta Loikaw".
            continue
        words = f"{name} {unit}" if unit else name
        place = _place_named(token, words)
        if place is not None:
            found.append(Mention(start, end, text[start:end], place))
    return found


def burmese_mentions(text: str) -> list[Mention]:
    token = _token()
    _english, local, longest = _keys(token)
    if not longest:
        return []
    found = []
    units = sorted(LOCAL_UNIT_WORDS, key=len, reverse=True)
    for run in MY_LETTERS.finditer(text):
        chars = run.group(0)
        position = 0
        while position < len(chars):
            hit = None
            for size in range(min(longest, len(chars) - position), 1, -1):
                piece = chars[position : position + size]
                if piece in local:
                    hit = piece
                    break
            if not hit:
                position += 1
                continue
            end = position + len(hit)
            unit = next((u for u in units if chars.startswith(u, end)), "")
            words = hit + unit
            place = _place_named(token, words) or _place_named(token, hit)
            if place is not None:
                start = run.start() + position
                found.append(Mention(start, start + len(words), words, place))
            position = end + len(unit)
    return found


def is_state(place: Place | None) -> bool:
    return place is not None and place.admin_level == AdminLevel.STATE


def country() -> Place | None:
    """The country the gazetteer holds (MIMU: Myanmar), for "nationwide" figures."""
    return Place.objects.filter(admin_level=AdminLevel.COUNTRY).order_by("pcode").first()


def clear_caches() -> None:
    """Forget the keys and the places found (for benchmarks and tests; a gazetteer change
    does it by itself, through its stamp)."""
    _keys.cache_clear()
    _place_named.cache_clear()
