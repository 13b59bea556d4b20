"""The notification outbox: a row per notice written with the decision, e-mailed after commit,
retried by the sweep until sent, never sent twice, in the recipient's language."""

import threading
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.mail.backends import locmem
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from reports import services, tasks
from reports.models import Notification, NotificationKind, UserPreference
from reports.services import notifications

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
NOTHING = {"sent": 0, "not sent": 0, "failed": 0, "not due": 0}


class RefusingBackend(locmem.EmailBackend):
    """A mail server that drops the connection."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class WorkerKilled(BaseException):
    """The worker process dying (SIGKILL): nothing after it runs, no except clause sees it."""


class KilledBeforeAccepted(locmem.EmailBackend):
    def send_messages(self, messages):
        raise WorkerKilled


class KilledAfterAccepted(locmem.EmailBackend):
    """The mail server took the message, then the worker died before marking the row."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled


@pytest.fixture
def changes_requested(field_partner, moderator, file_report):
    """A report a moderator sent back with a message; no notice delivered yet (the on-commit
    deliveries of these test transactions never run). Returns (report, the partner's notice)."""
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    services.report_request_changes(report=report, actor=moderator, message="Which ward?")
    return report, Notification.objects.get(kind=NotificationKind.DECISION)


def test_each_step_writes_its_notices_in_its_transaction(
    field_partner, moderator, second_moderator, file_report
):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    services.report_request_changes(report=report, actor=moderator, message="Which ward?")
    rows = Notification.objects.order_by("pk")
    assert [(n.kind, n.recipient.username, n.history.action) for n in rows] == [
        ("awaits_review", "moderator", "submit"),
        ("awaits_review", "moderator2", "submit"),
        ("decision", "partner", "request_changes"),
    ]
    assert [(n.sent_at, n.attempts, n.read_at) for n in rows] == [(None, 0, None)] * 3
    assert len({n.delivery_id for n in rows}) == 3


def test_nobody_is_told_of_their_own_step(moderator, second_moderator, organizations, file_report):
    report = file_report(moderator, organization=organizations["relief"])
    services.report_submit(report=report, actor=moderator)
    services.report_approve(report=report, actor=moderator)
    assert [(n.kind, n.recipient.username) for n in Notification.objects.all()] == [
        ("awaits_review", "moderator2")
    ]


def test_a_refused_step_writes_no_notice(field_partner, moderator, file_report):
    report = file_report(field_partner)
    with pytest.raises(Exception, match="approved"):
        services.report_approve(report=report, actor=moderator)  # a draft cannot be approved
    assert Notification.objects.count() == 0


def test_a_decision_whose_mail_fails_is_sent_later_by_the_sweep_exactly_once(
    settings, field_partner, moderator, file_report, mailoutbox, django_capture_on_commit_callbacks
):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    settings.EMAIL_BACKEND = "tests.domain.test_notifications.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_changes(report=report, actor=moderator, message="Which ward?")
    notice = Notification.objects.get(kind=NotificationKind.DECISION)
    assert (notice.sent_at, notice.attempts, notice.claimed_until) == (None, 1, None)
    assert notice.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mailoutbox == []

    settings.EMAIL_BACKEND = LOCMEM
    # Now: the failed notice waits out its first retry (a minute); the moderators' notice of
    # the submission is settled without mail, the report having left the queue.
    assert notifications.deliver_due() == NOTHING | {"not sent": 1}
    assert mailoutbox == []
    later = timezone.now() + timedelta(minutes=2)
    assert notifications.deliver_due(now=later) == NOTHING | {"sent": 1}
    assert notifications.deliver_due(now=later + timedelta(hours=2)) == NOTHING
    assert tasks.deliver_notification.delay(notice.pk).get() == "not due"
    assert len(mailoutbox) == 1

    message = mailoutbox[0]
    notice.refresh_from_db()
    assert (notice.attempts, notice.last_error, notice.sent_at) == (2, "", later)
    assert message.to == ["partner@example.org"]
    assert message.subject == f"[Tracker] Report #{report.pk}: changes requested"
    assert message.extra_headers["Message-ID"] == f"<{notice.delivery_id}@127.0.0.1>"
    assert message.message()["Message-ID"] == f"<{notice.delivery_id}@127.0.0.1>"
    assert message.body == (
        f'Report #{report.pk}, "Residents flee Loikaw": changes requested.\n\n'
        "Message from the moderator:\nWhich ward?\n\n"
        f"Open the report: http://127.0.0.1:8000/partner/reports/{report.pk}/\n\n"
        "All your notices are in your inbox: http://127.0.0.1:8000/inbox/\n"
    )
    skipped = Notification.objects.get(kind=NotificationKind.AWAITS_REVIEW)
    assert skipped.not_sent.startswith("The report has left the queue")


def test_retries_wait_longer_each_time_up_to_an_hour(settings, changes_requested):
    _, notice = changes_requested
    settings.EMAIL_BACKEND = "tests.domain.test_notifications.RefusingBackend"
    now = timezone.now()
    waits = []
    for _ in range(9):
        assert notifications.deliver(notice.pk, now=now) == "failed"
        notice.refresh_from_db()
        waits.append(notice.next_attempt_at - now)
        assert notifications.deliver(notice.pk, now=now) == "not due"  # waiting
        now = notice.next_attempt_at
    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert notice.attempts == 9


def test_a_delivery_killed_after_claiming_is_delivered_once_its_lease_runs_out(
    settings, changes_requested, mailoutbox
):
    _, notice = changes_requested
    settings.EMAIL_BACKEND = "tests.domain.test_notifications.KilledBeforeAccepted"
    now = timezone.now()
    with pytest.raises(WorkerKilled):
        notifications.deliver(notice.pk, now=now)
    notice.refresh_from_db()
    lease = timedelta(seconds=django_settings.TRACKER_NOTIFICATION_LEASE_SECONDS)
    assert (notice.sent_at, notice.attempts, notice.claimed_until) == (None, 1, now + lease)

    settings.EMAIL_BACKEND = LOCMEM
    # While the lease holds, neither the sweep nor the task handed out again touch it.
    assert notifications.deliver_due(now=now + lease)["sent"] == 0
    assert tasks.deliver_notification.delay(notice.pk).get() == "not due"
    assert mailoutbox == []
    after = now + lease + timedelta(seconds=1)
    assert notifications.deliver_due(now=after)["sent"] == 1
    assert notifications.deliver_due(now=after + timedelta(hours=1)) == NOTHING
    assert [m.to for m in mailoutbox] == [["partner@example.org"]]
    notice.refresh_from_db()
    assert (notice.attempts, notice.claimed_until, notice.sent_at) == (2, None, after)


def test_the_one_duplicate_left_carries_the_same_message_id(
    settings, changes_requested, mailoutbox
):
    """Killed after the mail server accepted and before the row was marked: sent again once
    the lease runs out, as the same message (a mail system may drop the second copy)."""
    _, notice = changes_requested
    settings.EMAIL_BACKEND = "tests.domain.test_notifications.KilledAfterAccepted"
    now = timezone.now()
    with pytest.raises(WorkerKilled):
        notifications.deliver(notice.pk, now=now)
    settings.EMAIL_BACKEND = LOCMEM
    later = now + timedelta(seconds=django_settings.TRACKER_NOTIFICATION_LEASE_SECONDS + 1)
    assert notifications.deliver(notice.pk, now=later) == "sent"
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [
        f"<{notice.delivery_id}@127.0.0.1>"
    ] * 2


def test_the_notice_is_kept_when_the_broker_is_down(
    field_partner, moderator, file_report, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    down = OperationalError("Error 111 connecting to redis:6379. Connection refused.")
    with (
        mock.patch.object(tasks.deliver_notification, "apply_async", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.report_request_changes(report=report, actor=moderator, message="Which ward?")
    notice = Notification.objects.get(kind=NotificationKind.DECISION)
    assert (notice.sent_at, notice.attempts, notice.last_error) == (None, 0, "")
    assert mailoutbox == []
    assert f"Notice {notice.pk} not queued; the sweep will deliver it." in caplog.text
    assert notifications.deliver_due() == NOTHING | {"sent": 1, "not sent": 1}
    assert [m.to for m in mailoutbox] == [["partner@example.org"]]


def test_without_a_broker_the_notice_is_delivered_on_commit(
    field_partner, moderator, file_report, mailoutbox, django_capture_on_commit_callbacks
):
    report = file_report(field_partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, actor=field_partner)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["moderator@example.org"], f"[Tracker] Report #{report.pk} awaits review")
    ]
    assert mailoutbox[0].body == (
        f'Loikaw monitors submitted report #{report.pk}, "Residents flee Loikaw" '
        "(Loikaw Town, 11 Nov 2023). It awaits review.\n\n"
        f"Review it: http://127.0.0.1:8000/moderation/reports/{report.pk}/\n\n"
        "All your notices are in your inbox: http://127.0.0.1:8000/inbox/\n"
    )
    assert Notification.objects.get().sent_at is not None


def test_the_email_is_in_the_recipients_language(
    field_partner, moderator, file_report, mailoutbox, django_capture_on_commit_callbacks
):
    UserPreference.objects.create(user=field_partner, language="my")
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_changes(report=report, actor=moderator, message="Which ward?")
    (message,) = mailoutbox
    # Strings the Burmese catalogue has: "Report #%(number)s", "Changes requested" and
    # "Message from the moderator:".
    assert message.subject == f"[Tracker] အစီရင်ခံစာ #{report.pk}: ပြင်ဆင်ရန် တောင်းဆိုထားသည်"
    assert "စိစစ်သူထံမှ မှာကြားချက်:\nWhich ward?" in message.body


def test_a_notice_without_an_address_or_access_is_kept_for_the_inbox_only(
    changes_requested, field_partner, organizations, mailoutbox
):
    _, notice = changes_requested
    field_partner.email = ""
    field_partner.save()
    assert notifications.deliver(notice.pk) == "not sent"
    notice.refresh_from_db()
    assert (notice.not_sent, notice.read_at) == ("The account has no e-mail address.", None)

    # A partner who has since left the organisation is not e-mailed its moderators' messages.
    other = Notification.objects.create(
        recipient=field_partner, kind=notice.kind, report=notice.report, history=notice.history
    )
    field_partner.email = "partner@example.org"
    field_partner.save()
    field_partner.membership.organization = organizations["relief"]
    field_partner.membership.save()
    assert notifications.deliver(other.pk) == "not sent"
    other.refresh_from_db()
    assert other.not_sent == "The recipient may no longer open the report."
    assert mailoutbox == []


def test_the_management_command_sweeps(changes_requested, mailoutbox, capsys):
    from django.core.management import call_command

    call_command("deliver_notifications")
    assert capsys.readouterr().out == (
        "Notices: 1 sent, 1 needing no e-mail, 0 failed (retried later).\n"
    )
    assert [m.to for m in mailoutbox] == [["partner@example.org"]]


def test_beat_sweeps_every_minute_and_redis_redelivers_within_the_time_limit():
    assert django_settings.CELERY_BEAT_SCHEDULE["notification-delivery"] == {
        "task": "reports.tasks.deliver_notifications",
        "schedule": 60,
    }
    limit = django_settings.CELERY_TASK_TIME_LIMIT
    redis = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    lease = django_settings.TRACKER_NOTIFICATION_LEASE_SECONDS
    assert (redis, lease) == ({"visibility_timeout": limit + 60}, limit + 30)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no race to stage"
)
def test_deliveries_racing_for_one_notice_send_it_once(
    field_partner, moderator, file_report, mailoutbox
):
    """Four deliveries (tasks handed out twice, sweeps) released together by a barrier, each
    on its own connection, for each of five notices: the claim lets exactly one send."""
    report = file_report(field_partner)
    down = OperationalError("Connection refused.")
    with mock.patch.object(tasks.deliver_notification, "apply_async", side_effect=down):
        services.report_submit(report=report, actor=field_partner)
        for _ in range(5):
            services.report_request_changes(report=report, actor=moderator, message="Ward?")
            services.report_submit(report=report, actor=field_partner)
    notices = list(Notification.objects.filter(kind=NotificationKind.DECISION))
    assert len(notices) == 5 and mailoutbox == []
    for notice in notices:
        barrier = threading.Barrier(4, timeout=30)
        outcomes: list[str] = []

        def run(pk=notice.pk, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                outcomes.append(notifications.deliver(pk))
            finally:
                connection.close()

        threads = [threading.Thread(target=run, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["not due", "not due", "not due", "sent"]
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [
        f"<{n.delivery_id}@127.0.0.1>" for n in notices
    ]
