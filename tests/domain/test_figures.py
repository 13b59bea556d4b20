"""One figure's rules: validation messages and the derived low/best/high count."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reports.figures import clean_figure, counts, whole_number


def errors_of(data):
    with pytest.raises(ValidationError) as caught:
        clean_figure(data)
    return {field: msgs[0] for field, msgs in caught.value.message_dict.items()}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (dict(qualifier="exact", value=16), (16, 16, 16)),
        (dict(qualifier="at_least", value=40000), (40000, 40000, 40000)),
        (dict(qualifier="range", value_min=300, value_max=501), (300, 400, 501)),
        (
            dict(qualifier="approximately", value=10, unit="households", household_size="4.4"),
            (44, 44, 44),
        ),
        (
            dict(
                qualifier="range",
                value_min=1500,
                value_max=2000,
                unit="households",
                household_size="4.4",
            ),
            (6600, 7700, 8800),
        ),
        (dict(qualifier="exact", value=3, unit="households", household_size="4.5"), (14, 14, 14)),
    ],
)
def test_counts(data, expected):
    cleaned = clean_figure({"metric": "newly_displaced", **data})
    assert (
        counts(
            qualifier=cleaned["qualifier"],
            value=cleaned["value"],
            value_min=cleaned["value_min"],
            value_max=cleaned["value_max"],
            unit=cleaned["unit"],
            household_size=cleaned["household_size"],
        )
        == expected
    )


def test_clean_fills_defaults():
    assert clean_figure({"metric": "homes_destroyed", "value": "12"}) == {
        "metric": "homes_destroyed",
        "qualifier": "exact",
        "value": 12,
        "value_min": None,
        "value_max": None,
        "unit": "structures",
        "household_size": None,
        "note": "",
        "women": None,
        "men": None,
        "girls": None,
        "boys": None,
        "destination": None,
    }
    cleaned = clean_figure(
        {"metric": "killed", "qualifier": "range", "value_min": 1, "value_max": 2}
    )
    assert (cleaned["value"], cleaned["value_min"], cleaned["value_max"]) == (None, 1, 2)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"metric": "people_sad", "value": 1},
            {
                "metric": "Unknown metric 'people_sad'; choose one of: newly_displaced, "
                "currently_displaced, returned, killed, injured, detained, homes_destroyed, "
                "religious_buildings_damaged, health_facilities_damaged, schools_damaged."
            },
        ),
        ({"metric": "killed", "value": -1}, {"value": "Cannot be negative."}),
        ({"metric": "killed", "value": "ten"}, {"value": "Enter a whole number."}),
        ({"metric": "killed", "value": 2.5}, {"value": "Enter a whole number."}),
        ({"metric": "killed", "value": 100_000_001}, {"value": "Cannot be more than 100,000,000."}),
        ({"metric": "killed"}, {"value": "Enter the number reported (or choose a range)."}),
        (
            {"metric": "killed", "qualifier": "range", "value_min": 500, "value_max": 300},
            {"value_min": "The minimum (500) is greater than the maximum (300)."},
        ),
        (
            {"metric": "killed", "qualifier": "range", "value_min": 5},
            {"value_max": "A range needs a maximum."},
        ),
        # A number the chosen qualifier does not take is refused, never dropped unsaid.
        (
            {"metric": "killed", "qualifier": "range", "value": 4, "value_min": 2, "value_max": 6},
            {
                "value": "A range is its minimum and maximum: leave the single number empty, or "
                "choose another qualifier."
            },
        ),
        (
            {"metric": "killed", "qualifier": "at_least", "value": 40, "value_max": 60},
            {
                "value_max": "Only a range has a minimum and a maximum: leave them empty, or "
                "choose “Between (range)”."
            },
        ),
        (
            {"metric": "newly_displaced", "value": 10, "unit": "households"},
            {"household_size": "A figure in households needs the people per household."},
        ),
        (
            {"metric": "newly_displaced", "value": 10, "unit": "households", "household_size": "0"},
            {"household_size": "Must be above 0 and at most 30."},
        ),
        (
            {
                "metric": "newly_displaced",
                "value": 10,
                "unit": "households",
                "household_size": "4.444",
            },
            {"household_size": "Use at most two decimal places."},
        ),
        (
            {"metric": "homes_destroyed", "value": 10, "unit": "people"},
            {"unit": "Homes destroyed cannot be counted in people."},
        ),
        (
            {"metric": "killed", "value": 5, "women": 3, "boys": 3},
            {"women": "Women, men, girls and boys add up to more than the figure (5)."},
        ),
        (
            {"metric": "schools_damaged", "value": 2, "girls": 1},
            {"women": "A sex and age breakdown is only for figures about people."},
        ),
        (
            {"metric": "killed", "value": 1, "qualifier": "roughly"},
            {"qualifier": "Unknown qualifier 'roughly'."},
        ),
    ],
)
def test_bad_figures_name_the_field(data, expected):
    assert errors_of(data) == expected


def test_breakdown_may_exceed_an_at_least_figure():
    cleaned = clean_figure({"metric": "killed", "qualifier": "at_least", "value": 5, "women": 6})
    assert cleaned["women"] == 6


def test_household_size_is_kept_as_decimal():
    cleaned = clean_figure(
        {"metric": "returned", "value": 2, "unit": "households", "household_size": 4.4}
    )
    assert cleaned["household_size"] == Decimal("4.4")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("35,000", 35000), (" 1,234,567 ", 1234567), ("၃၅,၀၀၀", 35000), ("၃၅၀၀၀", 35000)],
)
def test_a_number_grouped_by_thousands_reads_as_written(typed, expected):
    cleaned = clean_figure({"metric": "newly_displaced", "value": typed, "women": typed})
    assert (cleaned["value"], cleaned["women"]) == (expected, expected)


@pytest.mark.parametrize(
    "typed", ["35,00", "3,50,000", "35,000,", ",350", "35.000", "0,035", "1_0", "3 500", "35.0"]
)
def test_a_comma_that_is_not_a_thousands_separator_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        clean_figure({"metric": "newly_displaced", "value": typed})
    assert refused.value.message_dict == {"value": ["Enter a whole number."]}


def test_one_whole_number_reads_as_a_figures_numbers_do():
    assert whole_number(" ၃၅,၀၀၀ ") == 35000
    assert whole_number("") is None
    for typed, words in (("35.000", "Enter a whole number."), ("-3", "Cannot be negative.")):
        with pytest.raises(ValidationError) as refused:
            whole_number(typed)
        assert refused.value.messages == [words]
