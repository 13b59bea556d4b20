"""The extractor: candidate figures from an article or a partner's account, by hand rules a
moderator can follow (docs/intake.md). Each number is read with the words around it: what
happened to whom (the metric, or combatants, left out with the reason), the place named
nearest (sentence, then paragraph, then the article's main place), the dates of the sentence or
its paragraph, the cause, who the text says did it, and who the text says counted it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from reports.vocabulary import Cause, Metric, SourceType, Unit

from . import places as place_search
from .candidates import Candidate, Extraction
from .errors import IntakeInputError
from .numbers import Number, burmese_numbers, english_numbers
from .spans import Span, days_named, find_span

MYANMAR = re.compile(r"[\u1000-\u109f]")
LATIN = re.compile(r"[A-Za-z]")
CJK_OR_OTHER = re.compile(
    r"[\u0400-\u04ff\u0590-\u06ff\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)

# Sentences: English ends at . ! ? followed by a space and a capital, a digit or a quote;
# Burmese at ။ (and ၊ is only a comma). Paragraphs at blank lines or line breaks.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9\u1000-\u109f])|(?<=။)\s*|\n+")
ABBREVIATION = re.compile(
    r"\b(?:Nov|Dec|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Col|Gen|Lt|Maj|Capt|Dr|Mr|Mrs|Ms|No|St|U\.N|U\.S|approx|Tsp|Sr|Jr)\.$"
)

# --- What a number counts: the words right after it (English) or around it (Burmese). --------
PEOPLE = r"(?:civilians?|people|persons?|residents?|villagers?|children|child|women|men|girls?|boys?|students?|teachers?|farmers?|elderly|IDPs?|refugees?|individuals?|inhabitants|locals|family members|worshippers|patients|monks?|nuns?|victims?|internally displaced)"
HOUSEHOLDS = r"(?:households?|families|family)"
HOMES = r"(?:houses?|homes?|buildings?|dwellings?|residences?|structures?|shops?|huts?)"
SCHOOLS = r"(?:schools?)"
RELIGIOUS = r"(?:churche?s?|monaster(?:y|ies)|temples?|mosques?|pagodas?|religious buildings?)"
HEALTH = r"(?:hospitals?|clinics?|health (?:centres?|centers?|facilities|facility))"
COMBATANTS = r"(?:(?:junta|regime|military|army|government|SAC|resistance|KNDF|KA|KNPLF|PDF|BGF|enemy|Karenni)?\s?(?:troops?|soldiers?|fighters?|combatants?|militiamen|militia|members|forces|personnel|police(?:men)?|officers?|commanders?|prisoners of war|POWs?|defectors?|rebels?|insurgents?|revolutionaries|comrades)|PDFs?)"
NOUN_WINDOW = r"(?:\s+(?:[a-zA-Z’'-]+\s+){0,4}?)"

CIVILIAN_MIX = re.compile(
    r"\b(?:fighters|soldiers|troops|combatants)\s+and\s+civilians\b|\bcivilians\s+and\s+(?:fighters|soldiers|troops|combatants)\b",
    re.I,
)

METRIC_WORDS = [
    (
        Metric.KILLED,
        r"\bkill(?:ed|ing)?\b|\bdied\b|\bdead\b|\bdeaths?\b|death toll|lost their lives|massacred|executed|\bslain\b|fatalit",
    ),
    (Metric.INJURED, r"\binjur(?:ed|ies|y)\b|\bwounded\b|\bhurt\b"),
    (
        Metric.DETAINED,
        r"\barrest(?:ed|s)?\b|\bdetain(?:ed|s)?\b|\babduct(?:ed|ions?)?\b|\bkidnapp?ed\b|\btaken away\b|\bheld\b|\bdetention\b",
    ),
    (Metric.RETURNED, r"\breturned\b|\bwent back\b|\bcame back\b"),
    (
        Metric.CURRENTLY_DISPLACED,
        r"\b(?:are|remain|remained|still|currently|now)\s+(?:\w+\s+)?(?:displaced|sheltering|living in)|\bIDPs?\b|\bdisplaced (?:persons|people) (?:in|living)|\bsheltering\b|\btaking shelter\b",
    ),
    (
        Metric.NEWLY_DISPLACED,
        r"\bfled\b|\bflee(?:ing)?\b|\bdisplaced\b|\bdisplacement\b|\bevacuated\b|\buprooted\b|\bforced (?:to leave|from)\b|\bescaped\b",
    ),
    (
        Metric.HOMES_DESTROYED,
        r"\bburn(?:ed|t|ing)\b|\btorched\b|\bdestroy(?:ed|ing)?\b|\brazed\b|set (?:on )?fire|\bset alight\b|\bdamaged\b|\barson\b",
    ),
]
STRUCTURE_METRIC = [
    (SCHOOLS, Metric.SCHOOLS_DAMAGED),
    (RELIGIOUS, Metric.RELIGIOUS_BUILDINGS_DAMAGED),
    (HEALTH, Metric.HEALTH_FACILITIES_DAMAGED),
    (HOMES, Metric.HOMES_DESTROYED),
]
# Burmese: (metric, words)
MY_METRIC_WORDS = [
    (Metric.KILLED, "သေဆုံး|ကျဆုံး|အသက်ဆုံးရှုံး|သတ်ဖြတ်|အသတ်ခံ|သေ"),
    (Metric.INJURED, "ဒဏ်ရာ"),
    (Metric.DETAINED, "ဖမ်းဆီး|ဖမ်းခေါ်|ပြန်ပေးဆွဲ|ဖမ်း"),
    (Metric.RETURNED, "ပြန်လာ|ပြန်ဝင်"),
    (Metric.NEWLY_DISPLACED, "ထွက်ပြေး|အိုးအိမ်စွန့်ခွာ|စစ်ဘေးရှောင်|ပြေး|ရှောင်တိမ်း"),
    (Metric.HOMES_DESTROYED, "မီးရှို့|မီးလောင်|ဖျက်ဆီး|ပျက်စီး"),
]
MY_HOMES = "အိမ်|အဆောက်အအုံ"
MY_HOUSEHOLDS = "အိမ်ခြေ|အိမ်ထောင်စု|မိသားစု|စု"
MY_SCHOOLS = "ကျောင်း"
MY_RELIGIOUS = "ဘုရားကျောင်း|ချာ့ချ်|ဘုန်းကြီးကျောင်း|ဘုရား"
MY_HEALTH = "ဆေးရုံ|ဆေးခန်း"
MY_COMBATANTS = "စစ်သား|စစ်သည်|တပ်ဖွဲ့ဝင်|တပ်သား|ရဲဘော်|စစ်ကောင်စီတပ်|ပကဖ|စစ်ကြောင်း|ရဲ"

# Numbers that are never figures: years, ages, operations, units, weapons, percentages, times.
NOT_A_FIGURE_BEFORE = re.compile(
    r"(?:Operation|Battalion|Brigade|Division|Regiment|No\.|Number|LIB|IB|Column|Command|Route|Highway|Road|Mile|aged|age|Ward|Block|Camp|Unit|at|since|in|of|by|on|from|until|to|and)\s*$",
    re.I,
)
NOT_A_FIGURE_AFTER = re.compile(
    r"^(?:\s?%|\s?percent|\s?per cent|-year-old|\s?years? old|\s?(?:am|pm|a\.m\.|p\.m\.|o'clock)\b|\s?(?:km|kilomet|miles?|mm|kg|rounds|kyat|baht|dollars?|USD|MMK|\$|acres?|weapons?|guns?|rifles?|bombs?|shells?|attacks?|times|hours?|days?|weeks?|months?|years?|minutes?|outposts?|bases?|positions?|camps?|battalions?|trucks?|vehicles?|jets?|drones?|percent)\b)",
    re.I,
)
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
MONTH_NEAR = re.compile(rf"\b{_MONTH}\s*$|^\s*{_MONTH}\b|^(?:st|nd|rd|th)\b", re.I)

CAUSE_WORDS = [
    (Cause.DRONE_STRIKE, r"\bdrones?\b|ဒရုန်း"),
    (
        Cause.AIRSTRIKE,
        r"\bair ?strikes?\b|\bairstrike|\bair raids?\b|\bbomb(?:ed|ing|s)?\b|\bjets?\b|\baircraft\b|\bfighter jets?\b|လေကြောင်း|လေယာဉ်|ဗုံးကြဲ",
    ),
    (
        Cause.ARTILLERY,
        r"\bshell(?:ed|ing|s)?\b|\bartillery\b|\bmortars?\b|\bheavy weapons?\b|လက်နက်ကြီး|အမြောက်",
    ),
    (Cause.LANDMINE, r"\b(?:land)?mines?\b|\bexplosive remnants?\b|\bIEDs?\b|\bunexploded\b|မိုင်း"),
    (
        Cause.ARSON,
        r"\bburn(?:ed|t|ing)?\b|\btorched\b|\barson\b|set (?:on )?fire|\bset alight\b|မီးရှို့",
    ),
    (Cause.ARBITRARY_ARREST, r"\barrest(?:ed|s)?\b|\bdetain(?:ed)?\b|\babduct(?:ed)?\b|ဖမ်းဆီး|ဖမ်း"),
    (Cause.RAID, r"\braid(?:ed|s)?\b|\bstormed\b|စီးနင်း"),
    (Cause.FORCED_EVICTION, r"\bevict(?:ed|ion)\b|\bordered to leave\b"),
    (
        Cause.GROUND_ASSAULT,
        r"\bclash(?:es)?\b|\bfighting\b|\bbattles?\b|\boffensive\b|\bground assault\b|\bassault\b|\bshot\b|\bgunfire\b|တိုက်ပွဲ|ပစ်ခတ်",
    ),
]

# Who did it: each group of words names one party; the moderators' Party list is matched by
# its short name, name or Burmese name.
PERPETRATORS = [
    (
        "SAC",
        r"\bjunta\b|\bregime\b|\bmilitary\b|\bTatmadaw\b|\bSAC\b|\bMyanmar army\b|\barmy\b|စစ်ကောင်စီ|စစ်တပ်|စကစ",
    ),
    ("KNDF", r"\bKNDF\b|Karenni Nationalities Defen[cs]e Force"),
    ("KNPLF", r"\bKNPLF\b|Karenni National People’?'?s Liberation Front"),
    ("KA", r"\bKA\b|\bKarenni Army\b"),
    ("BGF", r"\bBGF\b|Border Guard Force"),
    ("PDF", r"\bPDFs?\b|People’?'?s Defen[cs]e Forces?|ပကဖ"),
]
AGENT = r"(?:by|from)\s+(?:the\s+)?(?:{p})|(?:{p})(?:\s+\w+){{0,2}}\s+(?:airstrikes?|shelling|troops|soldiers|forces|drones?|jets?|attacks?|raids?|arrested|killed|shelled|bombed|burned|torched|raided|detained|abducted|attacked|fired|set fire)|(?:{p})(?:’s|'s)?\s+(?:air ?strikes?|shelling|attack)"

# Who counted it. Organisations the text names, and their source type.
UN_INGO = r"\bUN\b|United Nations|\bOCHA\b|\bUNHCR\b|\bUNICEF\b|\bWFP\b|\bIOM\b|\bICRC\b|Red Cross|\bIDMC\b|Human Rights Watch|Amnesty|\bMSF\b|Doctors Without Borders|UN ?OCHA|\bUNDP\b|\bOHCHR\b"
PARTIES = r"\bKNDF\b|\bKNPLF\b|\bKA\b|\bPDF\b|\bNUG\b|\bjunta\b|\bregime\b|\bmilitary\b|\bSAC\b|\bTatmadaw\b|Karenni Army|Karenni Nationalities Defen[cs]e Force|state media|Global New Light of Myanmar|National Unity Government|Interim Executive Council|\bIEC\b"
MEDIA = r"Irrawaddy|Myanmar Now|\bRFA\b|Radio Free Asia|\bBBC\b|Mizzima|\bDVB\b|Kantarawaddy|Khit Thit|Frontier|Reuters|\bAP\b|\bAFP\b|Myanmar Pressphoto Agency"
GOVERNMENT = r"\bgovernment\b|\bministry\b|\bauthorities\b"
ORG = r"(?:the\s+)?(?:[A-Z][\w’'&.-]*(?:\s+(?:of|for|and|the|on)?\s*[A-Z][\w’'&.-]*){0,7}|a\s+local\s+(?:rights\s+|aid\s+|relief\s+|civil society\s+|monitoring\s+)?(?:group|organi[sz]ation|monitor|network)|local\s+(?:aid\s+|rights\s+)?(?:groups|sources|monitors|residents|volunteers))"
ATTRIBUTIONS = [
    re.compile(rf"according to\s+({ORG})", re.U),
    re.compile(
        rf"(?:said|says|reported|reports|told|announced|stated|claimed|estimated|estimates|documented|confirmed)\s+({ORG})(?=\s*(?:[.,;]|$|\bon\b|\bin\b))"
    ),
    re.compile(
        rf"({ORG})\s+(?:\w+\s+)?(?:said|says|reported|reports|told|announced|stated|claimed|estimated|estimates|documented|confirmed|recorded)\b"
    ),
]
MY_ATTRIBUTION = re.compile(
    r"([\u1000-\u109fA-Za-z ]{2,40}?)(?:၏|က)\s?(?:ပြောကြား|ထုတ်ပြန်|ဖော်ပြ|အစီရင်ခံ|သတင်းထုတ်ပြန်)|([A-Za-z]{2,10})\s?(?:အဆိုအရ|၏အဆိုအရ)"
)
LOCAL_CSO_WORDS = re.compile(
    r"group|organi[sz]ation|network|committee|monitor|rights|relief|volunteers|union|association|society|council|foundation|centre|center|youth|women|residents|sources|locals",
    re.I,
)


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int


def detect_language(text: str) -> str:
    myanmar = len(MYANMAR.findall(text))
    latin = len(LATIN.findall(text))
    other = len(CJK_OR_OTHER.findall(text))
    if other > max(myanmar, latin) * 0.5 and other > 20:
        raise IntakeInputError("language", _("Only English and Burmese are supported yet."))
    if myanmar and myanmar >= latin * 0.3:
        return "my"
    if latin:
        return "en"
    raise IntakeInputError("language", _("Only English and Burmese are supported yet."))


def _sentences(text: str) -> list[_Sentence]:
    found = []
    paragraph = 0
    for block in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        position = block.start()
        pieces: list[tuple[int, int]] = []
        for boundary in SENTENCE_END.finditer(block.group(0)):
            end = block.start() + boundary.start()
            if ABBREVIATION.search(text[position:end]):
                continue
            pieces.append((position, end))
            position = block.start() + boundary.end()
        pieces.append((position, block.end()))
        for start, end in pieces:
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                found.append(_Sentence(start, end, paragraph))
        paragraph += 1
    return found


def _is_date_or_label(sentence: str, number: Number) -> bool:
    before = sentence[: number.start]
    after = sentence[number.end :]
    if number.value is not None and 1900 <= number.value <= 2100 and "," not in number.words:
        return True
    if NOT_A_FIGURE_AFTER.match(after) or MONTH_NEAR.search(before[-12:]):
        return True
    if MONTH_NEAR.match(after[:12]) or re.match(r"^(?:st|nd|rd|th)\b", after):
        return True
    if (
        number.qualifier == "exact"
        and number.low is None
        and NOT_A_FIGURE_BEFORE.search(before[-25:])
    ):
        # "in 10 villages", "since 27": a number after a preposition counts something else,
        # unless a people or building word follows it at once.
        return not re.match(rf"\s+(?:{PEOPLE}|{HOUSEHOLDS}|{HOMES})\b", after, re.I)
    return False


def _what_english(sentence: str, number: Number) -> tuple[str | None, str | None, str | None]:
    """(metric, unit, excluded_reason) for an English number, or (None, None, None): not a
    figure this tracker records."""
    after = sentence[number.end : number.end + 80]
    noun = re.match(
        rf"{NOUN_WINDOW}?({COMBATANTS}|{PEOPLE}|{HOUSEHOLDS}|{SCHOOLS}|{RELIGIOUS}|{HEALTH}|{HOMES})\b",
        after,
        re.I,
    )
    if not noun:
        # "... killed 12" / "the death toll rose to 12": the noun may come before.
        before = sentence[max(0, number.start - 60) : number.start]
        noun_before = re.search(
            rf"({PEOPLE}|{COMBATANTS}|{HOMES})[^.,;]*?\b(?:to|reached|rose to|of|were|was|totalled|numbered)\s*$",
            before,
            re.I,
        )
        verb_before = any(
            re.search(rf"(?:{words})\s+(?:\w+\s+)?$", before, re.I)
            for _metric, words in METRIC_WORDS[:-1]
        )
        if noun_before:
            noun_word = noun_before.group(1)
        elif verb_before and re.search(PEOPLE, sentence, re.I):
            # "killed 5 civilians and injured 12": the people counted are named once.
            noun_word = re.search(rf"{COMBATANTS}|{PEOPLE}", sentence, re.I).group(0)
        else:
            return None, None, None
    else:
        noun_word = noun.group(1)
    clause = sentence[max(0, number.start - 120) : number.end + 140]
    mixed = CIVILIAN_MIX.search(clause)
    if re.fullmatch(COMBATANTS, noun_word.strip(), re.I):
        metric = _metric_english(sentence, number, Unit.PEOPLE)
        if metric is None:
            return None, None, None
        return metric, Unit.PEOPLE, "combatants"
    if re.fullmatch(HOUSEHOLDS, noun_word, re.I):
        unit = Unit.HOUSEHOLDS
    elif re.fullmatch(PEOPLE, noun_word, re.I):
        unit = Unit.PEOPLE
    else:
        unit = Unit.STRUCTURES
    metric = _metric_english(sentence, number, unit, noun_word)
    if metric is None:
        return None, None, None
    if mixed and unit == Unit.PEOPLE:
        return metric, unit, "combatants_and_civilians"
    return metric, unit, None


def _metric_english(sentence: str, number: Number, unit: str, noun: str = "") -> str | None:
    if unit == Unit.STRUCTURES:
        after = sentence[number.end :]
        if not re.search(METRIC_WORDS[-1][1], sentence, re.I):
            return None
        for words, metric in STRUCTURE_METRIC:
            if re.fullmatch(words, noun, re.I):
                return metric
        return None
    # A verb just before the number ("killed at least 5 civilians"), else the verb nearest
    # after it, else the nearest before it, within the clause.
    after = sentence[number.end : number.end + 160]
    before = sentence[max(0, number.start - 120) : number.start]
    best = None
    for metric, words in METRIC_WORDS[:-1]:
        if re.search(rf"(?:{words})\s+(?:\w+\s+)?$", before, re.I):
            return _stock_or_flow(metric, sentence)
    for metric, words in METRIC_WORDS[:-1]:
        for match in re.finditer(words, after, re.I):
            if best is None or match.start() < best[0]:
                best = (match.start(), metric)
            break
    if best is None:
        for metric, words in METRIC_WORDS[:-1]:
            for match in re.finditer(words, before, re.I):
                distance = len(before) - match.end()
                if best is None or distance < best[0]:
                    best = (distance, metric)
    if best is None:
        return None
    return _stock_or_flow(best[1], sentence)


def _stock_or_flow(metric: str, sentence: str) -> str:
    if metric == Metric.NEWLY_DISPLACED and re.search(METRIC_WORDS[4][1], sentence, re.I):
        return Metric.CURRENTLY_DISPLACED
    return metric


def _what_burmese(sentence: str, number: Number) -> tuple[str | None, str | None, str | None]:
    before = sentence[max(0, number.start - 30) : number.start]
    after = sentence[number.end : number.end + 60]
    # The clause: up to the next number or the end of the sentence.
    next_number = re.search(r"[၀-၉0-9]", after)
    clause_after = after[: next_number.start()] if next_number else after
    words = before[-20:] + "|" + clause_after
    metric = None
    for candidate, pattern in MY_METRIC_WORDS:
        if re.search(pattern, clause_after):
            metric = candidate
            break
    if metric is None:
        return None, None, None
    if re.search(MY_HOUSEHOLDS, clause_after[:8]) or re.search(f"({MY_HOUSEHOLDS})\\s?$", before):
        unit = Unit.HOUSEHOLDS
    elif (
        metric == Metric.HOMES_DESTROYED
        or re.search(f"({MY_HOMES})\\s?$", before)
        or clause_after.lstrip().startswith("လုံး")
    ):
        unit = Unit.STRUCTURES
        if re.search(f"({MY_RELIGIOUS})\\s?$", before):
            metric = Metric.RELIGIOUS_BUILDINGS_DAMAGED
        elif re.search(f"({MY_HEALTH})\\s?$", before):
            metric = Metric.HEALTH_FACILITIES_DAMAGED
        elif re.search(f"({MY_SCHOOLS})\\s?$", before):
            metric = Metric.SCHOOLS_DAMAGED
        else:
            metric = Metric.HOMES_DESTROYED
    else:
        unit = Unit.PEOPLE
        if metric == Metric.HOMES_DESTROYED:
            return None, None, None
    if (
        metric == Metric.NEWLY_DISPLACED
        and "ထွက်ပြေး" not in words
        and "စွန့်ခွာ" not in words
        and "ရှိ" in clause_after
    ):
        metric = Metric.CURRENTLY_DISPLACED
    if re.search(f"({MY_COMBATANTS})[^၀-၉0-9]{{0,6}}$", before) or re.match(
        f"\\s?({MY_COMBATANTS})", clause_after
    ):
        return metric, unit, "combatants"
    return metric, unit, None


def _cause(*texts: str) -> str | None:
    for text in texts:
        for cause, words in CAUSE_WORDS:
            if re.search(words, text, re.I):
                return cause
    return None


def _parties() -> list:
    from reports.models import Party

    return list(Party.objects.only("name", "name_my", "short_name"))


def _party_name(key: str, words: str, parties: list) -> str:
    for party in parties:
        names = {party.short_name.casefold(), party.name.casefold()} - {""}
        if (
            key.casefold() in names
            or words.casefold() in names
            or (party.name_my and party.name_my in words)
        ):
            return party.name
    for party in parties:
        if key == "SAC" and re.search(
            r"military|junta|tatmadaw|army|SAC", f"{party.name} {party.short_name}", re.I
        ):
            return party.name
    return words


def _perpetrator(sentence: str, source_words: str | None, parties: list) -> str | None:
    for key, pattern in PERPETRATORS:
        agent = re.search(AGENT.format(p=pattern), sentence, re.I)
        if agent or (MYANMAR.search(sentence) and re.search(pattern, sentence)):
            found = re.search(pattern, agent.group(0) if agent else sentence, re.I)
            words = found.group(0) if found else key
            if source_words and words in source_words and not agent:
                continue
            return _party_name(key, words, parties)
    return None


def source_type_of(name: str) -> str:
    if re.search(UN_INGO, name, re.I):
        return SourceType.UN_INGO
    if re.search(PARTIES, name, re.I) or re.search(
        r"Defen[cs]e Force|Liberation|Army\b|spokesperson", name
    ):
        return SourceType.PARTY_TO_CONFLICT
    if re.search(MEDIA, name, re.I):
        return SourceType.NEWS_MEDIA
    if re.search(GOVERNMENT, name, re.I):
        return SourceType.GOVERNMENT
    return SourceType.LOCAL_CSO


def _attribution(sentence: str) -> str | None:
    for pattern in ATTRIBUTIONS:
        for match in pattern.finditer(sentence):
            name = match.group(1).strip(" ,.")
            name = re.sub(r"^(?:the|The)\s+", "", name)
            if not name or name.casefold() in {"he", "she", "they", "it", "we", "i", "a"}:
                continue
            if re.fullmatch(r"[A-Z][a-z]+", name) and not re.search(
                f"{UN_INGO}|{PARTIES}|{MEDIA}", name
            ):
                continue  # "Soe said": a person, not an organisation
            if (
                re.search(f"{UN_INGO}|{PARTIES}|{MEDIA}", name)
                or LOCAL_CSO_WORDS.search(name)
                or re.fullmatch(r"[A-Z]{2,8}", name)
            ):
                return name
    match = MY_ATTRIBUTION.search(sentence)
    if match:
        return (match.group(1) or match.group(2)).strip()
    return None


def _main_place(mentions) -> place_search.Mention | None:
    resolved = [m for m in mentions if m.place is not None]
    if not resolved:
        return None
    counts = Counter(m.place.pk for m in resolved)
    best = max(counts.values())
    return next(m for m in resolved if counts[m.place.pk] == best)


def extract(
    text: str,
    *,
    published: date | None,
    language: str | None = None,
    publisher: str | None = None,
) -> Extraction:
    """The candidate figures in text, in reading order (docs/intake.md)."""
    if not text or not text.strip():
        raise IntakeInputError("text", _("There is no text to read."))
    if language is None:
        language = detect_language(text)
    elif language not in ("en", "my"):
        raise IntakeInputError("language", _("Only English and Burmese are supported yet."))
    sentences = _sentences(text)
    mentions = place_search.english_mentions(text) + (
        place_search.burmese_mentions(text) if MYANMAR.search(text) else []
    )
    mentions.sort(key=lambda m: m.start)
    main = _main_place(mentions)
    named_days = days_named(text, published)
    parties = _parties()
    paragraph_span: dict[int, Span] = {}
    candidates = []
    for sentence in sentences:
        words = text[sentence.start : sentence.end]
        numbers = english_numbers(words) + (burmese_numbers(words) if MYANMAR.search(words) else [])
        numbers.sort(key=lambda n: n.start)
        anchor = next((day for offset, day in reversed(named_days) if offset < sentence.end), None)
        span = find_span(words, published, anchor)
        if span is not None:
            paragraph_span[sentence.paragraph] = span
        else:
            span = paragraph_span.get(sentence.paragraph)
        source_words = _attribution(words)
        for number in numbers:
            if _is_date_or_label(words, number):
                continue
            if MYANMAR.search(words[max(0, number.start - 3) : number.end + 12]):
                metric, unit, excluded = _what_burmese(words, number)
            else:
                metric, unit, excluded = _what_english(words, number)
            if metric is None:
                continue
            figure_at = sentence.start + number.start
            place = _place_for(mentions, sentence, figure_at, sentences, main)
            paragraph = " ".join(
                text[s.start : s.end] for s in sentences if s.paragraph == sentence.paragraph
            )
            cause = _cause(words, paragraph)
            candidates.append(
                Candidate(
                    metric=metric,
                    value=number.value,
                    low=number.low,
                    high=number.high,
                    qualifier=number.qualifier,
                    unit=unit,
                    place_pcode=place.place.pcode if place and place.place else None,
                    place_text=place.words if place else "",
                    start_date=span.start if span else None,
                    end_date=span.end if span else None,
                    date_precision=span.precision if span else None,
                    cause=cause,
                    perpetrator=_perpetrator(words, source_words, parties),
                    source_name=source_words or publisher,
                    source_type=source_type_of(source_words)
                    if source_words
                    else (source_type_of(publisher) if publisher else None),
                    sentence=words,
                    excluded_reason=excluded,
                    sentence_start=sentence.start,
                    sentence_end=sentence.end,
                    figure_start=figure_at,
                    figure_end=sentence.start + number.end,
                )
            )
    return Extraction(
        language=language,
        text=text,
        published=published,
        publisher=publisher,
        candidates=candidates,
    )


def _place_for(mentions, sentence: _Sentence, figure_at: int, sentences, main):
    """The mention nearest the figure in its sentence, else the last one before it in its
    paragraph, else the article's main place."""
    inside = [m for m in mentions if sentence.start <= m.start < sentence.end]
    if inside:
        resolved = [m for m in inside if m.place is not None] or inside
        return min(resolved, key=lambda m: abs(m.start - figure_at))
    paragraph = [s for s in sentences if s.paragraph == sentence.paragraph]
    start = paragraph[0].start
    earlier = [m for m in mentions if start <= m.start < sentence.start and m.place is not None]
    if earlier:
        return earlier[-1]
    return main
