"""Place names reduced to search keys, so that the ways people write a name meet: "Loi Kaw",
"Loikaw" and "LOIKAW" share the key "loiko"; "Dee Maw Soe" and "Demoso" share "demoso". Pure
functions, no database: the model stores the keys (Place.search_key, search_key_local) and the
selectors reduce what was typed the same way."""

import re
import unicodedata
from typing import NamedTuple

# The unit words a name may carry, as the tracker's pages write them (Place.english_name,
# Place.local_name) and as people shorten them, with the kinds of unit (Place.kind, casefolded)
# they name. Longest first, so that "village tract" wins over "tract" and မြို့နယ် over မြို့.
ENGLISH_UNIT_WORDS: dict[str, frozenset[str]] = {
    "self administered division": frozenset({"self-administered division"}),
    "self administered zone": frozenset({"self-administered zone"}),
    "union territory": frozenset({"union territory"}),
    "village tract": frozenset({"village tract"}),
    "township": frozenset({"township"}),
    "district": frozenset({"district"}),
    "region": frozenset({"region"}),
    "state": frozenset({"state"}),
    "town": frozenset({"town"}),
    "tsp": frozenset({"township"}),
    "vt": frozenset({"village tract"}),
    "sad": frozenset({"self-administered division"}),
    "saz": frozenset({"self-administered zone"}),
}
LOCAL_UNIT_WORDS: dict[str, frozenset[str]] = {
    "ကိုယ်ပိုင်အုပ်ချုပ်ခွင့်ရဒေသ": frozenset({"self-administered zone", "self-administered division"}),
    "ကျေးရွာအုပ်စု": frozenset({"village tract"}),
    "တိုင်းဒေသကြီး": frozenset({"region"}),
    "ပြည်ထောင်စုနယ်မြေ": frozenset({"union territory"}),
    "ပြည်နယ်": frozenset({"state"}),
    "မြို့နယ်": frozenset({"township"}),
    "ခရိုင်": frozenset({"district"}),
    "တိုင်း": frozenset({"region"}),
    "မြို့": frozenset({"town"}),
}
# The word each kind carries in English labels ("Bu Khu Village Tract").
UNIT_LABEL = {
    "state": "State",
    "region": "Region",
    "union territory": "Union Territory",
    "district": "District",
    "township": "Township",
    "town": "Town",
    "village tract": "Village Tract",
}

MYANMAR_LETTERS = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")
# Invisible characters MIMU and phone keyboards leave inside Burmese names.
INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
NOT_LATIN_OR_DIGIT = re.compile(r"[^a-z0-9]+")
# Romanisations of Burmese and Karenni names differ in aspiration (Hpruso, Phruso), in how a
# vowel is spelt (Maw/Mo, Soe/So, Ywar/Ywa, Dee/De) and in doubled letters; each variant is
# brought to one spelling. Applied in order, on the name without spaces.
SPELLING_RULES = [
    (re.compile(r"hp|ph"), "p"),
    (re.compile(r"hk|kh"), "k"),
    (re.compile(r"ht|th"), "t"),
    (re.compile(r"hs"), "s"),
    (re.compile(r"aw|au"), "o"),
    (re.compile(r"oe|oo|ou"), "o"),
    (re.compile(r"ar(?![aeiou])"), "a"),
    (re.compile(r"(.)\1+"), r"\1"),
]


class TypedName(NamedTuple):
    """What a person typed, reduced: the name's keys and the kinds of unit it said, if any."""

    key: str  # the Latin-script key ("" when nothing Latin was typed)
    local_key: str  # the Burmese-script key
    kinds: frozenset[str]  # casefolded Place.kind values the unit word names; empty: none said
    literal: str  # the name without its unit word, casefolded, single-spaced


def _fold(text: str) -> str:
    if MYANMAR_LETTERS.search(text):  # Burmese vowel signs are combining marks: keep them
        return unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def english_key(name: str) -> str:
    """ "Dee Maw Soe" -> "demoso": lower case, no accents, spaces or punctuation, one spelling
    for the common romanisation variants."""
    key = NOT_LATIN_OR_DIGIT.sub("", _fold(name))
    for pattern, replacement in SPELLING_RULES:
        key = pattern.sub(replacement, key)
    return key


def local_key(name: str) -> str:
    """A Burmese name without the spaces and invisible characters people type or omit at will;
    ဦ typed as ဥ + ီ becomes the one letter."""
    name = unicodedata.normalize("NFC", name).replace("\u1025\u102e", "\u1026")
    return INVISIBLE.sub("", "".join(c for c in name if MYANMAR_LETTERS.match(c) or c.isalnum()))


def split_unit_word(text: str) -> tuple[str, frozenset[str]]:
    """ "Loikaw Township" -> ("Loikaw", {"township"}); "လွိုင်ကော်မြို့" -> ("လွိုင်ကော်", {"town"}).
    A unit word alone is a name, not a unit ("Town" stays "Town")."""
    text = " ".join(text.split())
    # "Self-Administered Zone", "Tsp.": hyphens and full stops part words here.
    parts = text.replace("-", " ").replace(".", " ").split()
    words = [_fold(part) for part in parts]
    for unit, kinds in ENGLISH_UNIT_WORDS.items():
        size = len(unit.split())
        if len(words) > size and " ".join(words[-size:]) == unit:
            return " ".join(parts[:-size]), kinds
    squeezed = INVISIBLE.sub("", text)
    for unit, kinds in LOCAL_UNIT_WORDS.items():
        if squeezed.endswith(unit) and len(squeezed) > len(unit):
            return squeezed[: -len(unit)], kinds
    return text, frozenset()


def typed_name(text: str) -> TypedName:
    name, kinds = split_unit_word(text)
    local = local_key(name) if MYANMAR_LETTERS.search(name) else ""
    return TypedName(english_key(name), local, kinds, _fold(" ".join(name.split())))


def place_keys(name_en: str, name_local: str, kind: str) -> tuple[str, str]:
    """The keys a place is found by: its names without the word of its own kind ("Demoso Town"
    is found as "demoso" with the kind town; MIMU's "ကယားပြည်နယ်" as "ကယား")."""
    own = kind.casefold()
    english, kinds = split_unit_word(name_en)
    if own not in kinds:
        english = name_en
    local, kinds = split_unit_word(name_local)
    if own not in kinds:
        local = name_local
    return english_key(english), local_key(local)


def literal_names(name_en: str, name_local: str, kind: str) -> set[str]:
    """The place's names as written, casefolded and without the word of its own kind: a name
    typed exactly so ranks above one that only shares its key (a variant spelling)."""
    names = set()
    for name in (name_en, name_local):
        if not name:
            continue
        bare, kinds = split_unit_word(name)
        names.add(_fold(" ".join(name.split())))
        if kind.casefold() in kinds:
            names.add(_fold(" ".join(bare.split())))
    return names


def unit_label(name_en: str, kind: str) -> str:
    """ "Demoso" + "Township" -> "Demoso Township": an English name with its unit word, unless it
    carries it already ("Demoso Town") or the kind has none (a country)."""
    word = UNIT_LABEL.get(kind.casefold())
    if not word or _fold(name_en).endswith(word.casefold()):
        return name_en
    return f"{name_en} {word}"
