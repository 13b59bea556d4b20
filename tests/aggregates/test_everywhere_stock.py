"""A stock everywhere is its top places' stocks put together when read (everywhere's steps are
not stored: summaries/stocks.py): with two countries, their figures add up, a source both cite
counts once, and the dates of the figures standing are the oldest and newest of either."""

from datetime import date

import pytest

from gazetteer.models import Place
from reports import aggregates, services
from reports.aggregates import Question, make_plan
from reports.aggregates.from_base_tables import answer_from_base
from reports.models import StockStep
from tests.aggregates.conftest import as_tuple

D = date
STOCK = "currently_displaced"


@pytest.fixture
def thailand(world):
    """Mae Hong Son, across the border from Kayah, under a second top place."""
    country = Place.objects.create(pcode="THA", admin_level=0, name_en="Thailand", path="/THA/")
    return Place.objects.create(
        pcode="TH58", admin_level=1, name_en="Mae Hong Son", parent=country, path="/THA/TH58/"
    )


def both(**question):
    """The answer from the summaries, checked against the base tables' (the whole answer)."""
    q = Question(metrics=(STOCK,), **question)
    answer = aggregates.answer(q)
    assert answer == answer_from_base(make_plan(q))
    return answer


def test_two_countries_stocks_add_up_with_a_shared_source_once(world, thailand):
    shared = world["source"]("Karenni Civil Society Network", D(2023, 12, 5))
    world["report"]("loikaw", D(2023, 11, 13), [(STOCK, 500)], sources=[shared])
    world["report"](thailand, D(2023, 12, 2), [(STOCK, 300)], sources=[shared])
    world["report"]("demoso", D(2023, 10, 1), [(STOCK, 200)])
    assert not StockStep.objects.filter(node=0).exists()

    answer = both(start=D(2023, 12, 1), end=D(2023, 12, 31), period="month")
    total = answer.totals[STOCK]
    # 500 + 300 + 200 in three events and reports; two sources (the network's counted once).
    assert as_tuple(total) == (1000, 1000, 1000, 3, 3, 2)
    assert (total.as_of_oldest, total.as_of_newest) == (D(2023, 10, 1), D(2023, 12, 2))
    assert as_tuple(answer.by_period[0].totals[STOCK]) == (1000, 1000, 1000, 3, 3, 2)

    # Before Thailand's figure: Myanmar's alone, its own sources.
    november = both(start=D(2023, 11, 1), end=D(2023, 11, 30))
    assert as_tuple(november.totals[STOCK]) == (700, 700, 700, 2, 2, 2)
    # By state, each its own; the series by month over the autumn.
    by_state = both(start=D(2023, 12, 1), end=D(2023, 12, 31), level=1)
    assert {row.pcode: as_tuple(row.totals[STOCK]) for row in by_state.by_area} == {
        "MMR002": (700, 700, 700, 2, 2, 2),
        "TH58": (300, 300, 300, 1, 1, 1),
    }
    series = both(start=D(2023, 10, 1), end=D(2023, 12, 31), period="month")
    assert [row.totals[STOCK].best for row in series.by_period] == [200, 700, 1000]


def test_a_back_dated_figure_in_one_country_changes_everywhere_from_its_date(
    world, thailand, moderator
):
    world["report"](thailand, D(2023, 6, 1), [(STOCK, 300)])
    world["report"]("loikaw", D(2023, 11, 13), [(STOCK, 500)])
    late = world["report"]("demoso", D(2023, 3, 15), [(STOCK, 40)])
    series = both(start=D(2023, 1, 1), end=D(2023, 12, 31), period="quarter")
    assert [row.totals[STOCK].best for row in series.by_period] == [40, 340, 340, 840]

    services.report_retract(report=late, actor=moderator, reason="Counted twice.")
    series = both(start=D(2023, 1, 1), end=D(2023, 12, 31), period="quarter")
    assert [row.totals[STOCK].best for row in series.by_period] == [0, 300, 300, 800]


def test_in_a_facet_a_country_is_its_own_figure_or_its_states_as_the_dates_say(world, thailand):
    """In a facet (a cause here) a top place's steps are composed when read: its own figure
    stands while it is at least as recent as every figure within it, or at least as large as
    what stands within it."""
    shared = world["source"]("Karenni Civil Society Network", D(2023, 12, 5))
    airstrike = {"cause": "airstrike"}
    world["report"]("loikaw", D(2023, 9, 1), [(STOCK, 300)], sources=[shared], **airstrike)
    world["report"]("MMR", D(2023, 10, 15), [(STOCK, 1000)], **airstrike)
    world["report"]("demoso", D(2023, 11, 20), [(STOCK, 900)], **airstrike)
    world["report"](thailand, D(2023, 10, 1), [(STOCK, 50)], sources=[shared], **airstrike)
    world["report"]("demoso", D(2023, 10, 2), [(STOCK, 7000)])  # no cause: not counted
    stored = StockStep.objects.filter(facet="c:airstrike")
    assert sorted(set(stored.values_list("level", flat=True))) == [1, 2, 3]  # not Myanmar's

    series = both(start=D(2023, 9, 1), end=D(2023, 11, 30), period="month", **airstrike)
    # September: Loikaw's alone. October: the nationwide figure (15 October) is newer than
    # Loikaw's and stands for Myanmar, with Mae Hong Son's beside it. November: Demoso's
    # (20 November) is newer and with Loikaw's larger than the nationwide figure, so Myanmar
    # is its places' again: 300 + 900, and 50.
    assert [as_tuple(row.totals[STOCK]) for row in series.by_period] == [
        (300, 300, 300, 1, 1, 1),
        (1050, 1050, 1050, 2, 2, 2),
        (1250, 1250, 1250, 3, 3, 2),  # the network counted once
    ]
    assert (series.totals[STOCK].as_of_oldest, series.totals[STOCK].as_of_newest) == (
        D(2023, 9, 1),
        D(2023, 11, 20),
    )
    october = both(area="MMR", start=D(2023, 10, 1), end=D(2023, 10, 31), level=1, **airstrike)
    assert as_tuple(october.totals[STOCK]) == (1000, 1000, 1000, 1, 1, 1)
    # The nationwide figure stands over Kayah's: "unspecified within Myanmar".
    assert {row.pcode: row.totals[STOCK].best for row in october.by_area} == {None: 1000}
    november = both(area="MMR", start=D(2023, 11, 1), end=D(2023, 11, 30), level=1, **airstrike)
    assert {row.pcode: row.totals[STOCK].best for row in november.by_area} == {"MMR002": 1200}
    assert as_tuple(november.totals[STOCK]) == (1200, 1200, 1200, 2, 2, 2)


def test_a_step_left_stored_for_a_composed_country_is_not_read(world):
    """Written by an earlier release after migration 0038 ran (a rolling deployment): the
    country in a facet is its composed total all the same, in the total and the breakdown."""
    world["report"]("loikaw", D(2023, 9, 1), [(STOCK, 300)], cause="airstrike")
    myanmar = world["MMR"]
    StockStep.objects.create(facet="c:airstrike", metric=STOCK, node=myanmar.pk, level=0,
                             adm0=myanmar.pk, valid_from=D(2023, 1, 1), best=999, low=999,
                             high=999, events=1, reports=1, sources=1)  # fmt: skip
    for level in (None, 1):
        answer = aggregates.answer(
            Question(
                metrics=(STOCK,), area="MMR", end=D(2023, 12, 31), level=level, cause="airstrike"
            )  # fmt: skip
        )
        assert answer.totals[STOCK].best == 300
    StockStep.objects.filter(best=999).delete()  # (the fixture verifies the summaries)
