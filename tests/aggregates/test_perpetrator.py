"""The alleged perpetrator as a filter of the counting engine: read from its own summary rows
("p:<party>", "p:unknown") when asked alone, from the base tables with another filter, by the
plain SQL baseline alike; a change of a report's alleged perpetrator moves its figures between
the facets as a change of cause does."""

from datetime import date

import pytest

from reports import aggregates, services
from reports.aggregates import Question, QuestionError, parse_question
from reports.aggregates.assemble import calendar
from reports.aggregates.facets import facet_of
from reports.aggregates.from_base_tables import answer_from_base
from reports.aggregates.question import make_plan
from reports.bench.plain_sql import engine_numbers, plain_sql
from tests.aggregates.conftest import as_tuple

D = date
NOVEMBER = {"start": D(2023, 11, 1), "end": D(2023, 11, 30)}


@pytest.fixture
def attributed(file, moderator):
    """Five approved reports of civilians killed in Kayah in November 2023."""
    sac = services.party_create(actor=moderator, name="Myanmar military", short_name="SAC")
    kndf = services.party_create(
        actor=moderator, name="Karenni Nationalities Defence Force", short_name="KNDF"
    )
    made = {
        "a": file("loikaw", D(2023, 11, 14), figures=[("killed", 7)], cause="airstrike"),
        "b": file("demoso", D(2023, 11, 15), figures=[("killed", 3)], cause="artillery"),
        "c": file("loikaw", D(2023, 11, 16), figures=[("killed", 5)], cause="ground_assault"),
        "d": file("pekon", D(2023, 11, 17), figures=[("killed", 2)], cause="landmine"),
        "e": file("demoso", D(2023, 11, 18), figures=[("killed", 4)]),  # not stated
    }
    for key, perpetrator in (("a", "sac"), ("b", "sac"), ("c", "kndf"), ("d", "unknown")):
        services.report_update(report=made[key], actor=moderator, perpetrator=perpetrator)
    return made | {"sac": sac, "kndf": kndf}


def killed(**filters):
    question = Question(metrics=("killed",), **NOVEMBER, **filters)
    found = aggregates.answer(question)
    assert found == answer_from_base(make_plan(question))
    plan = make_plan(question)
    kind, periods = calendar(plan, found.by_period[0].start if found.by_period else None)
    assert plain_sql(plan, kind, periods) == engine_numbers(found, kind)
    return as_tuple(found.totals["killed"])


def test_the_engine_counts_each_alleged_perpetrator(attributed):
    assert killed() == (21, 21, 21, 5, 5, 5)
    assert facet_of(Question(perpetrator="sac")) == "p:sac"
    assert killed(perpetrator="sac") == (10, 10, 10, 2, 2, 2)
    assert killed(perpetrator="kndf") == (5, 5, 5, 1, 1, 1)
    assert killed(perpetrator="unknown") == (2, 2, 2, 1, 1, 1)
    # Not stated: its own summaries for the harm metrics (the IHL view's), the base tables
    # for a question of any other metric.
    assert facet_of(Question(perpetrator="none", metrics=("killed", "injured"))) == "p:none"
    assert facet_of(Question(perpetrator="none", metrics=("killed", "newly_displaced"))) is None
    assert facet_of(Question(perpetrator="none")) is None
    assert killed(perpetrator="none") == (4, 4, 4, 1, 1, 1)
    # With a cause as well: no summary is kept for the pair (but a cause's "not stated"), the
    # base tables answer.
    assert facet_of(Question(perpetrator="sac", cause="airstrike")) is None
    assert killed(perpetrator="sac", cause="airstrike") == (7, 7, 7, 1, 1, 1)
    assert aggregates.verify_summaries() == []


def test_a_new_alleged_perpetrator_moves_the_figures_between_facets(attributed, moderator):
    services.report_update(report=attributed["c"], actor=moderator, perpetrator="sac")
    services.report_update(report=attributed["d"], actor=moderator, perpetrator="")
    assert killed(perpetrator="sac") == (15, 15, 15, 3, 3, 3)
    assert killed(perpetrator="kndf") == (0, 0, 0, 0, 0, 0)
    assert killed(perpetrator="unknown") == (0, 0, 0, 0, 0, 0)
    assert killed(perpetrator="none") == (6, 6, 6, 2, 2, 2)  # d (2) now states none, e (4)
    services.report_update(report=attributed["e"], actor=moderator, perpetrator="kndf")
    assert killed(perpetrator="none") == (2, 2, 2, 1, 1, 1)
    assert killed(perpetrator="kndf") == (4, 4, 4, 1, 1, 1)
    assert aggregates.verify_summaries() == []


def test_the_question_reads_a_party_by_slug_or_id(attributed):
    assert parse_question({"perpetrator": "kndf"}).perpetrator == "kndf"
    assert parse_question({"perpetrator": str(attributed["sac"].pk)}).perpetrator == "sac"
    assert parse_question({"perpetrator": "unknown"}).perpetrator == "unknown"
    with pytest.raises(QuestionError) as refused:
        parse_question({"perpetrator": "nobody"})
    assert refused.value.errors == {
        "perpetrator": "Unknown party 'nobody'; give a party's slug (see /api/v1/parties/), "
        "'unknown' or 'none' (not stated)."
    }


def test_the_totals_alone_are_the_answers_totals(attributed, file):
    """aggregates.totals() (the IHL view's columns) gives what answer() gives as totals, from
    the summaries or the base tables alike."""
    file("loikaw", D(2023, 11, 20), figures=[("currently_displaced", 900)])
    for filters in (
        {},
        {"cause": "airstrike"},
        {"perpetrator": "none"},
        {"perpetrator": "sac", "cause": "airstrike"},
    ):
        for metrics in (("killed",), ("killed", "currently_displaced"), ()):
            question = Question(metrics=metrics, **NOVEMBER, **filters)
            assert aggregates.totals(question) == aggregates.answer(question).totals
    not_stated = aggregates.totals(Question(metrics=("killed",), perpetrator="none", **NOVEMBER))
    assert as_tuple(not_stated["killed"]) == (4, 4, 4, 1, 1, 1)
    everything = aggregates.totals(Question(**NOVEMBER))
    assert as_tuple(everything["currently_displaced"]) == (900, 900, 900, 1, 1, 1)


def test_a_party_named_by_its_id_in_code_counts_as_by_its_slug(attributed):
    """A question built in code may name the party by its id (as a parameter may): the
    summaries and the base tables read its slug."""
    sac = str(attributed["sac"].pk)
    assert killed(perpetrator=sac) == (10, 10, 10, 2, 2, 2)
    assert killed(perpetrator=sac, cause="airstrike") == (7, 7, 7, 1, 1, 1)
    totals = aggregates.totals(Question(metrics=("killed",), perpetrator=sac, **NOVEMBER))
    assert as_tuple(totals["killed"]) == (10, 10, 10, 2, 2, 2)
    assert make_plan(Question(perpetrator=sac)).question.perpetrator == "sac"


def test_not_stated_covers_within_its_own_reports(attributed, file, moderator):
    """A monthly tally for the state stating no perpetrator covers, in "not stated", only the
    reports stating none (rule 5 within the narrowed evidence); alleged to a party, it moves
    to that party's facet and covers that party's reports there."""
    tally = file("kayah", D(2023, 11, 1), D(2023, 11, 30), [("killed", 30)], title="Tally")
    # Covering the four in Kayah (19); Pekon's 2 are in Shan (South).
    assert killed() == (32, 32, 32, 6, 6, 6)
    assert killed(perpetrator="none") == (30, 30, 30, 2, 2, 2)  # covering e (4) alone
    assert killed(perpetrator="sac") == (10, 10, 10, 2, 2, 2)
    breakdown = aggregates.answer(
        Question(metrics=("killed",), perpetrator="none", area="MMR002", level=3, **NOVEMBER)
    )
    assert [(r.unspecified, r.totals["killed"].best) for r in breakdown.by_area] == [
        (False, 4),
        (True, 26),
    ]
    services.report_update(report=tally, actor=moderator, perpetrator="sac")
    assert killed(perpetrator="none") == (4, 4, 4, 1, 1, 1)
    assert killed(perpetrator="sac") == (30, 30, 30, 3, 3, 3)  # covering a and b (10)
    assert aggregates.verify_summaries() == []


def test_a_causes_reports_stating_no_perpetrator_have_their_own_summaries(
    attributed, file, moderator
):
    """The IHL view filtered by a cause asks, for its "not stated" column, that cause's reports
    stating no perpetrator: kept as a facet of its own ("n:<cause>", harm metrics only), which
    follows every change of cause or perpetrator."""
    f = file("loikaw", D(2023, 11, 19), figures=[("killed", 6)], cause="airstrike", title="F")
    file("demoso", D(2023, 11, 20), figures=[("killed", 1)], cause="artillery", title="G")
    asked = {"cause": "airstrike", "perpetrator": "none"}
    assert facet_of(Question(metrics=("killed", "injured"), **asked)) == "n:airstrike"
    assert facet_of(Question(metrics=("killed", "newly_displaced"), **asked)) is None
    assert facet_of(Question(cause="airstrike", perpetrator="none", tag="Flood")) is None
    assert killed(**asked) == (6, 6, 6, 1, 1, 1)  # f alone: a (7) is alleged to the SAC
    assert killed(cause="airstrike") == (13, 13, 13, 2, 2, 2)
    assert killed(perpetrator="none") == (11, 11, 11, 3, 3, 3)  # e (4), f (6), g (1)
    assert killed(cause="artillery", perpetrator="none") == (1, 1, 1, 1, 1, 1)

    services.report_update(report=f, actor=moderator, perpetrator="kndf")
    services.report_update(report=attributed["a"], actor=moderator, perpetrator="")
    assert killed(**asked) == (7, 7, 7, 1, 1, 1)  # now a, not f
    services.report_update(report=attributed["a"], actor=moderator, cause="artillery")
    assert killed(**asked) == (0, 0, 0, 0, 0, 0)
    assert killed(cause="artillery", perpetrator="none") == (8, 8, 8, 2, 2, 2)  # a (7), g (1)
    assert aggregates.verify_summaries() == []
