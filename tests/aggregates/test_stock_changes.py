"""A stock change rewrites a place's steps and those above it only over the dates it can
change (rule 4): a back-dated figure, its retraction and a moved as-of date give the totals a
recomputation gives, hand-computed here, and the steps past the window stay as stored."""

from datetime import date

import pytest

from reports import aggregates, services
from reports.aggregates import Question
from reports.models import StockStep
from tests.aggregates.conftest import as_tuple

D = date
STOCK = "currently_displaced"


def kayah_at(day):
    """Kayah's standing stock at `day`: best, low, high, events, reports, sources."""
    return as_tuple(
        aggregates.answer(Question(metrics=(STOCK,), area="MMR002", end=day)).totals[STOCK]
    )


@pytest.fixture
def kayah(world):
    """Kayah's own figure, then township and town figures within it, then Kayah's again.
    Loikaw's March figure and Demoso's cite one situation report (source B)."""
    source = world["source"]
    sitrep = source("Situation report B", D(2023, 4, 16))
    reports = {}
    for name, place, day, value, cited in [
        ("kayah_jan", "kayah", D(2023, 1, 31), 50, source("A", D(2023, 1, 31))),
        ("loikaw_mar", "loikaw", D(2023, 3, 31), 40, sitrep),
        ("demoso_apr", "demoso", D(2023, 4, 15), 20, sitrep),
        ("loikaw_may", "loikaw", D(2023, 5, 31), 45, source("C", D(2023, 5, 31))),
        ("town_jun", "loikaw_town", D(2023, 6, 15), 55, source("F", D(2023, 6, 15))),
        ("kayah_aug", "kayah", D(2023, 8, 31), 100, source("D", D(2023, 8, 31))),
    ]:
        reports[name] = world["report"](place, day, [(STOCK, value)], sources=[cited])
    return reports


# Kayah before any change: its own 50; still standing beside Loikaw's newer but smaller 40;
# set aside by Loikaw and Demoso together (60, one shared source); Loikaw's newer 45 and
# Demoso's; Loikaw's own 45 set aside by the town's newer and larger 55; Kayah's 100.
BEFORE = {
    D(2023, 2, 28): (50, 50, 50, 1, 1, 1),
    D(2023, 3, 20): (50, 50, 50, 1, 1, 1),
    D(2023, 3, 31): (50, 50, 50, 1, 1, 1),
    D(2023, 4, 30): (60, 60, 60, 2, 2, 1),
    D(2023, 6, 10): (65, 65, 65, 2, 2, 2),
    D(2023, 6, 30): (75, 75, 75, 2, 2, 2),
    D(2023, 9, 30): (100, 100, 100, 1, 1, 1),
}


def test_the_scenario_before_any_change(kayah):
    assert {day: kayah_at(day) for day in BEFORE} == BEFORE


def test_a_back_dated_figure_changes_only_its_window_and_its_retraction_restores_it(
    world, kayah, moderator
):
    after_window = set(
        StockStep.objects.filter(
            facet="", metric=STOCK, valid_from__gte=D(2023, 8, 31)
        ).values_list("pk", flat=True)
    )
    late = world["report"](
        "loikaw_town", D(2023, 3, 10), [(STOCK, 57)], sources=[world["source"]("E", D(2023, 3, 10))]
    )
    # On 20 March the town's 57 is newer and larger than Kayah's own 50, which is set aside;
    # Loikaw's own 40 (31 March) is newer than the town's, and smaller than Kayah's, so from
    # then on nothing changes.
    assert {day: kayah_at(day) for day in BEFORE} == BEFORE | {
        D(2023, 3, 20): (57, 57, 57, 1, 1, 1)
    }
    assert aggregates.verify_summaries() == []
    # The window ends with Kayah's next own figure (31 August): the steps from then on were
    # not rewritten.
    assert after_window <= set(
        StockStep.objects.filter(facet="", metric=STOCK).values_list("pk", flat=True)
    )

    services.report_retract(report=late, actor=moderator, reason="Wrong township.")
    assert {day: kayah_at(day) for day in BEFORE} == BEFORE
    assert aggregates.verify_summaries() == []


def test_a_figure_moved_to_a_later_date_leaves_the_dates_between(world, kayah, moderator):
    services.report_update(report=kayah["demoso_apr"], actor=moderator, start_date=D(2023, 7, 15))
    # Without Demoso's, Kayah's 50 stands over Loikaw's 40 and 45 alone, not over the town's
    # 55; from 15 July Demoso's is back.
    assert {day: kayah_at(day) for day in BEFORE} == BEFORE | {
        D(2023, 4, 30): (50, 50, 50, 1, 1, 1),
        D(2023, 6, 10): (50, 50, 50, 1, 1, 1),
        D(2023, 6, 30): (55, 55, 55, 1, 1, 1),
    }
    assert kayah_at(D(2023, 7, 31)) == (75, 75, 75, 2, 2, 2)
    assert aggregates.verify_summaries() == []


def test_a_back_dated_figure_with_nothing_after_it_changes_every_later_total(
    world, kayah, moderator
):
    # Pekon (Shan) has no other figure: its 12 stands from 1 March on, everywhere.
    world["report"](
        "pekon", D(2023, 3, 1), [(STOCK, 12)], sources=[world["source"]("G", D(2023, 3, 1))]
    )
    everywhere = aggregates.answer(Question(metrics=(STOCK,), end=D(2023, 9, 30)))
    assert as_tuple(everywhere.totals[STOCK]) == (112, 112, 112, 2, 2, 2)
    assert kayah_at(D(2023, 9, 30)) == (100, 100, 100, 1, 1, 1)
    assert aggregates.verify_summaries() == []


def test_a_source_shared_across_places_is_counted_once_after_a_change(world, kayah, moderator):
    # Demoso's new figure on 20 April cites the situation report Loikaw's stands on too.
    world["report"](
        "demoso",
        D(2023, 4, 20),
        [(STOCK, 25)],
        sources=[world["source"]("Situation report B", D(2023, 4, 16))],
    )
    assert kayah_at(D(2023, 4, 30)) == (65, 65, 65, 2, 2, 1)
    assert kayah_at(D(2023, 6, 10)) == (70, 70, 70, 2, 2, 2)
    assert aggregates.verify_summaries() == []


def everywhere_at(day):
    return as_tuple(aggregates.answer(Question(metrics=(STOCK,), end=day)).totals[STOCK])


def test_a_source_that_becomes_shared_and_then_local_again_is_counted_once(world, kayah, moderator):
    # Kayah's January 50 cites source A alone. Pekon's figure of 10 February cites A too:
    # A is then shared by two stock events, in two states; retracting Pekon's makes it local
    # again. Each step keeps its local sources and its shared ones apart, and both change.
    pekon = world["report"](
        "pekon", D(2023, 2, 10), [(STOCK, 12)], sources=[world["source"]("A", D(2023, 1, 31))]
    )
    assert everywhere_at(D(2023, 2, 28)) == (62, 62, 62, 2, 2, 1)
    # Loikaw's 40 and Demoso's 20 (both source B) replace Kayah's 50 within Kayah by the end
    # of April: A now stands once.
    assert everywhere_at(D(2023, 4, 30)) == (72, 72, 72, 3, 3, 2)
    assert kayah_at(D(2023, 2, 28)) == (50, 50, 50, 1, 1, 1)
    assert aggregates.verify_summaries() == []

    services.report_retract(report=pekon, actor=moderator, reason="Wrong state.")
    assert everywhere_at(D(2023, 2, 28)) == (50, 50, 50, 1, 1, 1)
    assert everywhere_at(D(2023, 4, 30)) == (60, 60, 60, 2, 2, 1)
    assert aggregates.verify_summaries() == []


def test_a_stock_step_holds_its_shared_sources(world, kayah):
    # Loikaw's March 40 and Demoso's April 20 cite situation report B: at the end of April
    # Kayah's step stands on both, with B once among its shared sources.
    sitrep = world["source"]("Situation report B", D(2023, 4, 16))
    step = (
        StockStep.objects.filter(
            facet="", metric=STOCK, node=world["kayah"].pk, valid_from__lte=D(2023, 4, 30)
        )
        .exclude(valid_to__lte=D(2023, 4, 30))
        .values_list("best", "sources", "shared_sources")
    )
    assert list(step) == [(60, 1, [sitrep.pk])]
