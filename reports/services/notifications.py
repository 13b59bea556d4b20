"""Notices that cannot be lost (docs/notifications.md): each is a row of the outbox written in
the transaction of the decision or submission that causes it; a task queued after commit
e-mails it, and the sweep (beat, or `manage.py deliver_notifications`) retries what is still
unsent, with backoff, until it goes. The same rows are each person's inbox.

Never sent twice: a delivery first claims its row with one UPDATE that only succeeds while the
row is unsent and unclaimed (or its claim has lapsed), so two workers never both send it; a
worker killed while holding the claim leaves a lease that runs out, and another delivers it.
One window remains: killed after the mail server accepted the message and before the row was
marked sent. That notice is sent again, with the same Message-ID (its delivery id), which lets
mail systems recognise and drop the second copy."""

import logging
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    ExportJob,
    Notification,
    NotificationKind,
    Report,
    ReportHistory,
    UserPreference,
)
from ..selectors import reports_of_own_organization
from ..types import Actor, Viewer
from ..workflow import Action, Status

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
SWEEP_LIMIT = 200


# --- Writing the outbox (inside the caller's transaction) -------------------------------------


def moderators() -> QuerySet[Actor]:
    """Every active account that may moderate (the group's or its own permission, or a
    superuser)."""
    users = get_user_model().objects.filter(is_active=True)
    perm = Q(groups__permissions__codename="moderate_report") | Q(
        user_permissions__codename="moderate_report"
    )
    return users.filter(perm | Q(is_superuser=True)).distinct()


def notices_for_transition(*, report: Report, entry: ReportHistory, actor: Actor) -> list[int]:
    """Write the notices a workflow step causes, in the caller's transaction, and queue their
    delivery for after it commits: a submission tells every moderator it awaits review; a
    decision tells the person who filed the report. Nobody is told of their own action.
    Returns the notices' ids."""
    if entry.action == Action.SUBMIT:
        kind = NotificationKind.AWAITS_REVIEW
        recipients = list(moderators().exclude(pk=actor.pk).order_by("pk"))
    else:
        kind = NotificationKind.DECISION
        submitter = report.submitted_by
        recipients = [submitter] if submitter.is_active and submitter.pk != actor.pk else []
    created = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, report=report, history=entry) for user in recipients
    )
    ids = [notice.pk for notice in created]
    if ids:
        transaction.on_commit(lambda: _queue_delivery(ids))
    return ids


def notice_export_ready(job: ExportJob) -> Notification | None:
    """Tell a signed-in person in their inbox that their export job has finished (done or
    failed); never e-mailed, so it is written as settled. None for an anonymous or API job."""
    if job.user_id is None:
        return None
    return Notification.objects.create(
        recipient_id=job.user_id,
        kind=NotificationKind.EXPORT_READY,
        export=job,
        sent_at=timezone.now(),
        not_sent="In the inbox only.",
    )


def _queue_delivery(ids: list[int]) -> None:
    """Queue one delivery task per notice. A broker that is down loses nothing: the rows are
    committed, and the sweep delivers them. Without a broker (CELERY_TASK_ALWAYS_EAGER) the
    task runs here, and a failure stays in the outbox."""
    from .. import tasks

    for pk in ids:
        try:
            tasks.deliver_notification.delay(pk)
        except Exception:
            logger.exception("Notice %s not queued; the sweep will deliver it.", pk)


# --- Delivering --------------------------------------------------------------------------------


def _claim(notice_id: int, now: datetime) -> bool:
    lease = timedelta(seconds=settings.TRACKER_NOTIFICATION_LEASE_SECONDS)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return bool(
        Notification.objects.filter(
            free, pk=notice_id, sent_at__isnull=True, next_attempt_at__lte=now
        ).update(claimed_until=now + lease, attempts=F("attempts") + 1)
    )


def _why_not_sent(notice: Notification) -> str:
    """Why this notice needs no e-mail (it stays in the inbox), or '' if it does."""
    recipient = notice.recipient
    report = notice.report
    if report is None:
        return "In the inbox only."
    if not recipient.is_active:
        return "The account is inactive."
    if not reports_of_own_organization(recipient).filter(pk=report.pk).exists():
        return "The recipient may no longer open the report."
    if not recipient.email:
        return "The account has no e-mail address."
    if notice.kind == NotificationKind.AWAITS_REVIEW and (
        report.status != Status.SUBMITTED
        or report.history.filter(action=Action.SUBMIT, pk__gt=notice.history_id).exists()
    ):
        return "The report has left the queue (or was submitted again) before this was sent."
    return ""


def deliver(notice_id: int, *, now: datetime | None = None) -> str:
    """Try to e-mail one notice, if it is due and nobody else holds it. Returns what happened:
    "sent", "not sent" (none due, see Notification.not_sent), "failed" (retried later by the
    sweep), or "not due" (already settled, held by another delivery, or waiting to retry)."""
    now = now or timezone.now()
    if not _claim(notice_id, now):
        return "not due"
    notice = Notification.objects.select_related(
        "recipient", "report__place", "report__organization", "history"
    ).get(pk=notice_id)
    mine = Notification.objects.filter(pk=notice_id, sent_at__isnull=True)
    reason = _why_not_sent(notice)
    if reason:
        mine.update(sent_at=now, not_sent=reason, claimed_until=None, last_error="")
        return "not sent"
    try:
        notification_email(notice).send()
    except Exception as exc:  # whatever the mail backend raised: kept, and retried
        wait = min(FIRST_RETRY * 2 ** (notice.attempts - 1), LONGEST_WAIT)
        mine.update(
            claimed_until=None,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=now + wait,
        )
        logger.warning("Notice %s not sent (attempt %s): %s", notice_id, notice.attempts, exc)
        return "failed"
    mine.update(sent_at=now, claimed_until=None, last_error="")
    return "sent"


def deliver_due(*, limit: int = SWEEP_LIMIT, now: datetime | None = None) -> dict[str, int]:
    """The sweep: deliver the unsent notices whose time has come (oldest first, at most
    `limit`). Returns how many were sent, not sent, failed or taken by another delivery."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = list(
        Notification.objects.filter(free, sent_at__isnull=True, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes = Counter(deliver(pk, now=now) for pk in due)
    return {key: outcomes[key] for key in ("sent", "not sent", "failed", "not due")}


# --- The e-mail, in the recipient's language ---------------------------------------------------


def language_of(user: Actor) -> str:
    """The language the person reads the tracker in: their last choice, else the default."""
    chosen = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def remember_language(user: Viewer, language: str) -> None:
    """Keep the language a person chose with the header's button."""
    if not user.is_authenticated or language not in dict(settings.LANGUAGES):
        return
    UserPreference.objects.update_or_create(user=user, defaults={"language": language})


def remember_language_at_login(
    sender: object, request: HttpRequest | None, user: Actor, **kwargs: object
) -> None:
    """On sign-in (user_logged_in): the language the person signs in with becomes theirs when
    they chose it on this browser (the language button's cookie), or when they have none yet
    (then it is the one their browser asks for). A sign-in from someone else's English phone
    does not undo a choice of Burmese."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        return
    if request is not None and settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        remember_language(user, language)
    else:
        UserPreference.objects.get_or_create(user=user, defaults={"language": language})


def report_path(user: Viewer, report_id: int) -> str:
    """Where a report is for the person told about it: moderators review it, partners open
    their organisation's page of it."""
    if permissions.is_moderator(user):
        return reverse("moderation:review", args=[report_id])
    return reverse("partner:report_detail", args=[report_id])


def notification_email(notice: Notification) -> EmailMessage:
    """The notice as an e-mail in its recipient's language, with the delivery id as its
    Message-ID and an absolute link to the report."""
    report = notice.report
    entry = notice.history
    if report is None or entry is None:
        raise ValueError(f"Notice {notice.pk} is about no report: it is not e-mailed.")
    site = settings.TRACKER_SITE_URL
    with translation.override(language_of(notice.recipient)):
        number = _("Report #%(number)s") % {"number": report.pk}
        if notice.kind == NotificationKind.AWAITS_REVIEW:
            subject = _("%(report)s awaits review") % {"report": number}
        else:
            subject = f"{number}: {entry.get_action_display().lower()}"
        body = render_to_string(
            "reports/inbox/email.txt",
            {
                "notice": notice,
                "report": report,
                "entry": entry,
                "place": report.place.display_name,
                "decision": entry.get_action_display().lower(),
                "url": site + report_path(notice.recipient, report.pk),
                "inbox_url": site + reverse("inbox"),
            },
        ).strip()
    domain = urlsplit(site).hostname or "localhost"
    return EmailMessage(
        subject=f"[Tracker] {subject}",
        body=body + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.recipient.email],
        headers={"Message-ID": f"<{notice.delivery_id}@{domain}>"},
    )


# --- The inbox -------------------------------------------------------------------------------


def inbox(user: Viewer) -> QuerySet[Notification]:
    """A person's notices, newest first, about the reports they may still open (the rule of
    reports_of_own_organization: a partner who left the organisation no longer reads its
    moderators' messages)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    notices = Notification.objects.filter(recipient=user)
    if not permissions.is_moderator(user):
        notices = notices.filter(
            Q(report__in=reports_of_own_organization(user).values("pk"))
            | Q(report__isnull=True, export__isnull=False)
        )
    return notices.order_by("-created_at", "-id")


def unread_count(user: Viewer) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def mark_read(user: Viewer, notice_ids: list[int] | None = None) -> int:
    """Mark these of the person's notices read (all unread ones when None). Returns how many
    were unread; someone else's notice is never touched."""
    unread = inbox(user).filter(read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=notice_ids)
    return Notification.objects.filter(pk__in=list(unread.values_list("pk", flat=True))).update(
        read_at=timezone.now()
    )
