"""Rule 3 and "A figure's span": a flow counts in a period only when its whole span lies inside
it; a figure reaching outside the period is shown beside the total ("spanning beyond"), and in
a series a figure longer than one period is on its own line (`longer`), so that the period rows
plus those lines make the total. Hand-computed scenarios with invented numbers."""

from datetime import date

from reports import aggregates
from reports.aggregates import Question, Total
from reports.aggregates.from_base_tables import answer_from_base
from reports.aggregates.question import make_plan
from reports.aggregates.spans import Span, span_of
from tests.aggregates.conftest import as_tuple, ask, spanning

D = date


def rows(answer, metric):
    return [(r.start, r.end, r.totals[metric].best) for r in answer.by_period]


# --- the span itself ---------------------------------------------------------------------------


def test_a_span_runs_from_the_first_day_of_the_start_to_the_last_day_of_the_end():
    assert span_of(D(2023, 11, 15), None) == Span(D(2023, 11, 15), D(2023, 11, 15))
    assert span_of(D(2023, 10, 27), D(2023, 12, 1)) == Span(D(2023, 10, 27), D(2023, 12, 1))
    # 15 November 2023 is a Wednesday: its week runs Monday 13 to Sunday 19.
    assert span_of(D(2023, 11, 15), None, "week") == Span(D(2023, 11, 13), D(2023, 11, 19))
    # 1 January 2022 is a Saturday: its week began in 2021.
    assert span_of(D(2022, 1, 1), None, "week") == Span(D(2021, 12, 27), D(2022, 1, 2))
    assert span_of(D(2024, 2, 10), None, "month") == Span(D(2024, 2, 1), D(2024, 2, 29))
    assert span_of(D(2023, 12, 5), None, "month") == Span(D(2023, 12, 1), D(2023, 12, 31))
    autumn = span_of(D(2023, 10, 27), D(2023, 12, 1), "month")
    assert autumn == Span(D(2023, 10, 1), D(2023, 12, 31))
    assert span_of(D(2023, 6, 1), None, "year") == Span(D(2023, 1, 1), D(2023, 12, 31))
    assert span_of(D(2021, 2, 1), D(2023, 3, 31), "year") == Span(D(2021, 1, 1), D(2023, 12, 31))

    month = Span(D(2023, 11, 1), D(2023, 11, 30))
    assert month.days == 30
    assert month.contains(Span(D(2023, 11, 1), D(2023, 11, 30)))
    assert month.contains(Span(D(2023, 11, 14), D(2023, 11, 14)))
    assert not month.contains(Span(D(2023, 10, 30), D(2023, 11, 2)))


# --- a flow in a period only when its whole span is inside -------------------------------------


def test_a_flow_reaching_across_two_months_counts_in_neither_and_is_shown_beside_both(file):
    across = file("loikaw", D(2023, 10, 30), D(2023, 11, 2), [("injured", 4)], title="Across")
    # Elsewhere, so that the figure across the months covers neither of them (rule 5).
    file("demoso", D(2023, 10, 31), None, [("injured", 2)], title="Last of October")
    file("pekon", D(2023, 11, 1), None, [("injured", 1)], title="First of November")

    october = ask("injured", start=D(2023, 10, 1), end=D(2023, 10, 31))
    assert as_tuple(october.totals["injured"]) == (2, 2, 2, 1, 1, 1)
    assert spanning(october.beyond["injured"]) == [
        (across.pk, D(2023, 10, 30), D(2023, 11, 2), 4, 4)
    ]
    [shown] = october.beyond["injured"]
    assert (shown.metric, shown.event_id, shown.name, shown.pcode) == (
        "injured",
        None,
        "Across",
        "MMR002001",
    )
    assert as_tuple(shown.counted) == (4, 4, 4, 1, 1, 1)

    november = ask("injured", start=D(2023, 11, 1), end=D(2023, 11, 30))
    assert as_tuple(november.totals["injured"]) == (1, 1, 1, 1, 1, 1)
    assert spanning(november.beyond["injured"]) == [
        (across.pk, D(2023, 10, 30), D(2023, 11, 2), 4, 4)
    ]

    # Its own dates, or any period holding them, count it.
    exactly = ask("injured", start=D(2023, 10, 30), end=D(2023, 11, 2))
    assert as_tuple(exactly.totals["injured"]) == (7, 7, 7, 3, 3, 3)
    assert exactly.beyond.get("injured", []) == []
    assert ask("injured", start=D(2023, 10, 15), end=D(2023, 11, 15)).totals["injured"].best == 7
    # Up to 31 October (from the beginning): it ends after the question does.
    until = ask("injured", end=D(2023, 10, 31))
    assert until.totals["injured"].best == 2
    assert [f.report_id for f in until.beyond["injured"]] == [across.pk]
    # Nothing is shown beside a period it does not touch.
    assert ask("injured", start=D(2023, 12, 1), end=D(2023, 12, 31)).beyond.get("injured", []) == []


def test_each_figure_crossing_a_boundary_of_the_question_is_shown_beyond_it_whatever_its_reach(
    file,
):
    # Within one month, within one year across a month's end, and across a year's end; in
    # three townships, so that none covers another (rule 5).
    mid = file("loikaw", D(2023, 3, 10), D(2023, 3, 20), [("injured", 4)], title="Mid-March")
    turn = file("demoso", D(2023, 5, 25), D(2023, 6, 5), [("injured", 3)], title="Turn of May")
    new_year = file("pekon", D(2023, 12, 20), D(2024, 1, 10), [("injured", 2)], title="New Year")
    # Across the turn of February (within a year), and a week across the turn of 2022.
    late_feb = file("loikaw", D(2023, 2, 25), D(2023, 3, 5), [("injured", 1)], title="Late Feb")
    week = file("pekon", D(2022, 12, 28), None, [("injured", 6)], precision="week", title="Week")

    # Boundaries inside months: each of the first two crosses one.
    spring = ask("injured", start=D(2023, 3, 15), end=D(2023, 6, 1))
    assert spanning(spring.beyond["injured"]) == [
        (mid.pk, D(2023, 3, 10), D(2023, 3, 20), 4, 4),
        (turn.pk, D(2023, 5, 25), D(2023, 6, 5), 3, 3),
    ]
    assert spring.totals["injured"].best == 0
    # Boundaries between months: the figure within one month crosses neither.
    march_to_may = ask("injured", start=D(2023, 3, 1), end=D(2023, 5, 31))
    assert spanning(march_to_may.beyond["injured"]) == [
        (turn.pk, D(2023, 5, 25), D(2023, 6, 5), 3, 3),
        (late_feb.pk, D(2023, 2, 25), D(2023, 3, 5), 1, 1),
    ]
    assert march_to_may.totals["injured"].best == 4
    # Boundaries between years: only the figures across a new year cross one.
    year = ask("injured", start=D(2023, 1, 1), end=D(2023, 12, 31))
    assert spanning(year.beyond["injured"]) == [
        (new_year.pk, D(2023, 12, 20), D(2024, 1, 10), 2, 2),
        (week.pk, D(2022, 12, 26), D(2023, 1, 1), 6, 6),
    ]
    assert year.totals["injured"].best == 8
    earlier = ask("injured", start=D(2022, 1, 1), end=D(2022, 12, 31))
    assert spanning(earlier.beyond["injured"]) == [(week.pk, D(2022, 12, 26), D(2023, 1, 1), 6, 6)]
    assert earlier.totals["injured"].best == 0
    next_year = ask("injured", start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert [f.report_id for f in next_year.beyond["injured"]] == [new_year.pk]
    assert next_year.totals["injured"].best == 0


def test_in_a_series_a_longer_figure_is_on_its_own_line_and_the_rows_and_lines_make_the_total(
    file,
):
    across = file("loikaw", D(2023, 10, 30), D(2023, 11, 2), [("injured", 4)], title="Across")
    # Elsewhere, so that the figure across the months covers neither of them (rule 5).
    file("demoso", D(2023, 10, 31), None, [("injured", 2)], title="Last of October")
    file("pekon", D(2023, 11, 1), None, [("injured", 1)], title="First of November")

    answer = ask("injured", start=D(2023, 10, 1), end=D(2023, 11, 30), period="month")
    assert [(r.label, r.totals["injured"].best) for r in answer.by_period] == [
        ("Oct 2023", 2),
        ("Nov 2023", 1),
    ]
    assert as_tuple(answer.totals["injured"]) == (7, 7, 7, 3, 3, 3)
    assert spanning(answer.longer["injured"]) == [
        (across.pk, D(2023, 10, 30), D(2023, 11, 2), 4, 4)
    ]
    assert answer.beyond.get("injured", []) == []
    assert (
        sum(r.totals["injured"].best for r in answer.by_period)
        + sum(f.adds.best for f in answer.longer["injured"])
        == 7
    )


def test_a_question_can_ask_for_only_the_largest_lines_and_is_told_how_many_more(file):
    # Three figures across October and November, in three townships; one also across the end.
    small = file("loikaw", D(2023, 10, 30), D(2023, 11, 2), [("injured", 4)], title="Small")
    large = file("demoso", D(2023, 10, 29), D(2023, 11, 3), [("injured", 9)], title="Large")
    file("pekon", D(2023, 10, 31), D(2023, 11, 1), [("injured", 6)], title="Middle")
    file("loikaw", D(2023, 11, 28), D(2023, 12, 2), [("injured", 3)], title="Beyond")
    file("pekon", D(2023, 11, 29), D(2023, 12, 3), [("injured", 5)], title="Beyond too")
    question = Question(metrics=("injured",), start=D(2023, 10, 1), end=D(2023, 11, 30),
                        period="month")  # fmt: skip

    every = aggregates.answer(question)
    assert [f.report_id for f in every.longer["injured"]] == [large.pk, small.pk, large.pk + 1]
    assert (every.longer_more, every.beyond_more) == ({}, {})
    two = aggregates.answer(question, lines=2)
    assert spanning(two.longer["injured"]) == [
        (large.pk, D(2023, 10, 29), D(2023, 11, 3), 9, 9),
        (large.pk + 1, D(2023, 10, 31), D(2023, 11, 1), 6, 6),
    ]
    assert two.longer_more == {"injured": 1}
    assert [f.adds.best for f in two.beyond["injured"]] == [5, 3] and two.beyond_more == {}
    one = aggregates.answer(question, lines=1)
    assert [f.adds.best for f in one.beyond["injured"]] == [5] and one.beyond_more == {"injured": 1}
    # What is listed changes; the totals and rows do not.
    assert (one.totals, one.by_period) == (every.totals, every.by_period)
    assert as_tuple(one.totals["injured"]) == (19, 19, 19, 3, 3, 3)
    # The base tables (questions by event are answered from them) choose the same lines.
    assert answer_from_base(make_plan(question), lines=1) == one


def test_a_monthly_series_over_years_lists_the_largest_longer_figures_and_counts_the_rest(file):
    # A series by month from 15 March 2022 to 30 June 2024: 2023 is its one whole year.
    file("loikaw", D(2022, 4, 28), D(2022, 5, 3), [("injured", 2)], title="Partial year before")
    file("loikaw", D(2023, 1, 30), D(2023, 2, 2), [("injured", 8)], title="Whole year")
    file("demoso", D(2023, 6, 29), D(2023, 7, 1), [("injured", 6)], title="Whole year, Demoso")
    file("pekon", D(2023, 8, 30), D(2023, 9, 2), [("injured", 11)], title="Whole year, Shan")
    file("loikaw", D(2023, 12, 30), D(2024, 1, 2), [("injured", 9)], title="Across a new year")
    file("demoso", D(2024, 5, 30), D(2024, 6, 2), [("injured", 4)], title="Partial year after")
    file("loikaw", D(2023, 3, 10), None, [("injured", 1)], title="Within a month")
    file("loikaw", D(2022, 3, 1), D(2022, 4, 2), [("injured", 50)], title="Beyond the start")
    file("loikaw", D(2024, 6, 29), D(2024, 7, 2), [("injured", 7)], title="Beyond the end")
    everywhere = Question(metrics=("injured",), start=D(2022, 3, 15), end=D(2024, 6, 30),
                          period="month")  # fmt: skip
    kayah = Question(metrics=("injured",), start=D(2022, 3, 15), end=D(2024, 6, 30),
                     period="month", area="MMR002")  # fmt: skip

    every = aggregates.answer(everywhere)
    assert sorted(f.adds.best for f in every.longer["injured"]) == [2, 4, 6, 8, 9, 11]
    two = aggregates.answer(everywhere, lines=2)
    assert [f.adds.best for f in two.longer["injured"]] == [9, 11]  # newest first
    assert two.longer_more == {"injured": 4}
    none = aggregates.answer(everywhere, lines=0)
    assert (none.longer, none.longer_more) == ({"injured": []}, {"injured": 6})
    in_kayah = aggregates.answer(kayah, lines=3)
    assert [f.adds.best for f in in_kayah.longer["injured"]] == [9, 6, 8]
    assert in_kayah.longer_more == {"injured": 2}
    assert as_tuple(in_kayah.totals["injured"]) == (30, 30, 30, 6, 6, 6)
    for question in (everywhere, kayah):
        for lines in (0, 1, 3):
            assert aggregates.answer(question, lines=lines) == answer_from_base(
                make_plan(question), lines=lines
            )


def test_a_week_precise_figure_spans_its_whole_week(file):
    # Reported for "the week of 29 November 2023" (a Wednesday): Monday 27 Nov to Sunday 3 Dec.
    week = file("demoso", D(2023, 11, 29), None, [("killed", 3)], precision="week", title="Week")

    november = ask("killed", start=D(2023, 11, 1), end=D(2023, 11, 30))
    assert november.totals["killed"] == Total.zero("killed")
    assert spanning(november.beyond["killed"]) == [(week.pk, D(2023, 11, 27), D(2023, 12, 3), 3, 3)]
    assert ask("killed", start=D(2023, 12, 1), end=D(2023, 12, 31)).totals["killed"].best == 0
    assert ask("killed", start=D(2023, 11, 27), end=D(2023, 12, 3)).totals["killed"].best == 3
    assert ask("killed", start=D(2023, 10, 1), end=D(2023, 12, 31)).totals["killed"].best == 3

    weekly = ask("killed", start=D(2023, 11, 20), end=D(2023, 12, 10), period="week")
    assert [(r.label, r.totals["killed"].best) for r in weekly.by_period] == [
        ("2023-W47", 0),
        ("2023-W48", 3),
        ("2023-W49", 0),
    ]
    assert weekly.longer.get("killed", []) == []


def test_a_month_figure_in_a_weekly_series_with_a_day_inside_it(file):
    # A monthly figure for Loikaw and one day's incident in Loikaw inside that month: the month
    # covers the day (rule 5), so the total is the larger, 40, not 46. The week holding the day
    # shows 6; the month is longer than a week and shows what it adds beyond the day, 34.
    month = file("loikaw", D(2023, 11, 1), None, [("killed", 40)], precision="month", title="Nov")
    file("loikaw", D(2023, 11, 14), None, [("killed", 6)], title="14 November")

    weekly = ask("killed", start=D(2023, 11, 1), end=D(2023, 11, 30), period="week")
    assert rows(weekly, "killed") == [
        (D(2023, 11, 1), D(2023, 11, 5), 0),
        (D(2023, 11, 6), D(2023, 11, 12), 0),
        (D(2023, 11, 13), D(2023, 11, 19), 6),
        (D(2023, 11, 20), D(2023, 11, 26), 0),
        (D(2023, 11, 27), D(2023, 11, 30), 0),
    ]
    assert as_tuple(weekly.totals["killed"]) == (40, 40, 40, 2, 2, 2)
    assert spanning(weekly.longer["killed"]) == [
        (month.pk, D(2023, 11, 1), D(2023, 11, 30), 40, 34)
    ]
    assert weekly.beyond.get("killed", []) == []

    monthly = ask("killed", start=D(2023, 10, 1), end=D(2023, 12, 31), period="month")
    assert [(r.label, r.totals["killed"].best) for r in monthly.by_period] == [
        ("Oct 2023", 0),
        ("Nov 2023", 40),
        ("Dec 2023", 0),
    ]
    assert monthly.longer.get("killed", []) == []


def test_a_year_precise_figure_counts_in_its_year_only(file):
    year = file("demoso", D(2023, 6, 1), None, [("killed", 60)], precision="year", title="2023")

    assert as_tuple(ask("killed", start=D(2023, 1, 1), end=D(2023, 12, 31)).totals["killed"]) == (
        60,
        60,
        60,
        1,
        1,
        1,
    )
    half = ask("killed", start=D(2023, 1, 1), end=D(2023, 6, 30))
    assert half.totals["killed"] == Total.zero("killed")
    assert spanning(half.beyond["killed"]) == [(year.pk, D(2023, 1, 1), D(2023, 12, 31), 60, 60)]

    quarterly = ask("killed", start=D(2023, 1, 1), end=D(2023, 12, 31), period="quarter")
    assert [(r.label, r.totals["killed"].best) for r in quarterly.by_period] == [
        ("2023 Q1", 0),
        ("2023 Q2", 0),
        ("2023 Q3", 0),
        ("2023 Q4", 0),
    ]
    assert spanning(quarterly.longer["killed"]) == [
        (year.pk, D(2023, 1, 1), D(2023, 12, 31), 60, 60)
    ]
    assert quarterly.totals["killed"].best == 60

    yearly = ask("killed", start=D(2022, 1, 1), end=D(2023, 12, 31), period="year")
    assert [(r.label, r.totals["killed"].best) for r in yearly.by_period] == [
        ("2022", 0),
        ("2023", 60),
    ]
    assert yearly.longer.get("killed", []) == []


def test_the_evidence_lists_each_counted_figure_with_its_span(file):
    across = file("loikaw", D(2023, 10, 30), D(2023, 11, 2), [("injured", 4)], title="Across")
    week = file("demoso", D(2023, 11, 29), None, [("injured", 3)], precision="week", title="Week")

    lines = aggregates.evidence(Question(start=D(2023, 10, 1), end=D(2023, 12, 31)), "injured")
    assert sorted((line.reference_report_id, line.start, line.end) for line in lines) == [
        (across.pk, D(2023, 10, 30), D(2023, 11, 2)),
        (week.pk, D(2023, 11, 27), D(2023, 12, 3)),
    ]
    # November alone holds neither: the evidence of its total is empty.
    assert aggregates.evidence(Question(start=D(2023, 11, 1), end=D(2023, 11, 30)), "injured") == []
