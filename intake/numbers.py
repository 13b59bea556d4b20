"""Numbers as articles and partners write them, with the words that qualify them: "1,200",
"1.2 million", "twelve", "dozens", "between 30 and 40", "more than 500", Burmese digits
(၁၂၀၀) and common Burmese number words, "၅၀၀ ကျော်" (over 500).

Vague plurals are read as the least they can mean, with "at least": "dozens" is at least 24,
"hundreds" at least 200, "thousands" at least 2,000, "tens of thousands" at least 20,000; "a
dozen" is about 12. A moderator sees the words beside the value and corrects it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reports.burmese import BURMESE_DIGITS
from reports.vocabulary import Qualifier

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "m": 1_000_000, "k": 1000}
# Vague plurals: (least value, qualifier).
VAGUE = {
    "tens of thousands": (20_000, Qualifier.AT_LEAST),
    "hundreds of thousands": (200_000, Qualifier.AT_LEAST),
    "a dozen": (12, Qualifier.APPROXIMATELY),
    "dozens": (24, Qualifier.AT_LEAST),
    "scores": (40, Qualifier.AT_LEAST),
    "hundreds": (200, Qualifier.AT_LEAST),
    "thousands": (2000, Qualifier.AT_LEAST),
}

# Words before a number, and what they make of it.
BEFORE = [
    (r"nearly|almost|about|around|some|approximately|roughly|an estimated|estimated|close to",
     Qualifier.APPROXIMATELY),
    (r"more than|over|at least|upwards of|no fewer than|no less than|in excess of",
     Qualifier.AT_LEAST),
    (r"up to|as many as|fewer than|less than|at most|under", Qualifier.AT_MOST),
]  # fmt: skip

_word = "|".join(sorted(UNITS, key=len, reverse=True))
WORD_NUMBER = rf"(?:{_word})(?:[ -](?:{_word}))?(?: (?:hundred|thousand|million))?"
# Twelve digits at most: a longer run is a code or noise, not a count (and int() refuses
# thousands of digits).
DIGITS = (
    r"(?<![0-9])(?:[0-9]{1,3}(?:,[0-9]{3}){1,3}(?:\.[0-9]{1,3})?"
    r"|[0-9]{1,12}(?:\.[0-9]{1,3})?)(?![0-9])"
)
SCALE = r"(?:\s?(?:million|thousand|hundred)\b|(?<=[0-9])\s?[mk]\b)"
DIGIT_NUMBER = rf"(?:{DIGITS}){SCALE}?"
ONE_NUMBER = rf"(?:{DIGIT_NUMBER}|\b(?:{WORD_NUMBER})\b)"
_before = "|".join(words for words, _ in BEFORE)
_vague = "|".join(sorted(VAGUE, key=len, reverse=True))

ENGLISH = re.compile(
    rf"(?:\b(?P<before>{_before})\s+)?"
    rf"(?:between\s+(?P<low>{ONE_NUMBER})\s+and\s+(?P<high>{ONE_NUMBER})"
    # "30-40", "30 to 40"; "twenty-five" is one number, not a range.
    rf"|(?P<rlow>{DIGIT_NUMBER})(?:\s*[-–—]\s*|\s+to\s+)(?P<rhigh>{DIGIT_NUMBER})"
    rf"|\b(?P<vague>{_vague})\b"
    rf"|(?P<one>{ONE_NUMBER}))",
    re.IGNORECASE,
)

# Burmese: digits (with Western digits too, as partners mix them), number words before a
# classifier, and the qualifiers that follow a number ("ကျော်" over, "ခန့်"/"လောက်" about,
# "နီးပါး" nearly, "အထိ" up to) or precede it ("အနည်းဆုံး" at least).
MY_WORDS = {
    "တစ်": 1, "နှစ်": 2, "သုံး": 3, "လေး": 4, "ငါး": 5, "ခြောက်": 6, "ခုနစ်": 7,
    "ရှစ်": 8, "ကိုး": 9, "ဆယ်": 10,
}  # fmt: skip
MY_SCALES = {"ဆယ်": 10, "ရာ": 100, "ထောင်": 1000, "သောင်း": 10_000, "သိန်း": 100_000}
_my_digit = r"(?<![၀-၉0-9])[၀-၉0-9][၀-၉0-9,]{0,14}(?![၀-၉0-9])"
_my_word = "|".join(sorted(MY_WORDS, key=len, reverse=True))
_my_scale = "|".join(MY_SCALES)
# A Burmese number word counts only before a classifier of people, households or buildings, so
# that "လေး" (four) is not read in "ကလေး" (child).
MY_CLASSIFIER = r"(?=\s?(?:ဦး|ယောက်|လုံး|အိမ်ခြေ|အိမ်|စု|ကျောင်း|ဦးခန့်))"
MY_ONE = rf"(?:{_my_digit}(?:\s?(?:{_my_scale}))?|(?:{_my_word})(?:{_my_scale})?{MY_CLASSIFIER})"
BURMESE = re.compile(
    rf"(?P<before>အနည်းဆုံး\s?)?"
    rf"(?:(?P<rlow>{MY_ONE})\s?(?:-|–|မှ)\s?(?P<rhigh>{MY_ONE})|(?P<one>{MY_ONE}))"
    rf"(?P<after>(?:\s?(?:ဦး|ယောက်|လုံး|အိမ်ခြေ|စု))?\s?(?:ကျော်|ခန့်|လောက်|နီးပါး|အထိ|မက))?"
)
MY_AFTER = {
    "ကျော်": Qualifier.AT_LEAST,
    "မက": Qualifier.AT_LEAST,
    "ခန့်": Qualifier.APPROXIMATELY,
    "လောက်": Qualifier.APPROXIMATELY,
    "နီးပါး": Qualifier.APPROXIMATELY,
    "အထိ": Qualifier.AT_MOST,
}


@dataclass
class Number:
    start: int
    end: int
    value: int | None
    low: int | None
    high: int | None
    qualifier: str
    words: str


def english_value(words: str) -> int | None:
    """ "1,200" -> 1200, "1.2 million" -> 1200000, "twenty-five" -> 25, "two hundred" -> 200."""
    words = words.casefold().strip()
    scale = 1
    match = re.search(r"\s?(million|thousand|hundred|m|k)$", words)
    if match and (match.group(1) in ("million", "thousand", "hundred") or words[0].isdigit()):
        scale = SCALES[match.group(1)]
        words = words[: match.start()].strip()
    if words and words[0].isdigit():
        try:
            return round(float(words.replace(",", "")) * scale)
        except ValueError:
            return None
    total = 0
    for part in re.split(r"[ -]", words):
        if part in UNITS:
            total += UNITS[part]
        elif part in SCALES:
            total = max(total, 1) * SCALES[part]
        elif part:
            return None
    return total * scale


def burmese_value(words: str) -> int | None:
    words = words.replace(" ", "").translate(BURMESE_DIGITS).replace(",", "")
    match = re.fullmatch(rf"(\d+|{_my_word})?({_my_scale})?", words)
    if not match or not (match.group(1) or match.group(2)):
        return None
    first = match.group(1)
    base = int(first) if first and first.isdigit() else MY_WORDS.get(first or "", 1)
    return base * MY_SCALES.get(match.group(2) or "", 1)


def _qualifier(before: str | None) -> str:
    if not before:
        return Qualifier.EXACT
    before = " ".join(before.casefold().split())
    for words, qualifier in BEFORE:
        if re.fullmatch(words, before):
            return qualifier
    return Qualifier.EXACT


def english_numbers(text: str) -> list[Number]:
    found = []
    for match in ENGLISH.finditer(text):
        qualifier = _qualifier(match.group("before"))
        low_words = match.group("low") or match.group("rlow")
        if low_words:
            high_words = match.group("high") or match.group("rhigh")
            low, high = english_value(low_words), english_value(high_words)
            if low is None or high is None or low >= high:
                continue
            found.append(
                Number(match.start(), match.end(), None, low, high, Qualifier.RANGE, match[0])
            )
        elif match.group("vague"):
            value, vague_qualifier = VAGUE[" ".join(match.group("vague").casefold().split())]
            found.append(Number(match.start(), match.end(), value, None, None, vague_qualifier,
                                match[0]))  # fmt: skip
        else:
            value = english_value(match.group("one"))
            if value is None:
                continue
            found.append(Number(match.start(), match.end(), value, None, None, qualifier, match[0]))
    return found


def burmese_numbers(text: str) -> list[Number]:
    found = []
    for match in BURMESE.finditer(text):
        after = (match.group("after") or "").strip()
        qualifier = Qualifier.AT_LEAST if match.group("before") else Qualifier.EXACT
        for word, after_qualifier in MY_AFTER.items():
            if after.endswith(word):
                qualifier = after_qualifier
        end = match.end() if after and after[-1:] != "" and qualifier != Qualifier.EXACT else None
        if match.group("rlow"):
            low, high = burmese_value(match.group("rlow")), burmese_value(match.group("rhigh"))
            if low is None or high is None or low >= high:
                continue
            stop = match.end("rhigh")
            found.append(Number(match.start(), stop, None, low, high, Qualifier.RANGE,
                                text[match.start():stop]))  # fmt: skip
            continue
        value = burmese_value(match.group("one"))
        if value is None:
            continue
        stop = end or match.end("one")
        found.append(
            Number(match.start(), stop, value, None, None, qualifier, text[match.start() : stop])
        )
    return found
