"""The extractor on every labelled text (intake/data/labelled/): its candidates are the labels,
except for the disagreements listed here, each one a known limit (docs/intake.md). A change that
fixes one or breaks another fails here, so the list stays the truth. h* texts were kept out of
tuning: their disagreements are recorded, not worked around."""

import pytest

from intake.evaluation import evaluate, field_value, load_labels, run

FIELDS = ("metric", "value", "qualifier", "unit", "place", "span", "source", "cause")

KNOWN = {
    "t01": [("3 KNDF fighters", "place", "MMR002002702", "MMR002002026")],
    "t02": [("40 and 50 people", "place", "MMR002003010", "MMR002003")],
    "t03": [],
    "t04": [
        ("85 households", "place", "MMR002004701", "MMR002004"),
        ("400 people", "place", "MMR002004701", "MMR002004"),
    ],
    "t05": [
        (
            "A 60-year-old farmer",
            "source",
            ("myanmar now", "news_media"),
            ("knplf", "party_to_conflict"),
        ),
        ("Dozens of families", "cause", "artillery", None),
    ],
    "t06": [],
    "t07": [],
    "t08": [
        ("16 civilians", "span", ("2023-11-11", "2023-11-20"), ("2023-11-11", "2023-11-30")),
        ("40,000 Loikaw residents", "cause", "ground_assault", None),
    ],
    "s000": [],
    "s001": [
        ("extra", "hundreds", "killed", None),
        ("hundreds of junta soldiers", "span", (None, None), ("2023-11-11", "2024-01-25")),
        ("hundreds of junta soldiers", "cause", None, "ground_assault"),
        ("extra", "Tens of Thousands", "newly_displaced", "combatants"),
        ("extra", "Tens of Thousands", "newly_displaced", "combatants"),
        ("extra", "Two", "killed", "combatants"),
        ("extra", "Two", "killed", "combatants"),
    ],
    "s003": [],
    "h01": [
        ("extra", "a mother", "killed", None),
        ("150 people", "span", ("2024-05-05", "2024-05-05"), ("2024-05-05", "2024-05-06")),
        ("missed", "Three more"),
    ],
    "h02": [],
    "h03": [],
    "h04": [
        ("၃၅,၀၀၀ ခန့်", "span", ("2023-11-11", "2023-11-11"), ("2023-11-11", "2023-12-01")),
        ("၂ ကျောင်း", "span", ("2023-11-11", "2023-11-11"), ("2023-11-11", "2023-12-01")),
        ("၇ ဦး", "span", ("2023-11-11", "2023-11-11"), ("2023-11-11", "2023-12-01")),
    ],
}


def disagreements(name: str) -> list[tuple]:
    label = next(label for label in load_labels() if label.name == name)
    outcome = run(label)
    found: list[tuple] = []
    for candidate, expected in outcome.pairs:
        if expected is None:
            words = candidate.sentence[
                candidate.figure_start - candidate.sentence_start : candidate.figure_end
                - candidate.sentence_start
            ]
            found.append(("extra", words, candidate.metric, candidate.excluded_reason))
            continue
        for field in (*FIELDS, "excluded_reason"):
            got, want = field_value(field, candidate), field_value(field, expected)
            if got != want:
                found.append((expected["quote"], field, got, want))
    found += [("missed", expected["quote"]) for expected in outcome.missed]
    return found


def test_every_labelled_text_is_checked():
    assert sorted(label.name for label in load_labels()) == sorted(KNOWN)
    assert [label.name for label in load_labels() if label.held_out] == [
        "h01", "h02", "h03", "h04"
    ]  # fmt: skip


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_the_extractor_gives_the_labelled_candidates(gazetteer, parties, name):
    assert disagreements(name) == KNOWN[name]


MILITARY = "Myanmar military"  # the moderators' name for the party (conftest `parties`)


def test_a_labelled_field_account_candidate_by_candidate(gazetteer, parties):
    """t01, whole: what the screen shows for a partner's message."""
    label = next(label for label in load_labels() if label.name == "t01")
    candidates = [candidate.as_json() for candidate in run(label).candidates]
    shown = [
        {key: c[key] for key in ("metric", "value", "qualifier", "unit", "place_pcode",
                                 "place_text", "start_date", "end_date", "date_precision",
                                 "cause", "perpetrator", "source_name", "source_type",
                                 "excluded_reason")}
        for c in candidates
    ]  # fmt: skip
    common = {
        "unit": "people",
        "start_date": "2023-11-18",
        "end_date": "2023-11-18",
        "date_precision": "day",
        "source_name": "Kayah Civil Society Monitor",
        "source_type": "local_cso",
    }
    assert shown == [
        common | {"metric": "killed", "value": 4, "qualifier": "at_least",
                  "place_pcode": "MMR002002026", "place_text": "Daw Ta Ma Gyi village tract",
                  "cause": "airstrike", "perpetrator": MILITARY, "excluded_reason": None},
        common | {"metric": "injured", "value": 7, "qualifier": "exact",
                  "place_pcode": "MMR002002026", "place_text": "Daw Ta Ma Gyi village tract",
                  "cause": "airstrike", "perpetrator": MILITARY, "excluded_reason": None},
        common | {"metric": "newly_displaced", "value": 600, "qualifier": "approximately",
                  "place_pcode": "MMR002002026", "place_text": "Daw Ta Ma Gyi village tract",
                  "cause": "airstrike", "perpetrator": MILITARY, "excluded_reason": None},
        common | {"metric": "killed", "value": 3, "qualifier": "exact",
                  "place_pcode": "MMR002002702", "place_text": "Nan Mei Khon",
                  "cause": "ground_assault", "perpetrator": None,
                  "excluded_reason": "combatants"},
    ]  # fmt: skip
    text = (label.raw).decode()
    for candidate in candidates:
        assert (
            text[candidate["sentence_start"] : candidate["sentence_end"]] == candidate["sentence"]
        )
    assert [text[c["figure_start"] : c["figure_end"]] for c in candidates] == [
        "At least 4", "7", "Around 600", "3"
    ]  # fmt: skip


def test_the_measured_quality(gazetteer, parties):
    """The figures docs/intake.md reports; never a combatant figure proposed."""
    reports = evaluate()
    tuning, held_out = reports["tuning"], reports["held out"]
    assert (tuning.figures.correct, tuning.figures.proposed, tuning.figures.expected) == (
        26,
        27,
        26,
    )
    assert (held_out.figures.correct, held_out.figures.proposed, held_out.figures.expected) == (
        8,
        9,
        9,
    )
    assert reports["all"].combatants_proposed == 0
    assert (reports["all"].combatants_listed, reports["all"].combatants_expected) == (8, 8)
    assert (reports["all"].refusals_right, reports["all"].refusals_expected) == (1, 1)
