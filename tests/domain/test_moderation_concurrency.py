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
