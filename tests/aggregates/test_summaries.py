"""The summaries under the engine: they follow every change, count distinct sources exactly,
are checked against a recomputation, rebuilt on demand, and stay exact when moderators
approve at the same moment."""

import threading
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reports import aggregates, publication, services
from reports.aggregates import Question
from reports.models import EventCount, FlowTotal, Report, StockStep
from tests.aggregates.conftest import as_tuple

D = date


def summary(metric, **question):
    return as_tuple(aggregates.answer(Question(metrics=(metric,), **question)).totals[metric])


def test_verify_finds_a_tampered_summary_and_rebuild_repairs_it(world):  # noqa: F811
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 3), ("currently_displaced", 500)])
    world["report"]("demoso", D(2023, 12, 2), [("killed", 4)])
    assert aggregates.verify_summaries() == []
    assert summary("killed") == (7, 7, 7, 2, 2, 2)

    FlowTotal.objects.filter(facet="", node=0, metric="killed", span="year").update(best=70)
    StockStep.objects.filter(facet="").delete()
    differences = aggregates.verify_summaries()
    assert differences[:2] == [
        "FlowTotal missing: metric=killed node=0 level=-1 span=year start=2023-01-01 best=7 "
        "low=7 high=7 events=2 reports=2 open_events=0 approximate_events=0 at_most_events=0 "
        "local_sources=2 shared_sources=0 settled_sources=0",
        "FlowTotal not expected: metric=killed node=0 level=-1 span=year start=2023-01-01 "
        "best=70 low=7 high=7 events=2 reports=2 open_events=0 approximate_events=0 "
        "at_most_events=0 local_sources=2 shared_sources=0 settled_sources=0",
    ]
    assert [d.split(":")[0] for d in differences[2:]] == ["StockStep missing"] * 4
    assert summary("killed")[0] == 70  # the answer reads the summaries

    with pytest.raises(CommandError, match="disagree with the base tables"):
        call_command("rebuild_aggregates", "--check", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Every row twice: for all reports, and for those citing news media (the sources' type);
    # the harm (killed) a third time, for the reports stating no perpetrator ("p:none").
    assert aggregates.rebuild_summaries() == {
        "EventCount": 3 * 2 + 2,
        "SourceUse": 3 * 2 + 2,
        "FlowTotal": (5 + 5 + 6) * 3,  # 5 places each in November and December, 6 in the year
        # Myanmar, Kayah, Loikaw District, Loikaw; for news media the same but Myanmar
        # (everywhere's, and a top place's in a facet: composed when read)
        "StockStep": 4 + 3,
    }
    assert aggregates.verify_summaries() == []
    assert summary("killed") == (7, 7, 7, 2, 2, 2)
    assert summary("currently_displaced") == (500, 500, 500, 1, 1, 1)


def test_rebuild_command_and_check(world, capsys):  # noqa: F811
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 3)])
    EventCount.objects.all().delete()
    call_command("rebuild_aggregates")
    # All reports, those citing news media and those stating no perpetrator: each row 3 times.
    assert "Summaries rebuilt: 3 EventCount, 3 SourceUse, 30 FlowTotal, 0 StockStep." in (
        capsys.readouterr().out
    )
    call_command("rebuild_aggregates", "--check")
    assert "agree with the base tables" in capsys.readouterr().out


def test_a_source_cited_by_several_events_is_counted_once(world, moderator):  # noqa: F811
    sitrep = world["source"]("OCHA flash update", D(2023, 12, 5), "un_ingo")
    local_a = world["source"]("Local A", D(2023, 11, 5))
    local_b = world["source"]("Local B", D(2023, 12, 5))
    first = world["report"]("loikaw", D(2023, 11, 4), [("injured", 2)], sources=[sitrep, local_a])
    world["report"]("demoso", D(2023, 12, 4), [("injured", 5)], sources=[sitrep, local_b])
    world["report"]("pekon", D(2023, 12, 4), [("injured", 1)], sources=[local_b])

    assert summary("injured") == (8, 8, 8, 3, 3, 3)
    answer = aggregates.answer(
        Question(metrics=("injured",), start=D(2023, 11, 1), end=D(2023, 12, 31), period="month")
    )
    assert [(r.label, r.totals["injured"].sources) for r in answer.by_period] == [
        ("Nov 2023", 2),
        ("Dec 2023", 2),
    ]
    assert [(r.name, r.totals["injured"].sources) for r in answer.by_area] == [
        ("Kayah", 3),
        ("Shan (South)", 1),
    ]
    by_township = aggregates.answer(Question(metrics=("injured",), area="MMR002", level=3))
    assert [(r.pcode, r.totals["injured"].sources) for r in by_township.by_area] == [
        ("MMR002001", 2),
        ("MMR002002", 2),
    ]
    # A loose day range (not whole months) is read from the events themselves.
    assert summary("injured", start=D(2023, 11, 3), end=D(2023, 12, 4)) == (8, 8, 8, 3, 3, 3)
    assert summary("injured", start=D(2023, 11, 5), end=D(2023, 12, 3)) == (0, 0, 0, 0, 0, 0)

    services.report_retract(report=first, actor=moderator, reason="Wrong township.")
    assert summary("injured") == (6, 6, 6, 2, 2, 2)
    assert summary("injured", area="MMR002") == (5, 5, 5, 1, 1, 2)


def test_summaries_follow_links_relinks_and_unlinks(world, moderator):  # noqa: F811
    one, two = world["event"]("One"), world["event"]("Two")
    a = world["report"]("loikaw", D(2023, 11, 4), [("killed", 2)])
    b = world["report"]("loikaw", D(2023, 11, 5), [("killed", 3)], event=one)
    assert summary("killed") == (5, 5, 5, 2, 2, 2)

    services.report_link_event(report=a, event=one, actor=moderator)
    assert summary("killed") == (3, 2, 3, 1, 2, 2)  # b is the more recently published
    services.event_set_reference_figure(event=one, figure=a.figures.get(), actor=moderator)
    assert summary("killed") == (2, 2, 3, 1, 2, 2)  # the reference; the range is the event's
    services.report_link_event(report=a, event=two, actor=moderator)  # its reference goes
    assert summary("killed") == (5, 5, 5, 2, 2, 2)
    services.report_link_event(report=b, event=None, actor=moderator)
    assert [
        (line.event_id, line.reference_report_id)
        for line in aggregates.evidence(Question(), "killed")
    ] == [(None, b.pk), (two.pk, a.pk)]
    assert aggregates.verify_summaries() == []


def test_an_edit_of_dates_and_figures_is_followed_too(world, moderator):  # noqa: F811
    report = world["report"]("loikaw", D(2023, 11, 4), [("killed", 2)])
    services.report_update(
        report=report,
        actor=moderator,
        start_date=D(2023, 12, 30),
        end_date=D(2024, 1, 3),
        figures=[{"metric": "killed", "qualifier": "exact", "value": 9}],
    )
    # Its span (30 December to 3 January) lies in neither year: only a question holding both
    # counts it (rule 3).
    assert summary("killed", start=D(2024, 1, 1)) == (0, 0, 0, 0, 0, 0)
    assert summary("killed", end=D(2023, 12, 31)) == (0, 0, 0, 0, 0, 0)
    assert summary("killed", start=D(2023, 12, 1)) == (9, 9, 9, 1, 1, 1)


def test_a_stock_figure_changed_in_the_past_rewrites_the_later_steps(world, moderator):  # noqa: F811
    # Kayah's figure is smaller than Loikaw's newer ones: theirs stand (rule 4).
    world["report"]("kayah", D(2023, 1, 31), [("currently_displaced", 30)])
    late = world["report"]("loikaw", D(2023, 3, 31), [("currently_displaced", 40)])
    world["report"]("loikaw", D(2023, 5, 31), [("currently_displaced", 45)])
    assert summary("currently_displaced", area="MMR002") == (45, 45, 45, 1, 1, 1)
    services.report_update(report=late, actor=moderator, end_date=D(2023, 6, 30))
    assert summary("currently_displaced", area="MMR002") == (40, 40, 40, 1, 1, 1)
    assert summary("currently_displaced", area="MMR002", end=D(2023, 5, 30)) == (
        30, 30, 30, 1, 1, 1)  # fmt: skip
    assert aggregates.verify_summaries() == []


def approve(report_pk, moderator, barrier, errors):
    """One moderator's approval in its own thread and database connection."""
    try:
        report = Report.objects.get(pk=report_pk)
        barrier.wait()
        services.report_approve(report=report, actor=moderator)
    except Exception as exc:  # the test asserts there were none
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; the race needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_moderators_approving_at_the_same_moment_keep_the_summaries_exact(
    world,  # noqa: F811
    moderator,
):
    """Four reports of one event, in one township and month, citing one shared source and one
    their own, approved by four threads released together."""
    event = world["event"]("Shelling of Demoso")
    shared = world["source"]("Shared sitrep", D(2023, 11, 20))
    rounds, threads_per_round = 3, 4
    for round_ in range(rounds):
        pending = [
            world["report"](
                "demoso",
                D(2023, 11, 10 + round_),
                [("killed", 10 * round_ + i + 1), ("newly_displaced", 100)],
                sources=[shared, world["source"](f"Own {round_}-{i}", D(2023, 11, 10))],
                approve=False,
                event=event if i % 2 == 0 else None,
            )
            for i in range(threads_per_round)
        ]
        barrier = threading.Barrier(len(pending), timeout=30)
        errors = []
        threads = [
            threading.Thread(target=approve, args=(r.pk, moderator, barrier, errors))
            for r in pending
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert aggregates.verify_summaries() == []
        assert publication.verify() == []
    # Per round: the event's figure (the later approval among i = 0, 2) and two unlinked ones.
    assert summary("newly_displaced")[3:] == (1 + 2 * rounds, 4 * rounds, 1 + 4 * rounds)


def test_a_changed_publication_date_is_followed_when_asked(world, moderator):  # noqa: F811
    event = world["event"]()
    early = world["source"]("Early", D(2023, 11, 14))
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 3)], sources=[early], event=event)
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 5)],
                    sources=[world["source"]("Later", D(2023, 11, 15))], event=event)  # fmt: skip
    assert summary("killed")[0] == 5
    # The admin edits sources directly; whoever saves one asks the engine to follow it.
    type(early).objects.filter(pk=early.pk).update(published_on=D(2023, 11, 20))
    assert aggregates.verify_summaries() != []
    aggregates.follow_source(early)
    assert summary("killed")[0] == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; the race needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_covering_figure_and_one_inside_it_approved_at_the_same_moment(
    world,  # noqa: F811
    moderator,
):
    """Each approval must see the other: the tally adds only what it reports beyond the
    township's figure (rule 5), whichever commits first."""
    for round_ in range(4):
        pending = [
            world["report"](
                "kayah",
                D(2023, 6, 30),
                [("killed", 1000)],
                start=D(2023, 1, 1),
                approve=False,
                sources=[world["source"](f"Tally {round_}", D(2023, 7, 1))],
            ),
            world["report"](
                "loikaw",
                D(2023, 2, 10 + round_),
                [("killed", 10)],
                approve=False,
                sources=[world["source"](f"Incident {round_}", D(2023, 2, 11))],
            ),
        ]
        barrier = threading.Barrier(len(pending), timeout=30)
        errors = []
        threads = [
            threading.Thread(target=approve, args=(r.pk, moderator, barrier, errors))
            for r in pending
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert aggregates.verify_summaries() == []


def test_a_stock_whose_shared_source_is_swapped_for_another_keeps_its_steps_exact(
    world,
    moderator,  # noqa: F811
):
    # Loikaw's stock cites X and Y; Demoso's cites X, so X is shared and Y is Loikaw's own.
    # Demoso's report then cites Y instead: X becomes Loikaw's own and Y shared, so Loikaw's
    # count of its own sources stays 1 while which of its sources is shared changes.
    x = world["source"]("Source X", D(2023, 11, 5))
    y = world["source"]("Source Y", D(2023, 11, 5))
    world["report"]("loikaw", D(2023, 11, 4), [("currently_displaced", 100)], sources=[x, y])
    demoso = world["report"]("demoso", D(2023, 11, 4), [("currently_displaced", 50)], sources=[x])
    kayah = Question(metrics=("currently_displaced",), area="MMR002", end=D(2023, 11, 30))
    assert as_tuple(aggregates.answer(kayah).totals["currently_displaced"]) == (
        150, 150, 150, 2, 2, 2
    )  # fmt: skip

    services.report_update(report=demoso, actor=moderator, sources=[y])
    # Kayah stands on X (Loikaw's own now) and Y (shared): two sources, not X, Y and X again.
    assert as_tuple(aggregates.answer(kayah).totals["currently_displaced"]) == (
        150, 150, 150, 2, 2, 2
    )  # fmt: skip
    assert aggregates.verify_summaries() == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeping_not_stated_builds_its_summaries(world, moderator):
    """Migration 0032 builds the "p:none" facet of a database whose summaries had none (and
    taking it back drops it): a question of harm by reports stating no perpetrator reads it."""
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 3), ("currently_displaced", 500)])
    stated = world["report"]("demoso", D(2023, 12, 2), [("killed", 4)])
    services.report_update(report=stated, actor=moderator, perpetrator="unknown")
    none = Question(metrics=("killed",), perpetrator="none")
    assert as_tuple(aggregates.answer(none).totals["killed"]) == (3, 3, 3, 1, 1, 1)

    call_command("migrate", "reports", "0031", verbosity=0)
    assert not EventCount.objects.filter(facet="p:none").exists()
    call_command("migrate", "reports", verbosity=0)
    assert sorted(EventCount.objects.filter(facet="p:none").values_list("metric", "best")) == [
        ("killed", 3)
    ]
    assert as_tuple(aggregates.answer(none).totals["killed"]) == (3, 3, 3, 1, 1, 1)
    assert aggregates.verify_summaries() == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeping_each_causes_not_stated_builds_its_summaries(world, moderator):
    """Migration 0035 builds the "n:<cause>" facets of a database whose summaries had none
    (and taking it back drops them): the IHL view's "not stated" column of a cause reads them."""
    world["report"]("loikaw", D(2023, 11, 13), [("killed", 3)], cause="airstrike")
    stated = world["report"]("demoso", D(2023, 12, 2), [("killed", 4)], cause="airstrike")
    services.report_update(report=stated, actor=moderator, perpetrator="unknown")
    world["report"]("demoso", D(2023, 12, 3), [("killed", 2), ("newly_displaced", 50)])
    none = Question(metrics=("killed",), cause="airstrike", perpetrator="none")
    assert as_tuple(aggregates.answer(none).totals["killed"]) == (3, 3, 3, 1, 1, 1)

    call_command("migrate", "reports", "0034", verbosity=0)
    assert not EventCount.objects.filter(facet__startswith="n:").exists()
    call_command("migrate", "reports", verbosity=0)
    assert sorted(
        EventCount.objects.filter(facet__startswith="n:").values_list("facet", "metric", "best")
    ) == [("n:airstrike", "killed", 3)]
    assert as_tuple(aggregates.answer(none).totals["killed"]) == (3, 3, 3, 1, 1, 1)
    assert aggregates.verify_summaries() == []
