"""The benchmark's plain SQL baseline (reports/bench/plain_sql.py) gives the engine's numbers: every
total, area row and period row with its range, qualifiers, stock dates and staleness, and the
spanning lines, on small hand-made scenarios touching each counting rule. It runs on SQLite and
on PostgreSQL (CI: DATABASE_URL)."""

from datetime import date

import pytest

from reports import aggregates, services
from reports.aggregates import Question, make_plan
from reports.aggregates.assemble import calendar
from reports.bench.plain_sql import engine_numbers, plain_sql
from tests.conftest import source_fields

D = date


def both(question: Question) -> tuple[dict, dict]:
    """The engine's answer and the plain SQL's, in one shape, as the benchmark compares them."""
    plan = make_plan(question)
    answer = aggregates.answer(question)
    kind, periods = calendar(
        plan,
        answer.by_period[0].start if answer.by_period else None,
        answer.by_period[-1].end if answer.by_period else None,
    )
    return engine_numbers(answer, kind), plain_sql(plan, kind, periods)


def numbers(total: tuple) -> tuple:
    """best, low, high, events, reports, sources, high open, approximate."""
    return total[:8]


@pytest.fixture
def scenario(world, file, moderator, settings):
    """Every rule at once, in Kayah and Shan (South)."""
    settings.TRACKER_STOCK_STALE_DAYS = 180
    report, source = world["report"], world["source"]
    made = {}
    # A monitor's two-year tally of civilians killed in Kayah covering monthly township reports.
    made["tally"] = file("kayah", D(2021, 2, 1), D(2023, 3, 31), [("killed", 500)],
                         title="Tally since the coup", published=D(2023, 4, 5))  # fmt: skip
    file("loikaw", D(2023, 2, 1), None, [("killed", 7)], precision="month", title="Feb")
    file("demoso", D(2023, 3, 1), None, [("killed", 5)], precision="month", cause="airstrike")
    file("loikaw", D(2022, 6, 1), None, [("killed", 10)], precision="month", title="June")
    # A nested chain: Kayah in November 2023 covers Loikaw district 10-20 November, which covers
    # two townships' figures inside it.
    file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month",
         title="Kayah November")  # fmt: skip
    file("loikaw_district", D(2023, 11, 10), D(2023, 11, 20), [("newly_displaced", 1000)],
         title="District", cause="airstrike", tags=["Operation 1111"])  # fmt: skip
    file("loikaw", D(2023, 11, 14), None, [("newly_displaced", 400)], title="Loikaw incident",
         tags=["operation 1111"])  # fmt: skip
    file("demoso", D(2023, 11, 15), None, [("newly_displaced", 300)], cause="airstrike")
    # Two sources disagreeing in one event, the newer "at least".
    loikaw_event = world["event"]("Loikaw displacement")
    report("loikaw_town", D(2023, 11, 13),
           [{"metric": "newly_displaced", "qualifier": "approximately", "value": 350}],
           sources=[source("Local media", D(2023, 11, 13))], event=loikaw_event)  # fmt: skip
    report("loikaw_town", D(2023, 11, 22),
           [{"metric": "newly_displaced", "qualifier": "at_least", "value": 450}],
           sources=[source("UN update", D(2023, 11, 23), "un_ingo")],
           event=loikaw_event)  # fmt: skip
    # A moderator's reference figure: the older, lower account of an event.
    demoso_event = world["event"]("Demoso shelling")
    older = report("demoso", D(2023, 6, 2), [("injured", 3)], event=demoso_event)
    report("demoso", D(2023, 6, 3), [{"metric": "injured", "qualifier": "at_most", "value": 6}],
           event=demoso_event)  # fmt: skip
    services.event_set_reference_figure(
        event=demoso_event, figure=older.figures.get(), actor=moderator
    )
    # A state figure and a township incident marked as counted separately.
    state = file("kayah", D(2023, 11, 1), None, [("injured", 50)], precision="month",
                 title="Kayah injured")  # fmt: skip
    incident = file("loikaw", D(2023, 11, 14), None, [("injured", 20)], title="Injured")
    services.figures_mark_separate(
        actor=moderator,
        first=state.figures.get(),
        second=incident.figures.get(),
        reason="The state figure leaves the incident out.",
    )
    # Stocks: Kayah's older state figure standing over newer township ones smaller together.
    file("kayah", D(2023, 6, 1), None, [("currently_displaced", 30000)], title="Kayah stock")
    about = {"metric": "currently_displaced", "qualifier": "approximately", "value": 16000}
    report("demoso", D(2023, 4, 30), [about])
    file("loikaw", D(2023, 11, 15), None, [("currently_displaced", 8000)], title="Loikaw stock")
    file("pekon", D(2024, 3, 1), None, [("currently_displaced", 1500)], title="Pekon stock")
    # One source cited by two reports, then made confidential.
    informant = source("Informant", D(2023, 2, 20), "local_cso")
    for day, killed in ((10, 2), (12, 4)):
        cited = file("pekon", D(2023, 2, day), None, [("killed", killed)], title=f"Pekon {day}")
        services.report_update(report=cited, actor=moderator, sources=[informant])
    services.source_update(
        actor=moderator, source=informant, **source_fields(informant, is_confidential=True)
    )
    made["loikaw_event"] = loikaw_event
    return made


QUESTIONS = {
    "everything": Question(),
    "2023 by township and month": Question(start=D(2023, 1, 1), end=D(2023, 12, 31), level=3,
                                           period="month"),
    "the tally's dates in Kayah by year": Question(area="MMR002", start=D(2021, 2, 1),
                                                   end=D(2023, 3, 31), period="year"),
    "November in Kayah by township and week": Question(area="MMR002", start=D(2023, 11, 1),
                                                       end=D(2023, 11, 30), level=3),
    "February 2023": Question(start=D(2023, 2, 1), end=D(2023, 2, 28)),
    "the stock by state and month": Question(metrics=("currently_displaced",),
                                             start=D(2023, 10, 1), end=D(2024, 6, 30), level=1,
                                             period="month"),
    "airstrikes": Question(cause="airstrike", start=D(2023, 1, 1), end=D(2023, 12, 31)),
    "a tag in any case": Question(tag="OPERATION 1111", area="MMR002"),
    "UN sources by month": Question(source_type="un_ingo", start=D(2023, 1, 1),
                                    end=D(2023, 12, 31), period="month"),
    "airstrikes with a tag (from the base tables)": Question(cause="airstrike",
                                                             tag="operation 1111"),
}  # fmt: skip


@pytest.mark.parametrize("name", QUESTIONS)
def test_plain_sql_gives_the_engines_numbers(scenario, name):
    engine, sql = both(QUESTIONS[name])
    assert engine["totals"], "the scenario counts something in every question"
    assert sql == engine


def test_narrowed_to_a_tag_or_an_event(scenario):
    engine, sql = both(QUESTIONS["a tag in any case"])
    assert sql == engine
    # Within the tagged pool the district's 1,000 covers Loikaw's 400 only: it adds 600.
    assert numbers(sql["totals"]["newly_displaced"]) == (1000, 1000, 1000, 2, 2, 2, False, False)
    engine, sql = both(Question(event=scenario["loikaw_event"].pk))
    assert sql == engine
    assert numbers(sql["totals"]["newly_displaced"]) == (450, 350, 450, 1, 2, 2, True, False)


def test_the_nested_chain_the_separate_mark_and_the_disagreeing_event(scenario):
    engine, sql = both(QUESTIONS["November in Kayah by township and week"])
    assert sql == engine
    # Loikaw town's event counts at least 450 (range 350-450), Loikaw's incident 400 and Demoso's
    # 300; the district's 1,000 adds 300 beyond the 700 it covers, and Kayah's 3,000 adds what
    # the four others leave: 1,550 (1,650 of its low). Their remainders are "unspecified", 1,850
    # beyond the district's 850. Kayah's covers Loikaw town's "at least 450", so on its own it
    # has no floor: 0 up to 1,650 (what is left beyond the lows). With the district's 300, the
    # row reads 1,850 (300-1,950).
    displaced = sql["totals"]["newly_displaced"]
    assert numbers(displaced) == (3000, 3000, 3000, 5, 6, 6, True, False)
    assert sql["by_area"]["MMR002001"]["newly_displaced"][:3] == (850, 750, 850)
    assert sql["by_area"][None]["newly_displaced"][:3] == (1850, 300, 1950)
    # The separate mark adds the state's 50 injured to the incident's 20.
    assert sql["totals"]["injured"][:3] == (70, 70, 70)


def test_the_tally_spans_beyond_a_year_and_is_longer_than_a_year_inside_its_dates(scenario):
    engine, sql = both(QUESTIONS["2023 by township and month"])
    assert sql == engine
    tally = scenario["tally"].pk
    assert [(line[0], line[4], line[12]) for line in sql["beyond"]["killed"]] == [(tally, 500, 478)]
    engine, sql = both(QUESTIONS["the tally's dates in Kayah by year"])
    assert sql == engine
    assert [(line[0], line[12]) for line in sql["longer"]["killed"]] == [(tally, 478)]
    assert sql["totals"]["killed"][:3] == (500, 500, 500)


def test_a_confidential_source_counts_once_per_citing_report(scenario):
    engine, sql = both(QUESTIONS["February 2023"])
    assert sql == engine
    # Loikaw's February report (its own source) and two Pekon reports citing one informant.
    assert numbers(sql["totals"]["killed"]) == (13, 13, 13, 3, 3, 3, False, False)


def test_stocks_stand_with_their_dates_and_go_stale(scenario):
    engine, sql = both(QUESTIONS["the stock by state and month"])
    assert sql == engine
    # At the end of June 2024: Demoso's about 16,000 (30 April 2023) and Loikaw's newer 8,000
    # (15 November) are 24,000 together, less than Kayah's 30,000 (1 June 2023, stale), which
    # stands with its own date; Pekon's 1,500 stands in Shan.
    assert sql["totals"]["currently_displaced"] == (
        31500, 31500, 31500, 2, 2, 2, False, False, D(2023, 6, 1), D(2024, 3, 1), True, False,
    )  # fmt: skip
    # At the end of October 2023 Kayah's 30,000 (1 June) is newer than anything within it; at
    # the end of November it still stands, 182 days old: stale.
    october = sql["by_period"][D(2023, 10, 1)]["currently_displaced"]
    assert october[0] == 30000 and october[8:] == (D(2023, 6, 1), D(2023, 6, 1), False, False)
    november = sql["by_period"][D(2023, 11, 1)]["currently_displaced"]
    assert november[0] == 30000 and november[8:] == (D(2023, 6, 1), D(2023, 6, 1), True, False)
