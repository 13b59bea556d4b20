"""An answer names its rows' and its spanning lines' places with one read of the gazetteer,
whatever how many places it names (Place.display_name reads the local name too)."""

from dataclasses import replace
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports import aggregates
from reports.aggregates import Question

YEAR = Question(
    start=date(2023, 11, 1), end=date(2023, 11, 30), metrics=("newly_displaced",), level=3
)


def queries(question) -> tuple[int, aggregates.Answer]:
    with CaptureQueriesContext(connection) as captured:
        answer = aggregates.answer(question)
    return len(captured.captured_queries), answer


def test_places_named_in_one_read_however_many(world):
    spanning = dict(start=date(2023, 10, 20))  # reaching beyond November: a spanning line
    world["report"]("loikaw", date(2023, 11, 5), [("newly_displaced", 10)], **spanning)
    before, one = queries(YEAR)
    world["report"]("demoso", date(2023, 11, 6), [("newly_displaced", 20)], **spanning)
    world["report"]("pekon", date(2023, 11, 7), [("newly_displaced", 30)], **spanning)
    world["report"]("loikaw_town", date(2023, 11, 8), [("newly_displaced", 40)], **spanning)
    after, three = queries(YEAR)
    assert [line.place_name for line in one.beyond["newly_displaced"]] == ["Loikaw Township"]
    assert [line.place_name for line in three.beyond["newly_displaced"]] == [
        "Loikaw Town", "Pekon Township", "Demoso Township", "Loikaw Township"
    ]  # fmt: skip
    assert after == before


def test_area_rows_in_burmese_named_in_one_read_however_many(world):
    question = Question(area="MMR002", start=date(2023, 11, 1), end=date(2023, 11, 30), level=4)
    world["report"]("loikaw_town", date(2023, 11, 8), [("newly_displaced", 40)])
    with translation.override("my"):
        one = queries(question)[1]
        world["report"]("loikaw", date(2023, 11, 9), [("newly_displaced", 5)])
        world["report"]("demoso", date(2023, 11, 9), [("newly_displaced", 7)])
        more = queries(replace(question, level=3))[1]
        assert queries(replace(question, level=3))[0] == queries(replace(question, level=4))[0]
    assert [row.name for row in one.by_area] == ["လွိုင်ကော်မြို့"]
    # Townships without a local name are named in English.
    assert [row.name for row in more.by_area] == ["Loikaw Township", "Demoso Township"]
