"""A stock change rewrites only the steps that come out different, and a place above only over
the dates where its child's differ: a back-dated figure at a place with no later figure of its
own, and one that makes a source cited in another state shared (two places changed, years
apart), give the totals a recomputation gives, hand-computed here, whether the steps are read
a level at a time or all at once (stock_changes.SHORT_WINDOW)."""

from datetime import date

import pytest

from reports import aggregates, services
from reports.aggregates import Question
from reports.aggregates.summaries import stock_changes
from reports.models import StockStep
from tests.aggregates.conftest import as_tuple

D = date
STOCK = "currently_displaced"


@pytest.fixture(params=["a level at a time", "all at once"])
def reading(request, monkeypatch):
    # Every window is "long" (read a level at a time), or none but an open one is.
    monkeypatch.setattr(
        stock_changes, "SHORT_WINDOW", -1 if request.param == "a level at a time" else 100_000
    )
    return request.param


def total(day, area=None):
    """The standing stock at `day`: best, low, high, events, reports, sources."""
    return as_tuple(aggregates.answer(Question(metrics=(STOCK,), area=area, end=day)).totals[STOCK])


@pytest.fixture
def stocks(world):
    """Loikaw's own 40 (January) and 45 (June), Demoso's 20 (February), each on a source of
    its own; Pekon (Shan) 12 in January 2024 on a situation report. Loikaw Town has none."""
    source = world["source"]
    for place, day, value, cited in [
        ("loikaw", D(2023, 1, 31), 40, source("A", D(2023, 1, 31))),
        ("demoso", D(2023, 2, 15), 20, source("D", D(2023, 2, 15))),
        ("loikaw", D(2023, 6, 30), 45, source("C", D(2023, 6, 30))),
        ("pekon", D(2024, 1, 10), 12, source("Situation report S", D(2024, 1, 9))),
    ]:
        world["report"](place, day, [(STOCK, value)], sources=[cited])


BEFORE = {
    (D(2023, 3, 20), "MMR002"): (60, 60, 60, 2, 2, 2),
    (D(2023, 7, 31), "MMR002"): (65, 65, 65, 2, 2, 2),
    (D(2023, 3, 20), None): (60, 60, 60, 2, 2, 2),
    (D(2024, 2, 1), None): (77, 77, 77, 3, 3, 3),
}


def totals():
    return {(day, area): total(day, area) for day, area in BEFORE}


def test_a_back_dated_figure_below_a_later_one_leaves_the_later_steps_as_stored(
    world, stocks, moderator, reading
):
    assert totals() == BEFORE
    later = set(
        StockStep.objects.filter(facet="", metric=STOCK, valid_from__gte=D(2023, 6, 30))
        .exclude(node=world["loikaw_town"].pk)
        .values_list("pk", "node", "valid_from")
    )
    # Loikaw Town's 47 has no later figure of its own (it stands from 10 March on, newer and
    # larger than Loikaw's own 40), but from 30 June Loikaw's own 45 is newer and stands
    # instead: Kayah's totals change only between.
    town = world["report"](
        "loikaw_town", D(2023, 3, 10), [(STOCK, 47)], sources=[world["source"]("E", D(2023, 3, 10))]
    )
    assert totals() == BEFORE | {
        (D(2023, 3, 20), "MMR002"): (67, 67, 67, 2, 2, 2),
        (D(2023, 3, 20), None): (67, 67, 67, 2, 2, 2),
    }
    assert aggregates.verify_summaries() == []
    # The steps from 30 June on came out the same at every node above the town: not rewritten.
    assert later <= set(
        StockStep.objects.filter(facet="", metric=STOCK).values_list("pk", "node", "valid_from")
    )

    services.report_retract(report=town, actor=moderator, reason="Wrong place.")
    assert totals() == BEFORE
    assert aggregates.verify_summaries() == []


def test_a_back_dated_figure_that_makes_a_source_in_another_state_shared(
    world, stocks, moderator, reading
):
    # The town's figure cites the situation report Pekon's stands on, in another state and ten
    # months later: both places change (the report becomes shared), their windows years apart.
    town = world["report"](
        "loikaw_town",
        D(2023, 3, 10),
        [(STOCK, 47)],
        sources=[world["source"]("Situation report S", D(2024, 1, 9))],
    )
    assert totals() == BEFORE | {
        (D(2023, 3, 20), "MMR002"): (67, 67, 67, 2, 2, 2),
        (D(2023, 3, 20), None): (67, 67, 67, 2, 2, 2),
    }
    # In January 2024 the town's figure no longer stands (Loikaw's 45 is newer): the report
    # is counted once, through Pekon's.
    assert total(D(2024, 2, 1)) == (77, 77, 77, 3, 3, 3)
    assert total(D(2024, 2, 1), "MMR014") == (12, 12, 12, 1, 1, 1)
    assert aggregates.verify_summaries() == []

    # Loikaw's June figure is retracted: the town's 47 now stands beside Pekon's 12, both on
    # the one situation report, counted once.
    june = world["loikaw"].reports.filter(start_date=D(2023, 6, 30)).get()
    services.report_retract(report=june, actor=moderator, reason="Counted twice.")
    assert total(D(2024, 2, 1)) == (79, 79, 79, 3, 3, 2)
    assert total(D(2023, 7, 31), "MMR002") == (67, 67, 67, 2, 2, 2)
    assert aggregates.verify_summaries() == []

    services.report_retract(report=town, actor=moderator, reason="Wrong place.")
    assert total(D(2024, 2, 1)) == (72, 72, 72, 3, 3, 3)
    assert total(D(2023, 3, 20)) == (60, 60, 60, 2, 2, 2)
    assert aggregates.verify_summaries() == []


def test_a_figure_moved_between_two_places_changes_their_parent_from_one_day(
    world, stocks, moderator, reading
):
    # Loikaw's 7 of 10 March stands until its own 45 of 30 June; moved to Demoso, which has
    # no later figure, it stands there to the end. The district takes both changes from the
    # same day, one window closed and one open: joined into one.
    moved = world["report"](
        "loikaw", D(2023, 3, 10), [(STOCK, 7)], sources=[world["source"]("E", D(2023, 3, 10))]
    )
    assert total(D(2023, 3, 20), "MMR002") == (27, 27, 27, 2, 2, 2)
    services.report_update(report=moved, actor=moderator, place=world["demoso"])
    assert total(D(2023, 3, 20), "MMR002") == (47, 47, 47, 2, 2, 2)
    assert total(D(2023, 7, 31), "MMR002") == (52, 52, 52, 2, 2, 2)
    assert total(D(2024, 2, 1)) == (64, 64, 64, 3, 3, 3)
    assert aggregates.verify_summaries() == []
