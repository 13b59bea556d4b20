"""The counting engine, rule by rule, on hand-computed scenarios built through the services."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from reports import aggregates, services
from reports.aggregates import Question, QuestionError, Total, parse_question, question_params
from reports.vocabulary import Metric
from tests.aggregates.conftest import as_tuple

D = date


def totals(**question):
    return aggregates.answer(Question(**question)).totals


def total(metric, **question):
    return totals(metrics=(metric,), **question)[metric]


# --- events ------------------------------------------------------------------------------------


def test_two_reports_of_one_event_count_once_with_the_most_recently_published_figure(world):
    loikaw = world["event"]("Displacement from Loikaw, November 2023")
    first = world["report"](
        "loikaw",
        D(2023, 11, 13),
        [("newly_displaced", 35000)],
        sources=[world["source"]("Irrawaddy", D(2023, 11, 13))],
        event=loikaw,
    )
    later = world["report"](
        "loikaw",
        D(2023, 11, 12),
        [("newly_displaced", 50000)],
        sources=[world["source"]("UN OCHA", D(2023, 11, 20), "un_ingo")],
        event=loikaw,
    )

    assert as_tuple(total("newly_displaced")) == (
        50000,
        35000,
        50000,
        1,
        2,
        2,
    )  # rule 7: the event's range
    [line] = aggregates.evidence(Question(), "newly_displaced")
    assert (line.event_id, line.name, line.reference_report_id) == (
        loikaw.pk,
        "Displacement from Loikaw, November 2023",
        later.pk,
    )
    assert (line.range_low, line.range_high) == (35000, 50000)
    assert line.report_ids == (first.pk, later.pk)
    assert as_tuple(line.counted) == (50000, 35000, 50000, 1, 2, 2)


def test_the_reference_figure_wins_until_its_report_is_retracted(world, moderator):
    event = world["event"]()
    older = world["report"](
        "loikaw",
        D(2023, 11, 13),
        [("killed", 3)],
        sources=[world["source"]("A", D(2023, 11, 13))],
        event=event,
    )
    world["report"](
        "loikaw",
        D(2023, 11, 13),
        [("killed", 5)],
        sources=[world["source"]("B", D(2023, 11, 15))],
        event=event,
    )
    assert total("killed").best == 5

    services.event_set_reference_figure(event=event, figure=older.figures.get(), actor=moderator)
    assert as_tuple(total("killed")) == (3, 3, 5, 1, 2, 2)
    [line] = aggregates.evidence(Question(), "killed")
    assert line.reference_report_id == older.pk and (line.range_low, line.range_high) == (3, 5)

    services.report_retract(report=older, actor=moderator, reason="Source withdrew it.")
    assert as_tuple(total("killed")) == (5, 5, 5, 1, 1, 1)


def test_without_a_dated_source_the_approval_date_decides(world):
    event = world["event"]()
    undated = world["source"]("Camp committee")
    world["report"]("demoso", D(2023, 11, 1), [("injured", 7)], sources=[undated], event=event)
    world["report"]("demoso", D(2023, 11, 1), [("injured", 9)], sources=[undated], event=event)
    # Both approved today: the later approval counts; one source behind two reports.
    assert as_tuple(total("injured")) == (9, 7, 9, 1, 2, 1)


def test_a_report_without_an_event_is_its_own_event(world):
    world["report"]("loikaw", D(2023, 11, 2), [("homes_destroyed", 12)])
    world["report"]("loikaw", D(2023, 11, 2), [("homes_destroyed", 30)])
    assert as_tuple(total("homes_destroyed")) == (42, 42, 42, 2, 2, 1)


def test_an_event_falls_in_the_month_of_the_report_it_counts(world):
    event = world["event"]()
    world["report"](
        "loikaw",
        D(2023, 10, 30),
        [("newly_displaced", 400)],
        sources=[world["source"]("A", D(2023, 10, 31))],
        event=event,
    )
    world["report"](
        "loikaw",
        D(2023, 11, 3),
        [("newly_displaced", 700)],
        sources=[world["source"]("B", D(2023, 11, 4))],
        event=event,
    )
    answer = aggregates.answer(
        Question(
            start=D(2023, 10, 1), end=D(2023, 11, 30), metrics=("newly_displaced",), period="month"
        )
    )
    assert [(r.label, r.totals["newly_displaced"].best) for r in answer.by_period] == [
        ("Oct 2023", 0),
        ("Nov 2023", 700),
    ]
    assert total("newly_displaced", start=D(2023, 10, 1), end=D(2023, 10, 31)).best == 0
    assert answer.totals["newly_displaced"].events == 1


# --- stocks and flows --------------------------------------------------------------------------


def test_stocks_take_the_latest_figure_and_flows_are_summed(world):
    for on, stock, flow in [
        (D(2023, 1, 31), 100, 10),
        (D(2023, 2, 28), 150, 20),
        (D(2023, 3, 31), 120, 30),
    ]:
        world["report"]("demoso", on, [("currently_displaced", stock), ("newly_displaced", flow)])

    answer = aggregates.answer(
        Question(
            start=D(2023, 1, 1),
            end=D(2023, 3, 31),
            metrics=("newly_displaced", "currently_displaced"),
            period="month",
        )
    )
    assert answer.metrics == ("newly_displaced", "currently_displaced")
    assert as_tuple(answer.totals["newly_displaced"]) == (60, 60, 60, 3, 3, 3)
    assert as_tuple(answer.totals["currently_displaced"]) == (120, 120, 120, 1, 1, 1)
    assert [
        (r.label, r.totals["newly_displaced"].best, r.totals["currently_displaced"].best)
        for r in answer.by_period
    ] == [("Jan 2023", 10, 100), ("Feb 2023", 20, 150), ("Mar 2023", 30, 120)]
    # The period's start does not matter for a stock; its end does.
    assert total("currently_displaced", start=D(2023, 3, 1), end=D(2023, 3, 15)).best == 150
    assert total("currently_displaced", end=D(2023, 2, 27)).best == 100
    assert total("currently_displaced", end=D(2022, 12, 31)) == Total.zero("currently_displaced")


def test_stocks_of_several_places_are_added_but_never_over_time(world):
    world["report"]("demoso", D(2023, 1, 31), [("currently_displaced", 100)])
    world["report"]("loikaw", D(2023, 2, 28), [("currently_displaced", 40)])
    world["report"]("demoso", D(2023, 3, 31), [("currently_displaced", 80)])
    assert total("currently_displaced", area="MMR002").best == 120
    assert total("currently_displaced", area="MMR002", end=D(2023, 3, 30)).best == 140


def test_a_newer_state_figure_replaces_older_township_figures(world):
    world["report"]("loikaw", D(2023, 1, 31), [("currently_displaced", 40)])
    world["report"]("demoso", D(2023, 1, 31), [("currently_displaced", 60)])
    world["report"]("kayah", D(2023, 2, 28), [("currently_displaced", 90)])

    answer = aggregates.answer(
        Question(area="MMR002", level=3, end=D(2023, 3, 31), metrics=("currently_displaced",))
    )
    assert as_tuple(answer.totals["currently_displaced"]) == (90, 90, 90, 1, 1, 1)
    assert [
        (r.name, r.unspecified, r.totals["currently_displaced"].best) for r in answer.by_area
    ] == [("Unspecified within Kayah", True, 90)]
    # Asked about a township, the state's figure is not within it.
    assert total("currently_displaced", area="MMR002001").best == 40
    # Before the state figure, the townships stood.
    assert total("currently_displaced", area="MMR002", end=D(2023, 2, 27)).best == 100


def test_a_newer_township_figure_sets_an_older_state_figure_aside(world):
    world["report"]("kayah", D(2023, 1, 31), [("currently_displaced", 90)])
    world["report"]("loikaw", D(2023, 2, 28), [("currently_displaced", 40)])
    world["report"]("demoso", D(2023, 1, 31), [("currently_displaced", 60)])  # older than Kayah's
    answer = aggregates.answer(Question(area="MMR002", level=3, metrics=("currently_displaced",)))
    # Loikaw's February figure is more recent than the state's January one, which is set
    # aside; Demoso's figure is as old as the state's, and is counted because the state's is.
    assert answer.totals["currently_displaced"].best == 100
    assert [(r.name, r.totals["currently_displaced"].best) for r in answer.by_area] == [
        ("Loikaw Township", 40),
        ("Demoso Township", 60),
    ]


def test_a_state_figure_and_a_township_figure_on_the_same_date_the_state_wins(world):
    world["report"]("kayah", D(2023, 1, 31), [("currently_displaced", 90)])
    world["report"]("loikaw", D(2023, 1, 31), [("currently_displaced", 40)])
    assert total("currently_displaced", area="MMR002").best == 90
    assert total("currently_displaced").best == 90


# --- coarse reports, households, ranges --------------------------------------------------------


def test_a_state_report_beside_township_reports_is_unspecified_never_spread(world):
    # The state's figure of 20 November covers Loikaw's of that day (rule 5): 1,000 counts,
    # 700 of it beyond Loikaw's 300; the figures of other days are added.
    world["report"]("kayah", D(2023, 11, 20), [("newly_displaced", 1000)])
    world["report"]("loikaw", D(2023, 11, 20), [("newly_displaced", 300)])
    world["report"]("demoso", D(2023, 11, 21), [("newly_displaced", 200)])
    world["report"]("loikaw_town", D(2023, 11, 22), [("newly_displaced", 5)])
    world["report"]("pekon", D(2023, 11, 22), [("newly_displaced", 7000)])

    answer = aggregates.answer(Question(area="MMR002", metrics=("newly_displaced",)))
    assert answer.area.pcode == "MMR002"
    assert as_tuple(answer.totals["newly_displaced"]) == (1205, 1205, 1205, 4, 4, 3)
    assert [
        (r.pcode, r.name, r.unspecified, r.totals["newly_displaced"].best) for r in answer.by_area
    ] == [
        ("MMR002D001", "Loikaw District", False, 505),
        (None, "Unspecified within Kayah", True, 700),
    ]
    by_township = aggregates.answer(Question(area="MMR002", level=3, metrics=("newly_displaced",)))
    assert [
        (r.pcode, r.totals["newly_displaced"].best, r.totals["newly_displaced"].events)
        for r in by_township.by_area
    ] == [("MMR002001", 305, 2), ("MMR002002", 200, 1), (None, 700, 1)]
    everywhere = aggregates.answer(Question(metrics=("newly_displaced",)))
    assert [(r.name, r.totals["newly_displaced"].best) for r in everywhere.by_area] == [
        ("Kayah", 1205),
        ("Shan (South)", 7000),
    ]
    pekon = next(r for r in aggregates.answer(Question(level=3)).by_area if r.pcode == "MMR014005")
    assert (pekon.latitude, pekon.longitude) == (Decimal("19.860000"), Decimal("97.010000"))


def test_households_count_as_people(world):
    world["report"](
        "loikaw",
        D(2023, 11, 20),
        [
            {"metric": "newly_displaced", "value": 100, "unit": "households"},  # x 4.4 (Myanmar)
            {"metric": "returned", "value": 50, "unit": "households", "household_size": "5"},
        ],
    )
    assert total("newly_displaced").best == 440
    assert total("returned").best == 250


def test_ranges_and_qualifiers_give_low_best_and_high(world):
    world["report"](
        "loikaw",
        D(2023, 11, 20),
        [{"metric": "killed", "qualifier": "range", "value_min": 100, "value_max": 201}],
    )
    world["report"](
        "demoso", D(2023, 11, 20), [{"metric": "killed", "qualifier": "at_least", "value": 50}]
    )
    assert as_tuple(total("killed")) == (200, 150, 251, 2, 2, 1)


def test_only_approved_reports_count_and_a_retracted_one_disappears(world, moderator):
    kept = world["report"]("loikaw", D(2023, 11, 20), [("detained", 4)])
    world["report"]("loikaw", D(2023, 11, 20), [("detained", 100)], approve=False)
    gone = world["report"]("demoso", D(2023, 11, 20), [("detained", 6)])
    assert total("detained").best == 10
    services.report_retract(report=gone, actor=moderator, reason="Duplicate of another report.")
    assert as_tuple(total("detained")) == (4, 4, 4, 1, 1, 1)
    assert [line.reference_report_id for line in aggregates.evidence(Question(), "detained")] == [
        kept.pk
    ]


def test_an_edit_of_an_approved_report_changes_the_totals(world, moderator):
    report = world["report"]("loikaw", D(2023, 11, 20), [("injured", 4)])
    services.report_update(
        report=report,
        actor=moderator,
        place=world["demoso"],
        figures=[{"metric": "injured", "value": 9}],
    )
    answer = aggregates.answer(Question(area="MMR002", level=3, metrics=("injured",)))
    assert [(r.pcode, r.totals["injured"].best) for r in answer.by_area] == [("MMR002002", 9)]


# --- filters -----------------------------------------------------------------------------------


def test_filters_choose_the_evidence_before_each_event_is_counted(world):
    event = world["event"]()
    world["report"](
        "loikaw",
        D(2023, 11, 13),
        [("newly_displaced", 35000)],
        cause="airstrike",
        tags=["Operation 1111"],
        sources=[world["source"]("UN", D(2023, 11, 14), "un_ingo")],
        event=event,
    )
    world["report"](
        "loikaw",
        D(2023, 11, 13),
        [("newly_displaced", 50000)],
        cause="ground_assault",
        sources=[world["source"]("Party", D(2023, 11, 20), "party_to_conflict")],
        event=event,
    )
    world["report"](
        "demoso",
        D(2023, 11, 14),
        [("newly_displaced", 800)],
        cause="airstrike",
        tags=["operation 1111"],
    )

    assert total("newly_displaced").best == 50800
    assert total("newly_displaced", source_type="un_ingo").best == 35000
    assert total("newly_displaced", source_type="party_to_conflict").best == 50000
    assert total("newly_displaced", source_type="government") == Total.zero("newly_displaced")
    assert as_tuple(total("newly_displaced", cause="airstrike")) == (35800, 35800, 35800, 2, 2, 2)
    assert total("newly_displaced", tag="Operation 1111").best == 35800
    assert as_tuple(total("newly_displaced", event=event.pk)) == (50000, 35000, 50000, 1, 2, 2)
    assert total("newly_displaced", cause="airstrike", area="MMR002002").best == 800


def test_the_period_and_area_apply_after_the_choice(world):
    event = world["event"]()
    world["report"](
        "loikaw",
        D(2023, 11, 13),
        [("killed", 2)],
        sources=[world["source"]("A", D(2023, 11, 13))],
        event=event,
    )
    world["report"](
        "pekon",
        D(2023, 12, 2),
        [("killed", 3)],
        sources=[world["source"]("B", D(2023, 12, 3))],
        event=event,
    )
    # The event is counted once, where and when its counted (Pekon, December) report is.
    assert total("killed", area="MMR002").events == 0
    assert total("killed", end=D(2023, 11, 30)).events == 0
    assert as_tuple(total("killed", area="MMR014", start=D(2023, 12, 1))) == (3, 2, 3, 1, 2, 2)


# --- breakdowns --------------------------------------------------------------------------------


def test_breakdown_by_period_weeks_quarters_years_and_automatic(world):
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 1)])
    world["report"]("loikaw", D(2023, 11, 26), [("killed", 2)])
    world["report"]("loikaw", D(2024, 1, 2), [("killed", 4)])

    def series(**question):
        answer = aggregates.answer(Question(metrics=("killed",), **question))
        return [(r.start, r.end, r.label, r.totals["killed"].best) for r in answer.by_period]

    assert series(start=D(2023, 11, 15), end=D(2023, 11, 30)) == [  # 16 days: weeks
        (D(2023, 11, 15), D(2023, 11, 19), "2023-W46", 0),
        (D(2023, 11, 20), D(2023, 11, 26), "2023-W47", 2),
        (D(2023, 11, 27), D(2023, 11, 30), "2023-W48", 0),
    ]
    assert series(start=D(2023, 11, 1), end=D(2024, 1, 31), period="quarter") == [
        (D(2023, 11, 1), D(2023, 12, 31), "2023 Q4", 3),
        (D(2024, 1, 1), D(2024, 1, 31), "2024 Q1", 4),
    ]
    assert series(end=D(2024, 6, 30), period="year") == [
        (D(2023, 11, 13), D(2023, 12, 31), "2023", 3),
        (D(2024, 1, 1), D(2024, 6, 30), "2024", 4),
    ]
    assert [label for *_, label, _ in series(end=D(2024, 1, 31))][:2] == ["2023-W46", "2023-W47"]
    assert [label for *_, label, _ in series(end=D(2024, 3, 31))] == [
        "Nov 2023",
        "Dec 2023",
        "Jan 2024",
        "Feb 2024",
        "Mar 2024",
    ]


def test_a_long_weekly_series_counts_each_week_and_a_longer_one_is_refused(world):
    shared = world["source"]("Karenni Human Rights Group", D(2023, 11, 30), "local_cso")
    world["report"]("loikaw", D(2005, 2, 1), [("killed", 2)])
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 1)], sources=[shared])
    world["report"]("demoso", D(2023, 11, 21), [("killed", 4)], sources=[shared])
    question = Question(metrics=("killed",), start=D(2004, 12, 27), end=D(2023, 12, 31))
    answer = aggregates.answer(replace(question, period="week"))
    assert len(answer.by_period) == 992
    assert [
        (r.label, r.totals["killed"].best, r.totals["killed"].sources)
        for r in answer.by_period
        if r.totals["killed"].best
    ] == [("2005-W05", 2, 1), ("2023-W46", 1, 1), ("2023-W47", 4, 1)]
    assert as_tuple(answer.totals["killed"]) == (7, 7, 7, 3, 3, 2)
    with pytest.raises(QuestionError) as refused:
        aggregates.answer(replace(question, start=D(1990, 1, 1), period="week"))
    assert refused.value.errors == {
        "period": "A time series has at most 1,000 periods: from 1990-01-01 to 2023-12-31 is "
        "more weeks than that. Choose a longer period or a later start."
    }
    with pytest.raises(QuestionError) as refused:
        aggregates.answer(replace(question, start=D(77, 1, 2)))
    assert set(refused.value.errors) == {"start"}


def test_nothing_counted_gives_zeros_for_every_metric(world):
    answer = aggregates.answer(Question(area="MMR002"))
    assert answer.metrics == tuple(Metric.values)
    assert all(t == Total.zero(m) for m, t in answer.totals.items())
    assert answer.by_area == [] and answer.by_period == []
    village = aggregates.answer(
        Question(area="MMR002001701", start=D(2023, 1, 1), end=D(2023, 4, 30))
    )
    assert village.by_area == []
    assert [r.label for r in village.by_period] == ["Jan 2023", "Feb 2023", "Mar 2023", "Apr 2023"]


def test_evidence_sums_to_the_total(world):
    event = world["event"]()
    world["report"]("loikaw", D(2023, 11, 13), [("newly_displaced", 100)], event=event, title="One")
    world["report"]("loikaw", D(2023, 11, 14), [("newly_displaced", 120)], event=event)
    lonely = world["report"]("demoso", D(2023, 11, 16), [("newly_displaced", 7)], title="Alone")
    lines = aggregates.evidence(Question(), "newly_displaced")
    assert [(line.event_id, line.name, line.counted.best) for line in lines] == [
        (None, "Alone", 7),
        (event.pk, "An event", 120),
    ]
    assert lines[0].report_ids == (lonely.pk,) and lines[0].reference_report_id == lonely.pk
    assert sum(line.counted.best for line in lines) == total("newly_displaced").best == 127


def test_the_reports_behind_a_total_without_their_names(world):
    event = world["event"]()
    first = world["report"]("loikaw", D(2023, 11, 13), [("newly_displaced", 100)], event=event)
    counted = world["report"]("loikaw", D(2023, 11, 14), [("newly_displaced", 120)], event=event)
    lonely = world["report"]("demoso", D(2023, 11, 16), [("newly_displaced", 7)], title="Alone")
    world["report"]("demoso", D(2023, 11, 16), [("killed", 2)], cause="airstrike")

    for question in (Question(), Question(event=event.pk), Question(cause="airstrike")):
        assert sorted(aggregates.reports_counted(question, "newly_displaced")) == sorted(
            (line.reference_report_id, line.report_ids)
            for line in aggregates.evidence(question, "newly_displaced")
        )
    assert sorted(aggregates.reports_counted(Question(), "newly_displaced")) == [
        (counted.pk, tuple(sorted((first.pk, counted.pk)))),
        (lonely.pk, (lonely.pk,)),
    ]


# --- parameters --------------------------------------------------------------------------------


def test_parse_question_reads_every_parameter(world):
    event = world["event"]()
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 1)], event=event)  # a public event
    question = parse_question(
        {
            "start": "2023-11-01",
            "end": "2023-11-30",
            "area": "MMR002",
            "metric": ["killed", "injured,returned"],
            "cause": "airstrike",
            "tag": "  Operation   1111 ",
            "source_type": "un_ingo",
            "event": str(event.pk),
            "level": "3",
            "period": "week",
            "sort": "ignored",
        }
    )
    assert question == Question(
        start=D(2023, 11, 1),
        end=D(2023, 11, 30),
        area="MMR002",
        metrics=("returned", "killed", "injured"),
        cause="airstrike",
        tag="Operation 1111",
        source_type="un_ingo",
        event=event.pk,
        level=3,
        period="week",
    )
    assert parse_question(question_params(question)) == question
    # Dates typed in Burmese digits are the same dates.
    assert parse_question({"start": "၂၀၂၃-၁၁-၀၁", "end": " 2023-11-30 "}) == Question(
        start=D(2023, 11, 1), end=D(2023, 11, 30)
    )
    assert parse_question({}) == Question()
    assert question_params(Question()) == {}


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"start": "11/01/2023"}, {"start": "Enter a date as YYYY-MM-DD (got '11/01/2023')."}),
        ({"start": "20231101"}, {"start": "Enter a date as YYYY-MM-DD (got '20231101')."}),
        ({"end": "2023-02-30"}, {"end": "Enter a date as YYYY-MM-DD (got '2023-02-30')."}),
        (
            {"start": "9990-01-01", "end": "9999-12-31"},
            {
                "start": "Enter a date between 1900-01-01 and 2199-12-31 (got 9990-01-01).",
                "end": "Enter a date between 1900-01-01 and 2199-12-31 (got 9999-12-31).",
            },
        ),
        (
            {"start": "0001-01-01"},
            {"start": "Enter a date between 1900-01-01 and 2199-12-31 (got 0001-01-01)."},
        ),
        (
            {"start": "2023-12-01", "end": "2023-11-01"},
            {"end": "The end (2023-11-01) is before the start (2023-12-01)."},
        ),
        ({"area": "MMR999"}, {"area": "Unknown area code 'MMR999'."}),
        (
            {"metric": "killed,bodies"},
            {
                "metric": "Unknown metric 'bodies'; choose from "
                "newly_displaced, currently_displaced, returned, killed, "
                "injured, detained, homes_destroyed, "
                "religious_buildings_damaged, health_facilities_damaged, "
                "schools_damaged."
            },
        ),
        (
            {"cause": "magic"},
            {
                "cause": "Unknown cause 'magic'; choose from airstrike, drone_strike, "
                "artillery, ground_assault, arson, landmine, raid, forced_eviction, "
                "arbitrary_arrest, other."
            },
        ),
        (
            {"source_type": "blog"},
            {
                "source_type": "Unknown source type 'blog'; choose from "
                "news_media, un_ingo, local_cso, party_to_conflict, government, "
                "field_observation."
            },
        ),
        (
            {"period": "decade"},
            {"period": "Unknown period 'decade'; choose from week, month, quarter, year."},
        ),
        ({"event": "x1"}, {"event": "Enter a whole number (got 'x1')."}),
        ({"event": "99999"}, {"event": "There is no event #99999."}),
        ({"level": "-1"}, {"level": "Enter a whole number (got '-1')."}),
        (
            {"level": "9"},
            {
                "level": "Choose a level below the area: 1 (State / region), 2 (District), "
                "3 (Township), 4 (Village tract / town)."
            },
        ),
        (
            {"area": "MMR002001", "level": "2"},
            {"level": "Choose a level below the area: 4 (Village tract / town)."},
        ),
        (
            {"area": "MMR002001701", "level": "4"},
            {"level": "This area has no admin level below it."},
        ),
        ({"tag": "t" * 101}, {"tag": "At most 100 characters."}),
        (
            {"start": "yesterday", "area": "nowhere"},
            {
                "start": "Enter a date as YYYY-MM-DD (got 'yesterday').",
                "area": "Unknown area code 'nowhere'.",
            },
        ),
    ],
)
def test_parse_question_names_each_bad_parameter(world, params, errors):
    with pytest.raises(QuestionError) as caught:
        parse_question(params)
    assert caught.value.errors == errors


def test_a_question_built_in_code_is_checked_too(world):
    with pytest.raises(QuestionError) as caught:
        aggregates.answer(Question(area="MMR999", metrics=("bodies",)))
    assert caught.value.errors == {
        "area": "Unknown area code 'MMR999'.",
        "metric": "Unknown metric 'bodies'; choose from newly_displaced, currently_displaced, "
        "returned, killed, injured, detained, homes_destroyed, religious_buildings_damaged, "
        "health_facilities_damaged, schools_damaged.",
    }


def test_methodology_names_the_stock_and_the_flows(world):
    sentences = aggregates.methodology()
    assert any(
        s.startswith("Stocks (people currently displaced) are never added up") for s in sentences
    )
    assert any("people newly displaced, people returned, civilians killed" in s for s in sentences)
