"""When the database gives up on a change because of others changing the same rows at that
moment (a deadlock), the services do it again; what still fails tells the person that nothing
was saved, never a server error. The deadlock is staged by making the summaries' refresh
(inside the approval's transaction) raise what Django raises for PostgreSQL's 40P01."""

import psycopg
import pytest
from django.db import OperationalError, transaction
from django.test import RequestFactory

from reports import aggregates, selectors, services
from reports.api.errors import exception_handler
from reports.exceptions import Busy
from reports.middleware import BusyDatabase
from reports.models import Report
from reports.workflow import Action, Status

pytestmark = pytest.mark.django_db(transaction=True)


def deadlock() -> OperationalError:
    try:
        raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected(
            "deadlock detected"
        )
    except OperationalError as error:
        return error


@pytest.fixture
def deadlocks(monkeypatch):
    """Make the next `n` refreshes of the summaries fail as a deadlock would (then refresh)."""
    follow = aggregates.follow_report
    left = {"n": 0}

    def failing(report, **options):
        if left["n"] > 0:
            left["n"] -= 1
            raise deadlock()
        return follow(report, **options)

    monkeypatch.setattr(aggregates, "follow_report", failing)

    def arrange(n):
        left["n"] = n

    return arrange


@pytest.fixture
def submitted(file_report, field_partner):
    return services.report_submit(report=file_report(field_partner), actor=field_partner)


def approvals(report):
    return list(report.history.filter(action=Action.APPROVE).values_list("to_status", flat=True))


def test_an_approval_that_meets_a_deadlock_is_done_again(submitted, moderator, deadlocks):
    deadlocks(2)
    version = submitted.version

    approved = services.report_approve(report=submitted, actor=moderator, note="Checked.")

    assert approved.status == Status.APPROVED
    stored = Report.objects.get(pk=submitted.pk)
    assert (stored.status, stored.version) == (Status.APPROVED, version + 1)
    assert approvals(stored) == [Status.APPROVED]


def test_a_deadlock_every_time_saves_nothing_and_says_so(submitted, moderator, deadlocks):
    deadlocks(3)
    version = submitted.version

    with pytest.raises(Busy) as refused:
        services.report_approve(report=submitted, actor=moderator, note="Checked.")

    assert refused.value.code == "busy"
    assert "Nothing was saved: try again." in refused.value.message
    stored = Report.objects.get(pk=submitted.pk)
    assert (stored.status, stored.version) == (Status.SUBMITTED, version)
    assert approvals(stored) == []


def test_inside_a_callers_transaction_it_is_not_done_again(submitted, moderator, deadlocks):
    """Only the outermost transaction can be done again: the caller's own is aborted."""
    deadlocks(1)

    with pytest.raises(OperationalError), transaction.atomic():
        services.report_approve(report=submitted, actor=moderator, note="Checked.")

    assert Report.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_the_moderation_page_says_nothing_was_saved(client, moderator, submitted, deadlocks):
    client.force_login(moderator)
    deadlocks(3)

    response = client.post(
        f"/moderation/reports/{submitted.pk}/approve/", {"approve-version": submitted.version}
    )

    assert response.status_code == 409
    assert "Nothing was saved: try again." in response.content.decode()
    assert Report.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_a_page_meeting_a_deadlock_outside_the_services_answers_503(moderator):
    request = RequestFactory().post("/moderation/")
    request.user = moderator

    response = BusyDatabase(lambda r: None).process_exception(request, deadlock())

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "check what was saved, and send it again" in response.content.decode()
    assert BusyDatabase(lambda r: None).process_exception(request, ValueError("x")) is None


def test_the_api_answers_a_deadlock_with_503_busy():
    response = exception_handler(deadlock(), {"view": None, "request": None})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data == {
        "type": "server_error",
        "errors": [
            {
                "code": "busy",
                "detail": (
                    "Others were changing the same records at that moment and the change "
                    "could not be made. Nothing was saved: try again."
                ),
                "attr": None,
            }
        ],
    }


def test_other_database_errors_are_not_mistaken_for_a_busy_database(
    submitted, moderator, monkeypatch
):
    def broken(report, **options):
        raise OperationalError("no such table: reports_eventcount")

    monkeypatch.setattr(aggregates, "follow_report", broken)

    with pytest.raises(OperationalError, match="no such table"):
        services.report_approve(report=submitted, actor=moderator, note="Checked.")


def test_the_admins_link_action_says_which_reports_it_could_not_link(
    client, moderator, submitted, deadlocks, field_partner, file_report
):
    """Each report is linked in its own transaction: the one the database gave up on is named
    and left unlinked, the others are linked."""
    services.report_approve(report=submitted, actor=moderator, note="Checked.")
    draft = file_report(field_partner)  # not approved: no refresh of the summaries to fail
    event = services.event_create(actor=moderator, name="Displacement from Loikaw")
    client.force_login(moderator)
    deadlocks(3)

    response = client.post(
        "/admin/reports/report/",
        {
            "action": "link_to_event",
            "_selected_action": [submitted.pk, draft.pk],
            "event": event.pk,
        },
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f"#{submitted.pk}: Others were changing the same records at that moment" in page
    assert "1 report(s) now in event" in page
    assert Report.objects.get(pk=submitted.pk).event_id is None
    assert Report.objects.get(pk=draft.pk).event_id == event.pk


def test_the_queue_counts_nothing_as_zeros_in_every_status():
    assert selectors.status_counts(Report.objects.filter(pk__in=[])) == dict.fromkeys(
        Status.values, 0
    )
