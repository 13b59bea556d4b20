"""Whatever a person types, validation answers with a ValidationError naming fields, never a
crash; and what it accepts always has ordered low/best/high counts."""

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.figures import clean_figure, counts
from reports.services import clean_report_fields, clean_tags
from reports.vocabulary import Metric, Qualifier, Unit

typed = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "4.4", "1e9", "NaN", "-0", "12", "٣", "၁၂"]),
)


@settings(max_examples=400, deadline=None)
@given(
    metric=st.one_of(st.sampled_from(Metric.values), st.text(max_size=8)),
    qualifier=st.one_of(st.sampled_from(Qualifier.values), st.none(), st.text(max_size=5)),
    unit=st.one_of(st.sampled_from(Unit.values), st.none(), st.text(max_size=5)),
    value=typed,
    value_min=typed,
    value_max=typed,
    household_size=typed,
    women=typed,
    girls=typed,
)
def test_figures_either_clean_or_name_their_fields(**data):
    try:
        cleaned = clean_figure(data)
    except ValidationError as exc:
        assert exc.message_dict and all(exc.message_dict.values())
        return
    low, best, high = counts(
        qualifier=cleaned["qualifier"],
        value=cleaned["value"],
        value_min=cleaned["value_min"],
        value_max=cleaned["value_max"],
        unit=cleaned["unit"],
        household_size=cleaned["household_size"],
    )
    assert 0 <= low <= best <= high


@settings(max_examples=300, deadline=None)
@given(
    title=typed,
    start_date=typed,
    end_date=typed,
    latitude=typed,
    longitude=typed,
    cause=typed,
    date_precision=typed,
    location_precision=typed,
    public_summary=typed,
)
def test_report_fields_either_clean_or_name_their_fields(**data):
    try:
        clean_report_fields({**data, "place": None})
    except ValidationError as exc:
        assert "place" in exc.message_dict
        assert all(exc.message_dict.values())
    else:
        raise AssertionError("a report without a place was accepted")


@given(st.lists(st.one_of(st.text(max_size=120), st.integers()), max_size=30))
def test_tags_either_clean_or_say_why(tags):
    try:
        names = clean_tags(tags)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["tags"]
    else:
        assert len(names) <= 20 and all(0 < len(n) <= 100 for n in names)
