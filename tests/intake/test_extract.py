# ruff: noqa: E501  (tables of cases read best one a line)
"""The extractor's rules, one at a time, through extract(): numbers and qualifiers, what a
number counts (civilians, households, buildings; combatants listed, never proposed; other
numbers left out), the dates it covers, the place, cause, perpetrator and source, Burmese, and
the languages it refuses."""

from datetime import date

import pytest

from intake.errors import IntakeInputError
from intake.extract import extract

PUBLISHED = date(2023, 11, 30)  # a Thursday


def figures(text, *keys, published=PUBLISHED, **options):
    keys = keys or ("metric", "value", "low", "high", "qualifier", "unit", "excluded_reason")
    found = extract(text, published=published, **options).candidates
    return [tuple(str(c.as_json()[k]) if c.as_json()[k] is not None else None for k in keys)
            for c in found]  # fmt: skip


@pytest.mark.parametrize(
    ("words", "value", "low", "high", "qualifier"),
    [
        ("12", "12", None, None, "exact"),
        ("nearly 40", "40", None, None, "approximately"),
        ("about 1,200", "1200", None, None, "approximately"),
        ("some 1.2 million", "1200000", None, None, "approximately"),
        ("more than 300", "300", None, None, "at_least"),
        ("over 2,000", "2000", None, None, "at_least"),
        ("at least twenty-five", "25", None, None, "at_least"),
        ("up to 150", "150", None, None, "at_most"),
        ("as many as 90", "90", None, None, "at_most"),
        ("between 30 and 40", None, "30", "40", "range"),
        ("30-40", None, "30", "40", "range"),
        ("30 to 40", None, "30", "40", "range"),
        ("two hundred", "200", None, None, "exact"),
        ("dozens of", "24", None, None, "at_least"),
        ("hundreds of", "200", None, None, "at_least"),
        ("thousands of", "2000", None, None, "at_least"),
        ("tens of thousands of", "20000", None, None, "at_least"),
    ],
)
def test_numbers_and_their_qualifiers(gazetteer, words, value, low, high, qualifier):
    assert figures(f"{words} civilians fled their homes.", "value", "low", "high", "qualifier") == [
        (value, low, high, qualifier)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Junta airstrikes killed 5 civilians and injured 12.", [("killed", "5", "people"), ("injured", "12", "people")]),
        ("At least 4 civilians were killed and 7 injured.", [("killed", "4", "people"), ("injured", "7", "people")]),
        ("Soldiers arrested 6 villagers.", [("detained", "6", "people")]),
        ("About 85 households fled.", [("newly_displaced", "85", "households")]),
        ("Some 400 people are now sheltering in the forest.", [("currently_displaced", "400", "people")]),
        ("120 families returned home.", [("returned", "120", "households")]),
        ("Troops torched 45 houses.", [("homes_destroyed", "45", "structures")]),
        ("Shelling damaged 2 schools and 3 churches.", [("schools_damaged", "2", "structures"), ("religious_buildings_damaged", "3", "structures")]),
        ("An airstrike destroyed a clinic.", [("health_facilities_damaged", "1", "structures")]),
        ("A landmine injured a 14-year-old boy.", [("injured", "1", "people")]),
    ],
)  # fmt: skip
def test_what_a_number_counts(gazetteer, text, expected):
    assert figures(text, "metric", "value", "unit") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 junta troops were killed.", [("killed", "30", "combatants")]),
        (
            "Fighters of the resistance: 4 KNDF fighters were wounded.",
            [("injured", "4", "combatants")],
        ),
        ("The KNDF said it killed 200 soldiers.", [("killed", "200", "combatants")]),
        ("Two KNDF members were detained.", [("detained", "2", "combatants")]),
        (
            "More than 315 fighters and civilians died.",
            [("killed", "315", "combatants_and_civilians")],
        ),
    ],
)
def test_combatant_figures_are_listed_and_never_proposed(gazetteer, text, expected):
    assert figures(text, "metric", "value", "excluded_reason") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Operation 1027 began in Shan State.",
        "KNDF Battalion 606 joined the offensive.",
        "The resistance controls 80 percent of the state.",
        "The victim, aged 45, was a farmer.",
        "In 2022 the fighting spread.",
        "They seized 30 weapons and 12 outposts.",
        "On November 5 the convoy was attacked.",
        "It took 10 days to reach the camp.",
        "Forced displacement represents one of the most pressing issues.",
        "Loikaw had 50,000 residents before the war.",
    ],
)
def test_other_numbers_are_left_out(gazetteer, text):
    assert figures(text) == []


@pytest.mark.parametrize(
    ("sentence", "start", "end", "precision"),
    [
        ("On Tuesday, 3 civilians were killed.", "2023-11-28", "2023-11-28", "day"),
        ("On Nov. 5, 3 civilians were killed.", "2023-11-05", "2023-11-05", "day"),
        ("On 12 December, 3 civilians were killed.", "2022-12-12", "2022-12-12", "day"),
        ("Yesterday 3 civilians were killed.", "2023-11-29", "2023-11-29", "day"),
        ("Last month 3 civilians were killed.", "2023-10-01", "2023-10-31", "month"),
        ("This week 3 civilians were killed.", "2023-11-27", "2023-11-30", "week"),
        ("Last week 3 civilians were killed.", "2023-11-20", "2023-11-26", "week"),
        ("In 2022, 3 civilians were killed.", "2022-01-01", "2022-12-31", "year"),
        ("In March 2023, 3 civilians were killed.", "2023-03-01", "2023-03-31", "month"),
        ("Since 27 October, 3 civilians were killed.", "2023-10-27", "2023-11-30", "day"),
        ("Since the coup, 3 civilians were killed.", "2021-02-01", "2023-11-30", "day"),
        ("Between February 2021 and March 2023, 3 civilians were killed.", "2021-02-01", "2023-03-31", "month"),
        ("On Nov. 11 last year, 3 civilians were killed.", "2022-11-11", "2022-11-11", "day"),
    ],
)  # fmt: skip
def test_spans_resolved_against_the_publication_date(gazetteer, sentence, start, end, precision):
    assert figures(sentence, "start_date", "end_date", "date_precision") == [
        (start, end, precision)
    ]


def test_the_first_days_count_from_the_day_named_before(gazetteer):
    text = "The offensive began on November 11. In the first 10 days, nearly 50,000 people fled."
    assert figures(text, "start_date", "end_date", "date_precision") == [
        ("2023-11-11", "2023-11-20", "day")
    ]


def test_a_sentence_without_dates_takes_its_paragraphs(gazetteer):
    text = "On Saturday, jets bombed Demoso.\nAt least 4 civilians were killed.\n\nNo date here: 7 civilians were injured."
    assert figures(text, "value", "start_date", "cause") == [
        ("4", "2023-11-25", "airstrike"),
        ("7", None, None),
    ]


def test_without_a_publication_date_no_span(gazetteer):
    assert figures("On Tuesday 3 civilians were killed.", "start_date", published=None) == [(None,)]


@pytest.mark.parametrize(
    ("text", "pcode", "words"),
    [
        ("3 civilians were killed in Demoso Township.", "MMR002002", "Demoso Township"),
        ("3 civilians were killed in Demoso.", "MMR002002701", "Demoso"),
        ("3 civilians were killed in Dee Maw Soe town.", "MMR002002701", "Dee Maw Soe town"),
        ("3 civilians were killed in Karenni State.", "MMR002", "Karenni State"),
        ("3 civilians were killed in Daw Ta Ma Gyi village tract in Demoso Township.", "MMR002002026", "Daw Ta Ma Gyi village tract"),
        ("3 civilians were killed in Pan Tein village.", None, "Pan Tein village"),
        ("3 civilians were killed in Shadaw (North) village tract.", "MMR002004001", "Shadaw (North) village tract"),
        ("Over 1.2 million people are displaced nationwide.", "MMR", "nationwide"),
        ("အရပ်သား ၃ ဦး ဒီးမော့ဆိုမြို့နယ်တွင် သေဆုံးခဲ့သည်။", "MMR002002", "ဒီးမော့ဆိုမြို့နယ်"),
    ],
)  # fmt: skip
def test_places_resolved_against_the_gazetteer(gazetteer, text, pcode, words):
    assert figures(text, "place_pcode", "place_text") == [(pcode, words)]


def test_place_from_sentence_then_paragraph_then_article(gazetteer):
    text = (
        "Heavy fighting was reported in Mese Township.\n\n"
        "Shelling hit Hpruso. 12 houses were destroyed.\n\n"
        "20 civilians fled.\n\n"
        "In Mese, 4 civilians were injured."
    )
    assert figures(text, "value", "place_pcode") == [
        ("12", "MMR002003701"),  # the paragraph's earlier sentence
        ("20", "MMR002007"),  # the article's main place (named twice)
        ("4", "MMR002007701"),
    ]


def test_where_people_fled_to_is_not_where_they_fled_from(gazetteer):
    text = "Shelling hit Loikaw. Around 600 people fled to the forest near Demoso."
    assert figures(text, "place_pcode") == [("MMR002001701",)]


def test_causes(gazetteer):
    causes = [
        ("A drone strike killed 2 civilians.", "drone_strike"),
        ("Junta jets bombed the village, killing 3 civilians.", "airstrike"),
        ("Artillery shells killed 3 civilians.", "artillery"),
        ("A landmine injured 2 farmers.", "landmine"),
        ("Soldiers torched 20 houses.", "arson"),
        ("Troops arrested 5 villagers.", "arbitrary_arrest"),
        ("During a raid, troops detained 5 villagers.", "raid"),
        ("Clashes forced 300 people to flee.", "ground_assault"),
        ("5 civilians were killed.", None),
    ]
    for text, cause in causes:
        assert figures(text, "cause") == [(cause,)], text


def test_perpetrators_are_the_moderators_parties(gazetteer, parties):
    assert figures("Junta troops torched 20 houses.", "perpetrator") == [("Myanmar military",)]
    assert figures("20 houses were burned by the military.", "perpetrator") == [
        ("Myanmar military",)
    ]
    assert figures("KNDF shelling injured 2 civilians.", "perpetrator") == [
        ("Karenni Nationalities Defence Force",)
    ]
    # Not a party the moderators keep: the words.
    assert figures("KNPLF shelling injured 2 civilians.", "perpetrator") == [("KNPLF",)]
    # The victims are not the perpetrator; nor is whoever reports it.
    assert figures("3 KNDF fighters were killed.", "perpetrator") == [(None,)]
    assert figures("5 civilians were killed, the KNDF said.", "perpetrator") == [(None,)]


@pytest.mark.parametrize(
    ("text", "name", "source_type"),
    [
        ("5 civilians were killed, according to the United Nations.", "United Nations", "un_ingo"),
        ("5 civilians were killed, according to OCHA.", "OCHA", "un_ingo"),
        ("5 civilians were killed, said the KNDF.", "KNDF", "party_to_conflict"),
        ("5 civilians were killed, the junta's spokesperson said.", "junta's spokesperson", "party_to_conflict"),
        ("5 civilians were killed, a local rights group said.", "a local rights group", "local_cso"),
        ("The Karenni Human Rights Group reported that 5 civilians were killed.", "Karenni Human Rights Group", "local_cso"),
        ("5 civilians were killed, The Irrawaddy reported.", "Irrawaddy", "news_media"),
        ("5 civilians were killed, Lawrence Soe said.", "Kantarawaddy Times", "news_media"),
        ("5 civilians were killed.", "Kantarawaddy Times", "news_media"),
    ],
)  # fmt: skip
def test_sources_as_the_text_gives_them(gazetteer, text, name, source_type):
    assert figures(text, "source_name", "source_type", publisher="Kantarawaddy Times") == [
        (name, source_type)
    ]


def test_the_group_said_is_the_group_named_before(gazetteer):
    text = (
        "3,500 people fled, according to the Karenni Human Rights Group. "
        "The group said troops torched 27 houses."
    )
    assert figures(text, "value", "source_name") == [
        ("3500", "Karenni Human Rights Group"),
        ("27", "Karenni Human Rights Group"),
    ]


def test_a_partner_publisher_is_civil_society_not_media(gazetteer):
    assert figures(
        "5 civilians were killed.", "source_type", publisher="Demoso Relief Volunteers"
    ) == [("local_cso",)]
    assert figures("5 civilians were killed.", "source_name", "source_type") == [(None, None)]


def test_burmese(gazetteer, parties):
    text = (
        "နိုဝင်ဘာ ၁၈ ရက်နေ့တွင် စစ်ကောင်စီတပ်၏ လေကြောင်းတိုက်ခိုက်မှုကြောင့် ဒီးမော့ဆိုမြို့နယ်တွင် "
        "အရပ်သား ၅ ဦး သေဆုံးပြီး ၈ ဦး ဒဏ်ရာရရှိခဲ့သည်။ ဒေသခံ ၁,၂၀၀ ကျော် ထွက်ပြေးခဲ့ရသည်။ "
        "အိမ် ၃၀ လုံး မီးရှို့ခံရသည်။ ရွာသား ၄ ဦးကို ဖမ်းဆီးသွားသည်။ "
        "စစ်ကောင်စီတပ်သား ၁၂ ဦး ကျဆုံးခဲ့သည်။ လူ ငါးဦး ဒဏ်ရာရသည်။"
    )
    extraction = extract(text, published=PUBLISHED, language=None)
    assert extraction.language == "my"
    assert figures(text, "metric", "value", "qualifier", "unit", "excluded_reason") == [
        ("killed", "5", "exact", "people", None),
        ("injured", "8", "exact", "people", None),
        ("newly_displaced", "1200", "at_least", "people", None),
        ("homes_destroyed", "30", "exact", "structures", None),
        ("detained", "4", "exact", "people", None),
        ("killed", "12", "exact", "people", "combatants"),
        ("injured", "5", "exact", "people", None),
    ]
    first = extraction.candidates[0]
    assert (first.place_pcode, str(first.start_date), first.cause, first.perpetrator) == (
        "MMR002002", "2023-11-18", "airstrike", "Myanmar military"
    )  # fmt: skip
    assert first.sentence.endswith("ဒဏ်ရာရရှိခဲ့သည်။")


def test_burmese_qualifiers_and_parts(gazetteer):
    text = (
        "စစ်ဘေးရှောင် ၂၀၀၀ ခန့် ယခု ရှိနေသည်။ အနည်းဆုံး ၁၀ ဦး သေဆုံးသည်။ "
        "ကလေး ၂ ဦး အပါအဝင် အရပ်သား ၃ ဦး ဒဏ်ရာရရှိခဲ့သည်။ အိမ်ခြေ ၆၀ ခန့် ထွက်ပြေးခဲ့ရသည်။"
    )
    assert figures(text, "metric", "value", "qualifier", "unit") == [
        ("currently_displaced", "2000", "approximately", "people"),
        ("killed", "10", "at_least", "people"),
        ("injured", "3", "exact", "people"),
        ("newly_displaced", "60", "approximately", "households"),
    ]


def test_offsets_point_into_the_text(gazetteer):
    text = "Header line\n\nOn Tuesday, junta airstrikes killed at least 5 civilians in Demoso."
    [candidate] = extract(text, published=PUBLISHED).candidates
    assert text[candidate.sentence_start : candidate.sentence_end] == candidate.sentence
    assert text[candidate.figure_start : candidate.figure_end] == "at least 5"


@pytest.mark.parametrize(
    "text",
    [
        "Trois civils ont été tués à Loikaw mardi selon les habitants du village voisin.",
        "Tres civiles murieron en Loikaw el martes según los vecinos del pueblo cercano.",
        "克耶邦的战斗中有16位平民丧生，大约35000人撤离。" * 3,
        "ในรัฐคะยา มีพลเรือนเสียชีวิต 16 คน",
        "12345 !!!",
    ],
)
def test_other_languages_are_not_supported_yet(gazetteer, text):
    with pytest.raises(IntakeInputError) as refused:
        extract(text, published=PUBLISHED)
    assert (refused.value.field, refused.value.message) == (
        "language",
        "Only English and Burmese are supported yet.",
    )


def test_a_language_asked_for_must_be_english_or_burmese(gazetteer):
    with pytest.raises(IntakeInputError) as refused:
        extract("5 civilians were killed.", published=PUBLISHED, language="th")
    assert refused.value.field == "language"
    assert figures("5 civilians were killed.", "metric", language="en") == [("killed",)]


def test_empty_text_is_refused(gazetteer):
    with pytest.raises(IntakeInputError) as refused:
        extract("  \n ", published=PUBLISHED)
    assert (refused.value.field, refused.value.message) == ("text", "There is no text to read.")


def test_noise_is_read_without_error(gazetteer):
    """What a fuzzer or a broken paste sends: long runs of capitals or digits (a regular
    expression with an unbounded repeat went quadratic on 20,000 capitals; int() refuses
    thousands of digits)."""
    assert extract("A" * 20_000, published=PUBLISHED).candidates == []
    assert extract("1" * 20_000, published=PUBLISHED, language="en").candidates == []
    assert extract("၁" * 20_000 + " ဦး သေဆုံး", published=PUBLISHED, language="my").candidates == []
    assert figures("12345678901234 people fled.", "value") == []


@pytest.mark.parametrize("published", [date.min, date.max, date(2024, 2, 29)])
def test_publication_dates_at_the_calendars_edges(gazetteer, published):
    text = (
        "The offensive began on November 11. Last month 3 civilians were killed. On Nov. 5, "
        "2 civilians were injured. In the first 10 days, 40 people fled. Yesterday 5 houses burned."
    )
    assert [c.value for c in extract(text, published=published).candidates] == [3, 2, 40, 5]
