"""Rule 5: a figure covering others (its place contains theirs, its span contains theirs) is never
added to them. A question containing it counts the larger of it and the sum of what it covers;
its remainder shows as "unspecified within <area>" or "spanning beyond <period>". Moderators can
mark two figures as separate. Hand-computed scenarios with invented numbers."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from reports import aggregates, services
from reports.aggregates import Question
from reports.exceptions import ActionRefused
from reports.models import SeparateFigures
from tests.aggregates.conftest import as_tuple, ask, spanning
from tests.conftest import source_fields

D = date


def by_area(answer, metric):
    return [(r.pcode, r.totals[metric].best) for r in answer.by_area]


# --- 1. a two-year tally beside monthly reports inside it --------------------------------------

TALLY = dict(start=D(2021, 2, 1), end=D(2023, 3, 31))  # the tally's own dates
YEAR_2023 = dict(start=D(2023, 1, 1), end=D(2023, 12, 31))


@pytest.fixture
def tally(file):
    """A monitor's tally of civilians killed in Kayah since February 2021, published in April
    2023, and three monthly township reports inside it: 7 + 5 + 10 = 22 of its 500."""
    return {
        "tally": file(
            "kayah",
            D(2021, 2, 1),
            D(2023, 3, 31),
            [("killed", 500)],
            title="Civilians killed in Karenni since the coup",
            published=D(2023, 4, 5),
        ),
        "feb": file("loikaw", D(2023, 2, 1), None, [("killed", 7)], precision="month"),
        "mar": file("demoso", D(2023, 3, 1), None, [("killed", 5)], precision="month"),
        "jun": file("loikaw", D(2022, 6, 1), None, [("killed", 10)], precision="month"),
    }


def test_a_year_inside_the_tally_counts_its_months_and_shows_the_tally_beyond(tally):
    answer = ask("killed", **YEAR_2023)
    assert as_tuple(answer.totals["killed"]) == (12, 12, 12, 2, 2, 2)
    # Beside the total: the tally, with its dates, its 500 and the 478 it adds beyond the 22 of
    # the monthly reports it covers.
    assert spanning(answer.beyond["killed"]) == [
        (tally["tally"].pk, D(2021, 2, 1), D(2023, 3, 31), 500, 478)
    ]
    [shown] = answer.beyond["killed"]
    assert (shown.event_id, shown.name, shown.pcode) == (
        None,
        "Civilians killed in Karenni since the coup",
        "MMR002",
    )
    assert as_tuple(shown.counted) == (500, 500, 500, 1, 1, 1)
    assert (shown.adds.best, shown.adds.low, shown.adds.high) == (478, 478, 478)
    assert answer.longer.get("killed", []) == []


def test_a_month_inside_the_tally_counts_that_month_only(tally):
    february = ask("killed", start=D(2023, 2, 1), end=D(2023, 2, 28))
    assert as_tuple(february.totals["killed"]) == (7, 7, 7, 1, 1, 1)
    assert [f.report_id for f in february.beyond["killed"]] == [tally["tally"].pk]
    assert ask("killed", start=D(2023, 3, 1), end=D(2023, 3, 31)).totals["killed"].best == 5
    year_2022 = ask("killed", start=D(2022, 1, 1), end=D(2022, 12, 31))
    assert year_2022.totals["killed"].best == 10
    assert [f.report_id for f in year_2022.beyond["killed"]] == [tally["tally"].pk]
    # After the tally ends, nothing of it is beside the total.
    assert ask("killed", start=D(2023, 4, 1), end=D(2023, 12, 31)).beyond.get("killed", []) == []


def test_the_tallys_whole_span_counts_the_larger_of_it_and_what_it_covers(tally):
    answer = ask("killed", **TALLY, area="MMR002", level=3)
    # max(500, 7 + 5 + 10) = 500: four events, four reports, four sources behind it.
    assert as_tuple(answer.totals["killed"]) == (500, 500, 500, 4, 4, 4)
    assert answer.beyond.get("killed", []) == []
    # The townships show their own reports; the tally's remainder is unspecified within Kayah.
    assert [(r.pcode, r.unspecified, r.totals["killed"].best) for r in answer.by_area] == [
        ("MMR002001", False, 17),
        ("MMR002002", False, 5),
        (None, True, 478),
    ]
    assert answer.by_area[-1].name == "Unspecified within Kayah"
    # By state (everywhere): all of it in Kayah.
    assert by_area(ask("killed", **TALLY), "killed") == [("MMR002", 500)]
    # A longer question holds the tally too.
    assert ask("killed", start=D(2020, 1, 1), end=D(2023, 12, 31)).totals["killed"].best == 500
    # A township does not hold the state's tally: only its own reports.
    assert ask("killed", **TALLY, area="MMR002001").totals["killed"].best == 17


def test_the_evidence_says_what_the_tally_covers_and_adds(tally):
    lines = aggregates.evidence(Question(**TALLY), "killed")
    assert len(lines) == 4
    line = next(x for x in lines if x.reference_report_id == tally["tally"].pk)
    assert (line.start, line.end, line.covers) == (D(2021, 2, 1), D(2023, 3, 31), 3)
    assert line.counted.best == 500 and line.adds.best == 478
    february = next(x for x in lines if x.reference_report_id == tally["feb"].pk)
    assert (february.start, february.end, february.covers) == (D(2023, 2, 1), D(2023, 2, 28), 0)
    assert sum((x.adds or x.counted).best for x in lines) == 500


def test_a_monthly_series_over_a_year_inside_the_tally(tally):
    answer = ask("killed", **YEAR_2023, period="month")
    assert [(r.label, r.totals["killed"].best) for r in answer.by_period] == [
        ("Jan 2023", 0),
        ("Feb 2023", 7),
        ("Mar 2023", 5),
        *[(f"{month} 2023", 0) for month in ("Apr", "May", "Jun", "Jul", "Aug", "Sep")],
        *[(f"{month} 2023", 0) for month in ("Oct", "Nov", "Dec")],
    ]
    assert answer.totals["killed"].best == 12
    assert [f.report_id for f in answer.beyond["killed"]] == [tally["tally"].pk]
    assert answer.longer.get("killed", []) == []


def test_a_yearly_series_over_the_tallys_span_shows_it_on_its_own_line(tally):
    answer = ask("killed", **TALLY, period="year")
    assert [(r.start, r.end, r.label, r.totals["killed"].best) for r in answer.by_period] == [
        (D(2021, 2, 1), D(2021, 12, 31), "2021", 0),
        (D(2022, 1, 1), D(2022, 12, 31), "2022", 10),
        (D(2023, 1, 1), D(2023, 3, 31), "2023", 12),
    ]
    assert spanning(answer.longer["killed"]) == [
        (tally["tally"].pk, D(2021, 2, 1), D(2023, 3, 31), 500, 478)
    ]
    assert answer.beyond.get("killed", []) == []
    # 0 + 10 + 12 + 478 = 500
    assert (
        sum(r.totals["killed"].best for r in answer.by_period)
        + sum(f.adds.best for f in answer.longer["killed"])
        == answer.totals["killed"].best
        == 500
    )


# --- 2. a nationwide figure since a date beside a township figure inside it --------------------


@pytest.fixture
def nationwide(file):
    return {
        "un": file(
            "MMR",
            D(2023, 10, 27),
            D(2023, 12, 1),
            [("newly_displaced", 335000)],
            title="Newly displaced since 27 October",
        ),
        "loikaw": file("loikaw", D(2023, 11, 10), None, [("newly_displaced", 2000)]),
    }


def test_a_nationwide_figure_since_a_date_covers_a_township_figure_inside_it(nationwide):
    year = ask("newly_displaced", **YEAR_2023)
    # 335,000, not 337,000: the township's 2,000 are part of the nationwide figure.
    assert as_tuple(year.totals["newly_displaced"]) == (335000, 335000, 335000, 2, 2, 2)
    assert year.beyond.get("newly_displaced", []) == []
    assert by_area(year, "newly_displaced") == [("MMR002", 2000), (None, 333000)]
    assert (
        ask("newly_displaced", start=D(2023, 10, 27), end=D(2023, 12, 1))
        .totals["newly_displaced"]
        .best
        == 335000
    )
    assert ask("newly_displaced", **YEAR_2023, area="MMR").totals["newly_displaced"].best == 335000


def test_a_month_inside_the_nationwide_figure_counts_the_township_and_shows_the_rest_beyond(
    nationwide,
):
    november = ask("newly_displaced", start=D(2023, 11, 1), end=D(2023, 11, 30))
    assert as_tuple(november.totals["newly_displaced"]) == (2000, 2000, 2000, 1, 1, 1)
    assert spanning(november.beyond["newly_displaced"]) == [
        (nationwide["un"].pk, D(2023, 10, 27), D(2023, 12, 1), 335000, 333000)
    ]
    # Kayah's year does not hold a nationwide figure.
    assert ask("newly_displaced", **YEAR_2023, area="MMR002").totals["newly_displaced"].best == 2000


# --- 3. a state figure for a month beside a township incident in that month -------------------

NOVEMBER = dict(start=D(2023, 11, 1), end=D(2023, 11, 30))


def test_a_state_figure_for_a_month_shows_its_remainder_as_unspecified(file):
    file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month", title="S")
    file("loikaw", D(2023, 11, 14), None, [("newly_displaced", 500)], title="Incident")

    answer = ask("newly_displaced", **NOVEMBER, area="MMR002", level=3)
    assert as_tuple(answer.totals["newly_displaced"]) == (3000, 3000, 3000, 2, 2, 2)
    assert [(r.pcode, r.name, r.totals["newly_displaced"].best) for r in answer.by_area] == [
        ("MMR002001", "Loikaw Township", 500),
        (None, "Unspecified within Kayah", 2500),
    ]
    # The week of the incident holds it; the state's month reaches beyond the week.
    week = ask("newly_displaced", start=D(2023, 11, 13), end=D(2023, 11, 19))
    assert week.totals["newly_displaced"].best == 500
    assert [(f.counted.best, f.adds.best) for f in week.beyond["newly_displaced"]] == [(3000, 2500)]


def test_a_remainder_reads_with_its_range_around_its_best(world, file, field_partner, moderator):
    """3,000 at the state less a township's 400-600: the remainder is 2,500, between 2,400 and
    2,600; taken part by part (3,000 - 400 and 3,000 - 600) it would read "2,600-2,400"."""
    file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month", title="S")
    township = services.report_create(
        actor=field_partner,
        title="Between 400 and 600",
        place=world["loikaw"],
        start_date=D(2023, 11, 14),
        date_precision="day",
        figures=[
            {"metric": "newly_displaced", "qualifier": "range", "value_min": 400, "value_max": 600}
        ],
        sources=[world["source"]("Between 400 and 600", D(2023, 11, 14))],
    )
    services.report_submit(report=township, actor=field_partner)
    services.report_approve(report=township, actor=moderator)

    answer = ask("newly_displaced", **NOVEMBER, area="MMR002", level=3)
    # The question counts the larger of the state figure and the township's, part by part.
    assert as_tuple(answer.totals["newly_displaced"]) == (3000, 3000, 3000, 2, 2, 2)
    rows = [(r.pcode, *as_tuple(r.totals["newly_displaced"])[:3]) for r in answer.by_area]
    assert rows == [("MMR002001", 500, 400, 600), (None, 2500, 2400, 2600)]
    week = ask("newly_displaced", start=D(2023, 11, 13), end=D(2023, 11, 19))
    assert as_tuple(week.totals["newly_displaced"]) == (500, 400, 600, 1, 1, 1)
    [line] = week.beyond["newly_displaced"]
    assert as_tuple(line.counted)[:3] == (3000, 3000, 3000)
    assert as_tuple(line.adds)[:3] == (2500, 2400, 2600)


def test_a_remainder_less_an_at_least_figure_has_no_floor(file):
    """A tally of 400 killed in Kayah covers Loikaw's "at least 9" (June 2022) and Demoso's 10
    (February 2023): what is left for the rest of Kayah is at most 381, so 0 to 381 on its own,
    never "exactly 381". The question's total keeps the tally's 400 as its low and is open."""
    from reports.aggregates.from_base_tables import answer_from_base, evidence_from_base
    from reports.aggregates.question import make_plan

    tally = file("kayah", D(2021, 2, 1), D(2023, 3, 31), [("killed", 400)], title="Tally")
    at_least = {"metric": "killed", "qualifier": "at_least", "value": 9}
    file("loikaw", D(2022, 6, 1), None, [at_least], precision="month", title="At least 9")
    file("demoso", D(2023, 2, 1), None, [("killed", 10)], precision="month", title="Ten")

    whole = Question(metrics=("killed",), **TALLY, area="MMR002", level=3)
    answer = aggregates.answer(whole)
    total = answer.totals["killed"]
    assert (*as_tuple(total)[:3], total.high_open) == (400, 400, 400, True)
    rows = [(r.pcode, *as_tuple(r.totals["killed"])[:3], r.totals["killed"].high_open)
            for r in answer.by_area]  # fmt: skip
    assert rows == [
        ("MMR002001", 9, 9, 9, True),
        ("MMR002002", 10, 10, 10, False),
        (None, 381, 0, 381, False),
    ]
    # Beside 2023, the tally spans beyond: it adds 381, from 0.
    [line] = ask("killed", **YEAR_2023).beyond["killed"]
    assert (as_tuple(line.counted)[:3], as_tuple(line.adds)[:3]) == ((400, 400, 400), (381, 0, 381))
    # Its evidence says the same.
    [event] = [e for e in aggregates.evidence(whole, "killed") if e.reference_report_id == tally.pk]
    assert as_tuple(event.adds)[:3] == (381, 0, 381)
    # The base tables give the same, and the summaries agree with them.
    plan = make_plan(whole)
    assert answer_from_base(plan) == answer
    assert [e.adds for e in evidence_from_base(plan, "killed")] == [
        e.adds for e in aggregates.evidence(whole, "killed")
    ]
    assert aggregates.verify_summaries() == []


def test_a_covered_at_least_figure_in_the_same_row_leaves_the_floor(file):
    """Kayah's 100 in November covers the district's "at least 40": by township both are
    "unspecified within Kayah", one row holding the state's 100 whole (its floor too); by
    district the district's row is at least 40 and the state's remainder 60 has no floor."""
    from reports.aggregates.from_base_tables import answer_from_base
    from reports.aggregates.question import make_plan

    file("kayah", D(2023, 11, 1), None, [("killed", 100)], precision="month", title="Kayah")
    at_least = {"metric": "killed", "qualifier": "at_least", "value": 40}
    file("loikaw_district", D(2023, 11, 10), D(2023, 11, 20), [at_least], title="District")

    for level, rows in (
        (3, [(None, 100, 100, 100, True)]),
        (2, [("MMR002D001", 40, 40, 40, True), (None, 60, 0, 60, False)]),
    ):
        question = Question(metrics=("killed",), **NOVEMBER, area="MMR002", level=level)
        answer = aggregates.answer(question)
        assert [(r.pcode, *as_tuple(r.totals["killed"])[:3], r.totals["killed"].high_open)
                for r in answer.by_area] == rows  # fmt: skip
        assert answer_from_base(make_plan(question)) == answer
    assert aggregates.verify_summaries() == []


def test_township_figures_above_the_state_figure_count_as_their_sum(file):
    file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month", title="S")
    file("loikaw", D(2023, 11, 14), None, [("newly_displaced", 500)], title="Loikaw")
    file("demoso", D(2023, 11, 20), None, [("newly_displaced", 2800)], title="Demoso")
    # Another state's township is not inside Kayah's figure: it is added.
    file("pekon", D(2023, 11, 21), None, [("newly_displaced", 400)], title="Pekon")

    answer = ask("newly_displaced", **NOVEMBER, area="MMR002", level=3)
    # max(3000, 500 + 2800) = 3300; the state figure adds nothing.
    assert as_tuple(answer.totals["newly_displaced"]) == (3300, 3300, 3300, 3, 3, 3)
    rows = by_area(answer, "newly_displaced")
    assert [row for row in rows if row[0] is not None] == [("MMR002001", 500), ("MMR002002", 2800)]
    assert [best for pcode, best in rows if pcode is None] in ([], [0])
    assert ask("newly_displaced", **NOVEMBER).totals["newly_displaced"].best == 3700


def test_a_figure_covers_a_smaller_span_at_its_own_place(file):
    file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month", title="A")
    file("kayah", D(2023, 11, 14), None, [("newly_displaced", 500)], title="Day")
    answer = ask("newly_displaced", **NOVEMBER, area="MMR002")
    assert as_tuple(answer.totals["newly_displaced"]) == (3000, 3000, 3000, 2, 2, 2)
    assert by_area(answer, "newly_displaced") == [(None, 3000)]


def test_two_figures_for_the_same_place_and_dates_are_two_events_and_added(file):
    # Identical place and span: neither is larger, so neither covers the other.
    file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month", title="A")
    file("kayah", D(2023, 11, 1), D(2023, 11, 30), [("newly_displaced", 1000)], title="B")
    answer = ask("newly_displaced", **NOVEMBER)
    assert as_tuple(answer.totals["newly_displaced"]) == (4000, 4000, 4000, 2, 2, 2)


def test_a_figure_covers_only_figures_of_its_own_metric(file):
    file("kayah", D(2023, 11, 1), None, [("killed", 30)], precision="month", title="State")
    file("loikaw", D(2023, 11, 14), None, [("injured", 12)], title="Incident")
    answer = aggregates.answer(Question(**NOVEMBER, metrics=("killed", "injured")))
    assert (answer.totals["killed"].best, answer.totals["injured"].best) == (30, 12)


# --- 4. two figures marked separate ------------------------------------------------------------


def _mark_separate(one, other, moderator):
    first, second = sorted([one.figures.get(), other.figures.get()], key=lambda f: f.pk)
    SeparateFigures.objects.create(
        first=first,
        second=second,
        metric=first.metric,
        reason="The UN figure excludes people displaced within Loikaw town.",
        marked_by=moderator,
    )
    for report in (one, other):
        aggregates.follow_report(report)


def test_figures_marked_separate_are_added_and_unmarked_counted_as_the_larger(file, moderator):
    state = file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month")
    incident = file("loikaw", D(2023, 11, 14), None, [("newly_displaced", 500)], title="Incident")
    assert ask("newly_displaced", **NOVEMBER).totals["newly_displaced"].best == 3000

    _mark_separate(state, incident, moderator)
    answer = ask("newly_displaced", **NOVEMBER, area="MMR002", level=3)
    assert as_tuple(answer.totals["newly_displaced"]) == (3500, 3500, 3500, 2, 2, 2)
    assert by_area(answer, "newly_displaced") == [("MMR002001", 500), (None, 3000)]
    week = ask("newly_displaced", start=D(2023, 11, 13), end=D(2023, 11, 19))
    assert [(f.counted.best, f.adds.best) for f in week.beyond["newly_displaced"]] == [(3000, 3000)]

    SeparateFigures.objects.all().delete()
    for report in (state, incident):
        aggregates.follow_report(report)
    assert ask("newly_displaced", **NOVEMBER).totals["newly_displaced"].best == 3000


def _service(name):
    found = getattr(services, name, None)
    if found is None:
        pytest.skip(f"reports.services.{name} is not there yet")
    return found


def test_marking_separate_through_the_service(file, moderator):
    mark = _service("figures_mark_separate")
    state = file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month")
    incident = file("loikaw", D(2023, 11, 14), None, [("newly_displaced", 500)], title="Incident")
    mark(
        first=state.figures.get(),
        second=incident.figures.get(),
        actor=moderator,
        reason="The state figure excludes the incident.",
    )
    assert SeparateFigures.objects.count() == 1
    assert ask("newly_displaced", **NOVEMBER).totals["newly_displaced"].best == 3500
    _service("figures_unmark_separate")(
        first=state.figures.get(),
        second=incident.figures.get(),
        actor=moderator,
        reason="Marked by mistake.",
    )
    assert SeparateFigures.objects.count() == 0
    assert ask("newly_displaced", **NOVEMBER).totals["newly_displaced"].best == 3000


def test_a_figure_against_itself_or_another_metric_cannot_be_marked_separate(file, moderator):
    mark = _service("figures_mark_separate")
    both = file(
        "kayah",
        D(2023, 11, 1),
        None,
        [("newly_displaced", 3000), ("killed", 4)],
        precision="month",
    )
    displaced = both.figures.get(metric="newly_displaced")
    killed = both.figures.get(metric="killed")
    incident = file("loikaw", D(2023, 11, 14), None, [("killed", 2)], title="Incident")
    for first, second in [
        (displaced, displaced),
        (displaced, incident.figures.get()),
        (displaced, killed),
    ]:
        with pytest.raises((ActionRefused, ValidationError)):
            mark(first=first, second=second, actor=moderator, reason="A source says so.")
    assert SeparateFigures.objects.count() == 0
    assert ask("killed", **NOVEMBER).totals["killed"].best == 4


# --- 9. covering inside a filtered question (the base-table path) ------------------------------


def test_covering_holds_inside_a_cause_filtered_question(file):
    for place, start, precision, value, title in [
        ("loikaw", D(2023, 2, 1), "month", 7, "Feb"),
        ("demoso", D(2023, 3, 1), "month", 5, "Mar"),
        ("loikaw", D(2022, 6, 1), "month", 10, "Jun"),
    ]:
        file(place, start, None, [("killed", value)], precision=precision, cause="airstrike",
             title=title)  # fmt: skip
    tally = file("kayah", D(2021, 2, 1), D(2023, 3, 31), [("killed", 500)], cause="airstrike",
                 title="Killed by airstrikes since the coup")  # fmt: skip

    answer = ask("killed", **TALLY, cause="airstrike", area="MMR002", level=3)
    assert as_tuple(answer.totals["killed"]) == (500, 500, 500, 4, 4, 4)
    assert by_area(answer, "killed") == [("MMR002001", 17), ("MMR002002", 5), (None, 478)]
    year = ask("killed", **YEAR_2023, cause="airstrike")
    assert year.totals["killed"].best == 12
    assert spanning(year.beyond["killed"]) == [(tally.pk, D(2021, 2, 1), D(2023, 3, 31), 500, 478)]


def test_a_filter_decides_what_the_covering_figure_covers(file):
    file("loikaw", D(2023, 2, 1), None, [("killed", 7)], precision="month", cause="airstrike",
         tags=["Since the coup"], title="Feb")  # fmt: skip
    file("demoso", D(2023, 3, 1), None, [("killed", 5)], precision="month", cause="artillery",
         tags=["Since the coup"], title="Mar")  # fmt: skip
    file("loikaw", D(2022, 6, 1), None, [("killed", 10)], precision="month", cause="airstrike",
         title="Jun")  # fmt: skip
    file("kayah", D(2021, 2, 1), D(2023, 3, 31), [("killed", 500)], cause="airstrike",
         tags=["since the coup"], title="Tally")  # fmt: skip

    # Airstrikes: the tally covers February and June (17 of them), not March's artillery.
    airstrikes = ask("killed", **TALLY, cause="airstrike", area="MMR002", level=3)
    assert as_tuple(airstrikes.totals["killed"]) == (500, 500, 500, 3, 3, 3)
    assert by_area(airstrikes, "killed") == [("MMR002001", 17), (None, 483)]
    # The tag: the tally covers February and March (12).
    tagged = ask("killed", **TALLY, tag="Since the coup", area="MMR002", level=3)
    assert as_tuple(tagged.totals["killed"]) == (500, 500, 500, 3, 3, 3)
    assert by_area(tagged, "killed") == [("MMR002001", 7), ("MMR002002", 5), (None, 488)]
    # Artillery: the tally is not in the evidence, March stands alone.
    assert as_tuple(ask("killed", **TALLY, cause="artillery").totals["killed"]) == (
        5, 5, 5, 1, 1, 1,
    )  # fmt: skip


def test_a_tally_without_the_cause_asked_leaves_only_the_incidents(file):
    for place, start, value, title in [
        ("loikaw", D(2023, 2, 1), 7, "Feb"),
        ("demoso", D(2023, 3, 1), 5, "Mar"),
        ("loikaw", D(2022, 6, 1), 10, "Jun"),
    ]:
        file(place, start, None, [("killed", value)], precision="month", cause="airstrike",
             title=title)  # fmt: skip
    file("kayah", D(2021, 2, 1), D(2023, 3, 31), [("killed", 500)], title="Tally")

    answer = ask("killed", **TALLY, cause="airstrike", area="MMR002", level=3)
    assert as_tuple(answer.totals["killed"]) == (22, 22, 22, 3, 3, 3)
    assert by_area(answer, "killed") == [("MMR002001", 17), ("MMR002002", 5)]
    assert ask("killed", **YEAR_2023, cause="airstrike").beyond.get("killed", []) == []
    # Without the filter the tally covers them again.
    assert ask("killed", **TALLY).totals["killed"].best == 500


def test_a_separate_mark_holds_for_its_own_metric_only(file, moderator):
    tally = file(
        "kayah",
        date(2023, 1, 1),
        date(2023, 6, 30),
        [("killed", 100), ("newly_displaced", 1000)],
        title="Tally",
    )
    inner = file("loikaw", date(2023, 2, 10), None, [("killed", 10), ("newly_displaced", 300)])
    year = {"start": date(2023, 1, 1), "end": date(2023, 12, 31)}
    services.figures_mark_separate(
        actor=moderator,
        first=tally.figures.get(metric="killed"),
        second=inner.figures.get(metric="killed"),
        reason="The tally leaves this township's killings out.",
    )
    assert ask("killed", **year).totals["killed"].best == 110
    # Displacement is still covered: the larger of 1,000 and 300.
    assert ask("newly_displaced", **year).totals["newly_displaced"].best == 1000
    # The same from the base tables (a question narrowing the evidence).
    filtered = aggregates.answer(
        Question(metrics=("newly_displaced", "killed"), source_type="news_media", **year)
    )
    assert (filtered.totals["killed"].best, filtered.totals["newly_displaced"].best) == (110, 1000)


def test_making_a_cited_source_confidential_counts_it_once_per_report(world, file, moderator):
    shared = world["source"]("Shared monitor", date(2023, 3, 1))
    for place, day, killed in (("loikaw", 10, 4), ("demoso", 12, 5)):
        report = file(place, date(2023, 2, day), None, [("killed", killed)], title=place)
        services.report_update(report=report, actor=moderator, sources=[shared])
    year = {"start": date(2023, 1, 1), "end": date(2023, 12, 31)}
    assert ask("killed", **year).totals["killed"].sources == 1
    services.source_update(
        actor=moderator, source=shared, **source_fields(shared, is_confidential=True)
    )
    # Two reports citing one confidential source read like two reports citing two.
    assert ask("killed", **year).totals["killed"].sources == 2
    assert ask("killed", source_type="news_media", **year).totals["killed"].sources == 2
    assert aggregates.verify_summaries() == []


def test_the_evidence_page_says_which_figures_count_separately_never_why(client, file, moderator):
    tally = file("kayah", date(2023, 1, 1), date(2023, 6, 30), [("killed", 100)], title="Tally")
    inner = file("loikaw", date(2023, 2, 10), None, [("killed", 10)], title="Loikaw shelling")
    services.figures_mark_separate(
        actor=moderator,
        first=tally.figures.get(),
        second=inner.figures.get(),
        reason="Internal: the monitor told us by phone.",
    )
    page = client.get("/dashboard/evidence/?metric=killed&start=2023-01-01&end=2023-12-31")
    text = " ".join(page.content.decode().split())
    assert (
        "Counted separately from (a moderator found a source saying one leaves the other out): "
        f"Loikaw shelling (#{inner.pk})"
    ) in text
    assert f"Tally (#{tally.pk})" in text
    assert "by phone" not in text


# --- two covering figures that do not cover each other, over one event -------------------------


def test_two_covering_figures_around_one_disagreed_event_keep_the_range_around_the_best(world):
    """Kayah's 90 killed from 5 to 20 November and Loikaw District's 90 for all November do not
    cover each other (one is wider in place, the other in time), but both cover a Loikaw
    township event whose two reports say 10 and 100. Each covering figure adds nothing beyond
    the event's 100, and would add 80 beyond its 10: taken part by part the low came out at
    10 + 80 + 80 = 170, above the best of 100. The total reads its range around its best, as a
    remainder does (Total.in_order): 100, from 100 to 170 (the most: the event at 10, each
    covering figure's 80 on top)."""
    from reports.aggregates.from_base_tables import answer_from_base
    from reports.aggregates.question import make_plan

    report, event = world["report"], world["event"]()
    report("kayah", D(2023, 11, 20), [("killed", 90)], start=D(2023, 11, 5))
    report("loikaw_district", D(2023, 11, 30), [("killed", 90)], start=D(2023, 11, 1))
    low = report("loikaw", D(2023, 11, 10), [("killed", 10)], event=event)
    high = report(
        "loikaw", D(2023, 11, 10), [("killed", 100)], event=event,
        sources=[world["source"]("Later count", D(2023, 11, 25))],
    )  # fmt: skip
    question = Question(
        metrics=("killed",), area="MMR002", start=D(2023, 11, 1), end=D(2023, 11, 30)
    )
    answer = aggregates.answer(question)
    total = answer.totals["killed"]
    assert (total.best, total.low, total.high, total.events, total.reports) == (100, 100, 170, 3, 4)
    assert answer_from_base(make_plan(question)) == answer
    [counted] = [e for e in aggregates.evidence(question, "killed") if e.covers == 0]
    assert (counted.reference_report_id, counted.range_low, counted.range_high) == (
        high.pk, 10, 100,
    )  # fmt: skip
    assert low.pk in counted.report_ids


def test_a_range_turned_around_never_reads_at_most(world):
    """Kayah's "at most 100" and Loikaw District's 100 over a Loikaw event of 70, then 40-60:
    the event adds 50 (40-70), each covering figure 50 beyond its best, 0 and 60 beyond its
    low and 30 beyond its high, so the high summed (130) is below the best (150). Turned around
    it reads 150 (100-150), where 150 is no bound: the most is 160 (the event at 40, 60 more
    from each). It reads as a range, never "at most 150"; the mark that an "at most" figure
    adds to it is kept."""
    report, event = world["report"], world["event"]()
    at_most = {"metric": "killed", "qualifier": "at_most", "value": 100}
    report("kayah", D(2023, 11, 20), [at_most], start=D(2023, 11, 5))
    report("loikaw_district", D(2023, 11, 30), [("killed", 100)], start=D(2023, 11, 1))
    report("loikaw", D(2023, 11, 10), [("killed", 70)], event=event)
    between = {"metric": "killed", "qualifier": "range", "value_min": 40, "value_max": 60}
    report(
        "loikaw", D(2023, 11, 10), [between], event=event,
        sources=[world["source"]("Later count", D(2023, 11, 25))],
    )  # fmt: skip
    total = ask("killed", area="MMR002", start=D(2023, 11, 1), end=D(2023, 11, 30)).totals["killed"]
    assert (total.best, total.low, total.high, total.at_most) == (150, 100, 150, True)
    assert (total.reordered, total.qualifier) == (True, "exact")
