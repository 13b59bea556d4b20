"""The extractor: candidate figures from an article or a partner's account, by hand rules a
moderator can follow (docs/intake.md; the words are in intake/words.py). Each number is read
with the words around it: what happened to whom (the metric, or combatants, listed but left
out), the place named nearest (sentence, then paragraph, then the article's main place), the
dates of the sentence or its paragraph, the cause, who the text says did it, and who the text
says counted it."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext as _

from reports.vocabulary import Metric, SourceType, Unit

from . import places as place_search
from . import words as w
from .candidates import Candidate, Extraction
from .errors import IntakeInputError
from .numbers import Number, burmese_numbers, english_numbers
from .spans import Span, days_named, find_span

# Hostile input (a text of nothing but numbers) must not make the extractor slow: the words
# read around a number are at most WINDOW characters either side, a sentence gives at most
# MAX_NUMBERS_PER_SENTENCE numbers and a text at most MAX_CANDIDATES candidates.
WINDOW = 120
MAX_NUMBERS_PER_SENTENCE = 50
MAX_CANDIDATES = 200

MYANMAR = re.compile(r"[\u1000-\u109f]")
LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
OTHER_SCRIPTS = re.compile(r"[\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f]")

# Sentences end at . ! ? before a capital, a digit or a quote (not after "Nov." or "Col."), at
# the Burmese full stop ။, and at a line break; a blank line or a line break ends a paragraph
# only when the next line starts a new block (consecutive lines are one paragraph).
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9\u1000-\u109f])|(?<=။)\s*|\n+")
ABBREVIATION = re.compile(
    r"\b(?:Nov|Dec|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Col|Gen|Lt|Maj|Capt|Dr|Mr|Mrs|Ms|No"
    r"|St|U\.N|U\.S|approx|Tsp|Sr|Jr)\.$"
)
PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")

CIVILIANS_AND_COMBATANTS = re.compile(w.CIVILIANS_AND_COMBATANTS, re.I)
LABEL_BEFORE = re.compile(w.LABEL_BEFORE, re.I)
LABEL_AFTER = re.compile(w.LABEL_AFTER, re.I)
MONTH_BEFORE = re.compile(rf"\b{w.MONTH}\s*$", re.I)
MONTH_AFTER = re.compile(rf"^\s*{w.MONTH}\b|^(?:st|nd|rd|th)\b", re.I)
PART_OF = re.compile(w.PART_OF, re.I)
NOUN_AFTER = re.compile(
    rf"{w.NOUN_WINDOW}?({w.COMBATANTS}|{w.PEOPLE}|{w.HOUSEHOLDS}|{w.SCHOOLS}|{w.RELIGIOUS}"
    rf"|{w.HEALTH}|{w.HOMES})\b",
    re.I,
)
NOUN_BEFORE = re.compile(
    rf"({w.PEOPLE}|{w.COMBATANTS}|{w.HOMES})[^.,;]*?\b(?:to|reached|rose to|of|were|was"
    rf"|totalled|numbered|stood at)\s*$",
    re.I,
)
ONE_THING = re.compile(
    rf"{w.ONE}({w.PEOPLE}|{w.SCHOOLS}|{w.RELIGIOUS}|{w.HEALTH}|{w.HOMES})\b", re.I
)
CAUSES = [(cause, re.compile(words, re.I)) for cause, words in w.CAUSE_WORDS]
AGENTS = [
    (key, re.compile(pattern, re.I), re.compile(w.AGENT.format(p=pattern), re.I))
    for key, pattern in w.PERPETRATORS
]
HARM_VERBS = [(metric, re.compile(words, re.I)) for metric, words in w.METRIC_WORDS]
STOCK = re.compile(w.STOCK, re.I)
STRUCTURE_DAMAGE = re.compile(w.STRUCTURE_DAMAGE, re.I)
ATTRIBUTIONS = [re.compile(pattern) for pattern in w.ATTRIBUTIONS]
MY_ATTRIBUTIONS = [re.compile(pattern) for pattern in w.MY_ATTRIBUTION]
SAME_ORG = re.compile(w.SAME_ORG, re.I)
NATIONWIDE = re.compile(r"\bnationwide\b|\bacross the country\b|\bacross Myanmar\b", re.I)
DESTINATION = re.compile(
    r"\b(?:fled|flee|fleeing|escaped|moved|went|displaced)\b[^.;]*\b(?:to|towards|into|across)"
    r"\b[^.;]*$",
    re.I,
)


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int


def detect_language(text: str) -> str:
    """ "my" for Burmese, "en" for English, by the script most of the text is in; a Chinese
    character counts as the four Latin letters of a word. Any other language is refused."""
    myanmar = len(MYANMAR.findall(text))
    latin = len(LATIN.findall(text))
    other = len(OTHER_SCRIPTS.findall(text)) + 4 * len(CJK.findall(text))
    if other >= max(myanmar, latin) or not (myanmar or latin):
        raise IntakeInputError("language", _("Only English and Burmese are supported yet."))
    if myanmar >= latin * 0.3:
        return "my"
    # Latin letters are English only when English's commonest words are among them: French,
    # Spanish or Indonesian are refused, not read as English.
    latin_words = [word.casefold() for word in re.findall(r"[A-Za-z]+", text)]
    common = sum(word in w.ENGLISH_COMMON for word in latin_words)
    if len(latin_words) >= 8 and common < len(latin_words) * 0.1:
        raise IntakeInputError("language", _("Only English and Burmese are supported yet."))
    return "en"


def _sentences(text: str) -> list[_Sentence]:
    found = []
    for paragraph, block in enumerate(PARAGRAPH.finditer(text)):
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
    return found


def _one_things(sentence: str) -> list[Number]:
    """ "a church", "a 60-year-old farmer": one, where the sentence says it was harmed."""
    found = []
    for match in ONE_THING.finditer(sentence):
        found.append(Number(match.start(), match.end(), 1, None, None, "exact", match.group(0)))
    return found


def _first_of_overlapping(numbers: list[Number]) -> list[Number]:
    """In reading order, the longest reading of each stretch of words ("about 85" over "85")."""
    kept: list[Number] = []
    for number in sorted(numbers, key=lambda n: (n.start, -(n.end - n.start))):
        if kept and number.start < kept[-1].end:
            continue
        kept.append(number)
    return kept


def _not_a_figure(sentence: str, number: Number) -> bool:
    """Years, dates, ages, labels (Operation 1027), measures and parts of a figure."""
    before = sentence[max(0, number.start - WINDOW) : number.start]
    after = sentence[number.end : number.end + WINDOW]
    if (
        number.value is not None
        and 1900 <= number.value <= 2100
        and number.qualifier == "exact"
        and "," not in number.words
        and not re.match(rf"\s*(?:{w.PEOPLE}|{w.HOUSEHOLDS}|{w.HOMES}|ဦး|ယောက်|အိမ်)", after, re.I)
    ):
        return True  # a year
    if PART_OF.search(before) or LABEL_AFTER.match(after):
        return True
    if MONTH_BEFORE.search(before[-12:]) or MONTH_AFTER.match(after[:12]):
        return True
    if re.match(r"\s*(?:of|out of)\s+(?:the|them|those|these)\b", after, re.I):
        return True  # "one of the most pressing issues", "two of them"
    if number.qualifier == "exact" and number.low is None and LABEL_BEFORE.search(before[-25:]):
        return not re.match(rf"\s+(?:{w.PEOPLE}|{w.HOUSEHOLDS}|{w.HOMES})\b", after, re.I)
    return False


def _verb_right_after(sentence: str, number: Number) -> str | None:
    after = sentence[number.end : number.end + 20]
    for metric, verb in HARM_VERBS:
        match = verb.search(after)
        if match and not after[: match.start()].strip(" "):
            return metric
    return None


def _verb_right_before(sentence: str, number: Number) -> str | None:
    before = sentence[max(0, number.start - 40) : number.start]
    for metric, verb in HARM_VERBS:
        for match in verb.finditer(before):
            if re.fullmatch(r"\s+(?:\w+\s+)?", before[match.end() :]):
                return metric
    return None


@lru_cache(maxsize=16)
def _is_stock(sentence: str) -> bool:
    return bool(STOCK.search(sentence))


@lru_cache(maxsize=16)
def _names_structure_damage(sentence: str) -> bool:
    return bool(STRUCTURE_DAMAGE.search(sentence))


@lru_cache(maxsize=16)
def _people_named(sentence: str) -> str | None:
    named = re.search(rf"{w.COMBATANTS}|{w.PEOPLE}", sentence, re.I)
    return named.group(0) if named else None


def _stock_or_flow(metric: str, sentence: str) -> str:
    if metric == Metric.NEWLY_DISPLACED and _is_stock(sentence):
        return Metric.CURRENTLY_DISPLACED
    return metric


def _metric_of_people(sentence: str, number: Number) -> str | None:
    """The harm nearest the number: a verb at once after it ("7 injured"), at once before it
    ("killed 5"), else the nearest after it in the clause, else the nearest before it."""
    metric = _verb_right_after(sentence, number) or _verb_right_before(sentence, number)
    if metric:
        return _stock_or_flow(metric, sentence)
    after = sentence[number.end : number.end + 160]
    before = sentence[max(0, number.start - 120) : number.start]
    best: tuple[int, str] | None = None
    for metric, verb in HARM_VERBS:
        match = verb.search(after)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), metric)
    if best is None:
        for metric, verb in HARM_VERBS:
            for match in verb.finditer(before):
                distance = len(before) - match.end()
                if best is None or distance < best[0]:
                    best = (distance, metric)
    return _stock_or_flow(best[1], sentence) if best else None


def _what_english(sentence: str, number: Number) -> tuple[str | None, str | None, str | None]:
    """(metric, unit, excluded_reason) for an English number, or (None, None, None): not a
    figure this tracker records."""
    noun_after = NOUN_AFTER.match(sentence, number.end)
    one_thing = ONE_THING.fullmatch(number.words)
    if one_thing:
        noun = one_thing.group(1)
    elif noun_after:
        noun = noun_after.group(1)
    else:
        before = sentence[max(0, number.start - 60) : number.start]
        noun_before = NOUN_BEFORE.search(before)
        if noun_before:
            noun = noun_before.group(1)
        elif _verb_right_before(sentence, number) or _verb_right_after(sentence, number):
            # "killed 5 civilians and injured 12": the people counted are named once.
            named = _people_named(sentence)
            if not named:
                return None, None, None
            noun = named
        else:
            return None, None, None
    noun = noun.strip()
    if re.fullmatch(w.COMBATANTS, noun, re.I):
        metric = _metric_of_people(sentence, number)
        if metric is None:
            return None, None, None
        clause = sentence[number.start : number.end + 60]
        mixed = CIVILIANS_AND_COMBATANTS.search(clause)
        return metric, Unit.PEOPLE, "combatants_and_civilians" if mixed else "combatants"
    if re.fullmatch(w.HOUSEHOLDS, noun, re.I):
        unit = Unit.HOUSEHOLDS
    elif re.fullmatch(w.PEOPLE, noun, re.I):
        unit = Unit.PEOPLE
    else:
        if not _names_structure_damage(sentence):
            return None, None, None
        metric = next(m for words, m in w.STRUCTURE_METRIC if re.fullmatch(words, noun, re.I))
        return metric, Unit.STRUCTURES, None
    metric = _metric_of_people(sentence, number)
    if metric is None:
        return None, None, None
    clause = sentence[max(0, number.start - 40) : number.end + 60]
    if CIVILIANS_AND_COMBATANTS.search(clause):
        return metric, unit, "combatants_and_civilians"
    return metric, unit, None


def _what_burmese(sentence: str, number: Number) -> tuple[str | None, str | None, str | None]:
    """The same for a Burmese number: what it counts comes before it or as its classifier
    (အရပ်သား ၅ ဦး, အိမ် ၃၀ လုံး), what happened to them after it (… သေဆုံး)."""
    before = sentence[max(0, number.start - 30) : number.start]
    after = sentence[number.end : number.end + 80]
    next_number = re.search(r"[၀-၉0-9]", after)
    clause = after[: next_number.start()] if next_number else after
    if re.match(rf"\s?(?:ဦး|ယောက်)?\s?(?:{w.MY_PART_OF})", clause):
        return None, None, None  # "ကလေး ၂ ဦး အပါအဝင်": two children among them
    metric = next((m for m, words in w.MY_METRIC_WORDS if re.search(words, clause)), None)
    if metric is None:  # "စစ်ဘေးရှောင် ၂၀၀၀ ခန့် ရှိနေသည်": the word before the number
        metric = next((m for m, words in w.MY_METRIC_WORDS if re.search(words, before)), None)
    if metric is None:
        return None, None, None
    unit = Unit.PEOPLE
    if re.search(rf"(?:{w.MY_HOUSEHOLDS})\s?$", before) or re.match(
        rf"\s?(?:{w.MY_HOUSEHOLDS})", clause
    ):
        unit = Unit.HOUSEHOLDS
    elif (
        re.search(rf"(?:{w.MY_HOMES}|{w.MY_RELIGIOUS}|{w.MY_HEALTH}|{w.MY_SCHOOLS})\s?$", before)
        or re.match(r"\s?(?:လုံး|ကျောင်း|ခု)", clause)
        or metric == Metric.HOMES_DESTROYED
    ):
        unit = Unit.STRUCTURES
        if metric != Metric.HOMES_DESTROYED:
            return None, None, None
        if re.search(rf"(?:{w.MY_RELIGIOUS})\s?$", before):
            metric = Metric.RELIGIOUS_BUILDINGS_DAMAGED
        elif re.search(rf"(?:{w.MY_HEALTH})\s?$", before):
            metric = Metric.HEALTH_FACILITIES_DAMAGED
        elif re.search(rf"(?:{w.MY_SCHOOLS})\s?$", before):
            metric = Metric.SCHOOLS_DAMAGED
    fled = re.search(w.MY_FLED, before + clause)
    if metric == Metric.NEWLY_DISPLACED and not fled and re.search(w.MY_NOW, clause):
        metric = Metric.CURRENTLY_DISPLACED
    if re.search(rf"(?:{w.MY_COMBATANTS})\s?$", before):
        return metric, unit, "combatants"
    return metric, unit, None


def _own_cause(sentence: str) -> str | None:
    """The cause the sentence itself names."""
    for cause, words in CAUSES:
        if words.search(sentence):
            return cause
    return None


def _parties() -> list:
    from reports.models import Party

    return list(Party.objects.only("name", "name_my", "short_name"))


def _party_name(key: str, found: str, parties: list) -> str:
    """The moderators' name for the party the words name, else the words themselves."""
    for party in parties:
        names = {party.short_name.casefold(), party.name.casefold()} - {""}
        if key.casefold() in names or found.casefold() in names:
            return party.name
        if party.name_my and party.name_my in found:
            return party.name
    pattern = w.PARTY_KEYS.get(key)
    for party in parties:
        if pattern and re.search(pattern, f"{party.name} {party.short_name}", re.I):
            return party.name
    return found


def _perpetrator(sentence: str, source: str | None, parties: list) -> str | None:
    for key, pattern, agent_pattern in AGENTS:
        agent = agent_pattern.search(sentence)
        if agent is None:
            continue
        found = pattern.search(agent.group(0))
        return _party_name(key, found.group(0) if found else key, parties)
    return None


def source_type_of(name: str) -> str:
    for pattern, source_type in w.SOURCE_TYPES:
        if re.search(pattern, name, re.I):
            return source_type
    return SourceType.LOCAL_CSO


def publisher_type(name: str) -> str:
    """A publisher is news media unless its name says otherwise (a UN agency, a party, a
    monitoring group)."""
    kind = source_type_of(name)
    return (
        kind
        if re.search(w.CSO + "|" + w.UN_INGO + "|" + w.PARTIES, name, re.I)
        else (SourceType.NEWS_MEDIA)
    )


def _attribution(sentence: str) -> str | None:
    """The organisation the sentence attributes its figures to, as the text names it."""
    for pattern in ATTRIBUTIONS:
        for match in pattern.finditer(sentence):
            name = re.sub(r"^(?:the|The)\s+", "", match.group(1).strip(" ,.")).strip()
            if not name or name.casefold() in w.NOT_ORGANISATIONS:
                continue
            # A name that is none of these is a person ("Lawrence Soe said"), not an organisation.
            known = re.search(f"{w.UN_INGO}|{w.PARTIES}|{w.MEDIA}", name)
            if known or re.search(w.CSO, name, re.I) or re.fullmatch(r"[A-Z]{2,8}", name):
                return name
    for pattern in MY_ATTRIBUTIONS:
        match = pattern.search(sentence)
        if match:
            return match.group(1)
    return None


def _main_place(mentions) -> place_search.Mention | None:
    """The place the article names most often (the first of equals)."""
    resolved = [m for m in mentions if m.place is not None]
    if not resolved:
        return None
    counts = Counter(m.place.pk for m in resolved)
    best = max(counts.values())
    return next(m for m in resolved if counts[m.place.pk] == best)


def _most_specific(chosen, others):
    """Of mentions naming nested places ("Daw Ta Ma Gyi village tract in Demoso Township"),
    the one inside the others."""
    for other in others:
        if chosen.place is not None and other.place is not None:
            chosen = other if chosen.place.pcode in other.place.ancestor_pcodes else chosen
    return chosen


def _place_for(text, sentence, inside, figure_at, metric, nationwide, earlier, main, seen):
    """The mention nearest the figure in its sentence (inside), else the last sentence of its
    paragraph that names one (earlier), else the article's main place. People fleeing "to" a
    place name where they went, not where they fled from; "nationwide" (the country's mention)
    is the country. seen keeps what is read once per sentence."""
    if metric == Metric.NEWLY_DISPLACED:
        if "left" not in seen:
            seen["left"] = [
                m for m in inside if not DESTINATION.search(text[sentence.start : m.start])
            ]
        inside = seen["left"]
    if nationwide is not None:
        return nationwide
    if inside:
        resolved = [m for m in inside if m.place is not None] or inside
        nearest = min(resolved, key=lambda m: abs(m.start - figure_at))
        return _most_specific(nearest, resolved)
    return earlier or main


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
    mentions = place_search.english_mentions(text)
    if MYANMAR.search(text):
        mentions += place_search.burmese_mentions(text)
    mentions.sort(key=lambda m: m.start)
    main = _main_place(mentions)
    country = place_search.country()
    named_days = days_named(text, published)
    parties = _parties()
    mention_starts = [m.start for m in mentions]
    day_offsets = [offset for offset, _day in named_days]
    paragraph_place: dict[int, place_search.Mention] = {}
    paragraph_cause: dict[int, tuple[str, str]] = {}
    perpetrators: dict[str, str | None] = {}
    paragraph_span: dict[int, Span] = {}
    paragraph_source: dict[int, str] = {}
    candidates = []
    for sentence in sentences:
        if len(candidates) >= MAX_CANDIDATES:
            break
        words = text[sentence.start : sentence.end]
        numbers = english_numbers(words) + _one_things(words)
        if MYANMAR.search(words):
            numbers += burmese_numbers(words)
        numbers = _first_of_overlapping(numbers)[:MAX_NUMBERS_PER_SENTENCE]
        before_end = bisect_left(day_offsets, sentence.end)
        anchor = named_days[before_end - 1][1] if before_end else None
        inside = mentions[
            bisect_left(mention_starts, sentence.start) : bisect_left(mention_starts, sentence.end)
        ]
        nationwide = (
            place_search.Mention(sentence.start, sentence.start, "nationwide", country)
            if country is not None and NATIONWIDE.search(words)
            else None
        )
        own_cause = _own_cause(words)
        seen: dict = {}
        own_span = find_span(words, published, anchor)
        if own_span is not None:
            paragraph_span[sentence.paragraph] = own_span
        span = own_span or paragraph_span.get(sentence.paragraph)
        source = _attribution(words)
        if source:
            paragraph_source[sentence.paragraph] = source
        elif SAME_ORG.search(words) and re.search(w.SAYS, words):
            source = paragraph_source.get(sentence.paragraph)
        for number in numbers:
            if len(candidates) >= MAX_CANDIDATES:
                break
            if _not_a_figure(words, number):
                continue
            if MYANMAR.search(words[max(0, number.start - 3) : number.end + 12]):
                metric, unit, excluded = _what_burmese(words, number)
            else:
                metric, unit, excluded = _what_english(words, number)
            if metric is None:
                continue
            figure_at = sentence.start + number.start
            place = _place_for(
                text,
                sentence,
                inside,
                figure_at,
                metric,
                nationwide,
                paragraph_place.get(sentence.paragraph),
                main,
                seen,
            )
            figure_span = span
            if metric == Metric.CURRENTLY_DISPLACED and own_span is None and published:
                # A stock the sentence does not date is the count at publication.
                figure_span = Span(published, published, "day", "")
            # The cause the sentence names, else the nearest earlier sentence of its paragraph
            # that names one (read once per sentence, not once per number).
            if own_cause is not None:
                cause, told = own_cause, words
            elif metric != Metric.CURRENTLY_DISPLACED and sentence.paragraph in paragraph_cause:
                cause, told = paragraph_cause[sentence.paragraph]
            else:
                cause, told = None, words
            if words not in perpetrators:
                perpetrators[words] = _perpetrator(words, source, parties)
            perpetrator = perpetrators[words]
            if perpetrator is None and told is not words:
                if told not in perpetrators:
                    perpetrators[told] = _perpetrator(told, source, parties)
                perpetrator = perpetrators[told]
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
                    start_date=figure_span.start if figure_span else None,
                    end_date=figure_span.end if figure_span else None,
                    date_precision=figure_span.precision if figure_span else None,
                    cause=cause,
                    perpetrator=perpetrator,
                    source_name=source or publisher,
                    source_type=source_type_of(source)
                    if source
                    else (publisher_type(publisher) if publisher else None),
                    sentence=words,
                    excluded_reason=excluded,
                    sentence_start=sentence.start,
                    sentence_end=sentence.end,
                    figure_start=figure_at,
                    figure_end=sentence.start + number.end,
                )
            )
        if own_cause is not None:
            paragraph_cause[sentence.paragraph] = (own_cause, words)
        named = [m for m in inside if m.place is not None]
        if named:
            paragraph_place[sentence.paragraph] = _most_specific(named[-1], named)
    return Extraction(
        language=language,
        text=text,
        published=published,
        publisher=publisher,
        candidates=candidates,
    )
