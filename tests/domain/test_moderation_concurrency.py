"""Two moderators deciding on the same submitted report at the same moment, for real: two
threads, each with its own database connection, released together by a barrier into the
services. The row lock and the expected version let exactly one decision through; the other
changes nothing and is told why.

PostgreSQL only: SQLite locks the whole database for a writer and ignores SELECT ... FOR
UPDATE, so the race these tests stage cannot happen there.
"""

import threading

import pytest
from django.db import connection

from reports import services
from reports.exceptions import ConcurrentModification, TransitionNotAllowed
from reports.models import Report
from reports.workflow import Action, Status

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks (SQLite has no SELECT ... FOR UPDATE); "
        "run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5
DECISIONS = (Action.APPROVE, Action.REJECT, Action.REQUEST_CHANGES)
OUTCOME = {
    Action.APPROVE: Status.APPROVED,
    Action.REJECT: Status.REJECTED,
    Action.REQUEST_CHANGES: Status.CHANGES_REQUESTED,
}


def decide(action, *, report, actor, expected_version):
    if action == Action.APPROVE:
        return services.report_approve(
            report=report, actor=actor, note="Checked.", expected_version=expected_version
        )
    if action == Action.REJECT:
        return services.report_reject(
            report=report, actor=actor, reason="Duplicate.", expected_version=expected_version
        )
    return services.report_request_changes(
        report=report, actor=actor, message="Which ward?", expected_version=expected_version
    )


def race(report_pk, moves):
    """Run each (action, moderator, expected version) in its own thread, all released at once;
    returns, in the same order, None for a decision that went through or the exception."""
    barrier = threading.Barrier(len(moves), timeout=30)
    results = [RuntimeError("thread did not finish")] * len(moves)

    def run(index, action, actor, version):
        try:
            report = Report.objects.get(pk=report_pk)
            barrier.wait()
            decide(action, report=report, actor=actor, expected_version=version)
            results[index] = None
        except Exception as exc:  # the test inspects what each thread met
            results[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=run, args=(i, *move), daemon=True) for i, move in enumerate(moves)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a decision hung"
    return results


@pytest.fixture
def moderators(moderator, second_moderator):
    for user in (moderator, second_moderator):
        assert user.has_perm("reports.moderate_report")  # fills the permission cache here
    return moderator, second_moderator


def submitted(file_report, field_partner):
    report = file_report(field_partner)
    return services.report_submit(report=report, actor=field_partner)


def assert_one_decision(report, results, actions, version_before, losers_get):
    winners = [i for i, result in enumerate(results) if result is None]
    assert len(winners) == 1, results
    loser = results[1 - winners[0]]
    assert isinstance(loser, losers_get), loser
    report.refresh_from_db()
    assert report.status == OUTCOME[actions[winners[0]]]
    assert report.version == version_before + 1
    decisions = report.history.filter(action__in=DECISIONS)
    assert [(e.action, e.from_status) for e in decisions] == [
        (actions[winners[0]], Status.SUBMITTED)
    ]


@pytest.mark.parametrize(
    "actions",
    [
        (Action.APPROVE, Action.APPROVE),
        (Action.APPROVE, Action.REJECT),
        (Action.REJECT, Action.REQUEST_CHANGES),
        (Action.REQUEST_CHANGES, Action.APPROVE),
    ],
)
def test_same_expected_version_lets_exactly_one_decision_through(
    moderators, file_report, field_partner, actions
):
    for _ in range(ROUNDS):
        report = submitted(file_report, field_partner)
        seen = report.version
        results = race(report.pk, [(a, m, seen) for a, m in zip(actions, moderators, strict=True)])
        assert_one_decision(report, results, actions, seen, ConcurrentModification)
        assert "was changed by someone else" in str([r for r in results if r][0])


@pytest.mark.parametrize(
    "actions",
    [
        (Action.APPROVE, Action.APPROVE),
        (Action.APPROVE, Action.REJECT),
        (Action.APPROVE, Action.REQUEST_CHANGES),
    ],
)
def test_without_expected_version_the_row_lock_serialises_them(
    moderators, file_report, field_partner, actions
):
    """Whichever commits second finds the report already decided: a transition the workflow
    does not allow from there. (Reject after request-changes is allowed, so the pairs here are
    those the workflow itself forbids; the version is what protects the others.)"""
    for _ in range(ROUNDS):
        report = submitted(file_report, field_partner)
        seen = report.version
        results = race(report.pk, [(a, m, None) for a, m in zip(actions, moderators, strict=True)])
        assert_one_decision(report, results, actions, seen, TransitionNotAllowed)


def test_choosing_an_events_figure_while_one_of_its_reports_is_approved(
    scenario, field_partner, moderator, file_report, places, monkeypatch
):
    """One moderator approves a report of an event while another chooses the figure the event
    counts: both go through, one after the other. The choice locked the event before its
    reports, the approval a report before its event, and PostgreSQL killed one of them as a
    deadlock (a server error for that moderator)."""
    import time

    from django.db import connections

    from reports import publication
    from reports.models import Event

    event = Event.objects.get(name="Displacement from Loikaw")
    counted = event.reports.order_by("pk").first()
    waiting = file_report(
        field_partner,
        title="More displaced",
        place=places["loikaw"],
        figures=[dict(metric="newly_displaced", qualifier="exact", value=100)],
    )
    services.report_submit(report=waiting, actor=field_partner)
    services.report_link_event(
        report=Report.objects.get(pk=waiting.pk), event=event, actor=moderator
    )

    approving, go_on = threading.Event(), threading.Event()
    real_lock = publication._lock

    def held_between_report_and_event(ids, held=False):
        # Widens the window between the approval's lock of its report and of its event.
        if threading.current_thread().name == "approve":
            approving.set()
            go_on.wait(10)
        return real_lock(ids, held)

    monkeypatch.setattr(publication, "_lock", held_between_report_and_event)
    errors = {}

    def run(name, work):
        try:
            work()
        except Exception as error:  # noqa: BLE001 - any failure is the test's finding
            errors[name] = error
        finally:
            connections.close_all()

    approve = threading.Thread(
        name="approve",
        target=run,
        args=(
            "approve",
            lambda: services.report_approve(
                report=Report.objects.get(pk=waiting.pk), actor=moderator
            ),
        ),
    )
    choose = threading.Thread(
        name="choose",
        target=run,
        args=(
            "choose",
            lambda: services.event_set_reference_figure(
                event=event, figure=counted.figures.get(), actor=moderator
            ),
        ),
    )
    approve.start()
    assert approving.wait(30)
    choose.start()
    time.sleep(1.5)  # the choice now waits for the approval's report
    go_on.set()
    approve.join(30)
    choose.join(30)

    assert errors == {}
    assert Report.objects.get(pk=waiting.pk).status == Status.APPROVED
    assert event.reference_figures.get().figure_id == counted.figures.get().pk
