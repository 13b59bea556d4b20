"""Background work: thin tasks that take ids, re-read the database and are safe to retry."""

from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.timesince import timesince

from .models import AccessRecord, ApiIdempotencyKey, KoboSubmission

RETRY = {"autoretry_for": (SMTPException, ConnectionError), "retry_backoff": True, "max_retries": 5}


def _moderator_emails() -> list[str]:
    from .services import notifications

    emails = notifications.moderators().exclude(email="").values_list("email", flat=True)
    return sorted(set(emails))


@shared_task
def deliver_notification(notification_id: int) -> str:
    """E-mail one notice of the outbox, queued after the commit that wrote it. No Celery
    retries: a failure is kept on the row and the sweep (deliver_notifications) retries it
    with backoff; a task delivered twice finds the notice claimed or sent."""
    from .services import notifications

    return notifications.deliver(notification_id)


@shared_task
def deliver_notifications() -> dict[str, int]:
    """The outbox sweep (beat, every minute; `manage.py deliver_notifications` without beat):
    e-mail every notice still unsent whose retry time has come."""
    from .services import notifications

    return notifications.deliver_due()


@shared_task(**RETRY)
def send_password_reset(*, email: str, domain: str, use_https: bool, language: str) -> int:
    """Send a reset link to every active account with this address (as typed on the reset
    page, which queues this for any address so that its answer and its time say nothing about
    who has an account). Returns how many links were sent: 0 for an unknown address."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    with translation.override(language):
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        )
    return len(users)


@shared_task(**RETRY)
def send_moderation_digest(limit: int = 10) -> int:
    """Tell the moderators what awaits review: how many reports, and the ones that have waited
    longest. Beat runs it daily (CELERY_BEAT_SCHEDULE). Returns how many were told; 0 when
    nothing waits, so an empty queue sends no mail."""
    from .selectors import awaiting_review

    count, oldest = awaiting_review(limit)
    recipients = _moderator_emails() if count else []
    if not recipients:
        return 0
    now = timezone.now()
    lines = [
        f'- #{r.pk} "{r.title}" ({r.place.name_en}, {r.organization}), '
        f"waiting {timesince(r.submitted_at, now)}"
        for r in oldest
    ]
    if count > len(oldest):
        lines.append(f"- and {count - len(oldest)} more")
    waiting = f"{count} report{'s' if count != 1 else ''} await{'s' if count == 1 else ''}"
    send_mail(
        subject=f"[Tracker] {waiting} review",
        message=(
            f"{waiting} review. The one waiting longest was submitted "
            f"{timesince(oldest[0].submitted_at, now)} ago.\n\n"
            + "\n".join(lines)
            + "\n\nReview them in the moderation queue (/moderation/)."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return len(recipients)


@shared_task
def prune_partner_api_records() -> dict[str, int]:
    """Forget what the partner API no longer needs. Beat runs it daily (CELERY_BEAT_SCHEDULE).

    - Idempotency records (Idempotency-Key answers and client_id fingerprints) older than
      TRACKER_API_IDEMPOTENCY_DAYS are deleted: a retry is expected within hours, not weeks.
      The reports' submission keys stay, so a client_id sent again still never makes a second
      report; only a changed body under an old client_id is no longer told apart.
    - The payload of a Kobo submission that became a report more than TRACKER_KOBO_PAYLOAD_DAYS
      ago is emptied; the row stays, since its _uuid is what answers a resent submission with
      the first report. Unmapped submissions keep their payload: moderators still need it.

    Returns how many records were deleted and payloads emptied by this run."""
    now = timezone.now()
    keys_cutoff = now - timedelta(days=settings.TRACKER_API_IDEMPOTENCY_DAYS)
    deleted, _ = ApiIdempotencyKey.objects.filter(created_at__lt=keys_cutoff).delete()
    payloads_cutoff = now - timedelta(days=settings.TRACKER_KOBO_PAYLOAD_DAYS)
    emptied = (
        KoboSubmission.objects.filter(
            status=KoboSubmission.State.MAPPED,
            report__isnull=False,
            # When it was mapped: an old submission mapped again yesterday keeps its payload.
            updated_at__lt=payloads_cutoff,
        )
        .exclude(payload={})
        .update(payload={})
    )
    return {"idempotency_records_deleted": deleted, "kobo_payloads_emptied": emptied}


@shared_task
def prune_access_records() -> dict[str, int]:
    """Delete what records who came and went, once older than TRACKER_ACCESS_RECORD_DAYS:
    the access record (the only way its rows go) and django-axes' sign-in records (failed
    sign-ins, sign-ins, and the attempts counted towards a pause, each by its last time).
    They name people and addresses, so they are kept no longer than the access record. An
    attempt whose pause has not ended stays whatever its age. Beat runs it daily
    (CELERY_BEAT_SCHEDULE). Returns how many of each were deleted."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    cutoff = now - timedelta(days=settings.TRACKER_ACCESS_RECORD_DAYS)
    attempts, _ = (
        AccessAttempt.objects.filter(attempt_time__lt=cutoff)
        .exclude(expiration__expires_at__gt=now)
        .delete()
    )
    return {
        "access_records": AccessRecord.objects.prune(before=cutoff),
        "access_attempts": attempts,
        "access_failure_logs": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "access_logs": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
    }


# --- evidence (issue 14, docs/evidence.md)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def fetch_kobo_attachments(submission_id: int) -> int:
    """Keep a Kobo submission's listed files as evidence of its report (each once)."""
    from .services.evidence import kobo_fetch_attachments

    return kobo_fetch_attachments(submission_id)


@shared_task
def expire_evidence_uploads() -> int:
    """Delete unfinished resumable uploads past their expiry, with their pieces."""
    from .services.evidence import expire_uploads

    return expire_uploads()


# --- export jobs (issue 16, docs/exports.md)


@shared_task(
    time_limit=settings.TRACKER_EXPORT_TIME_LIMIT,
    soft_time_limit=max(settings.TRACKER_EXPORT_TIME_LIMIT - 30, 1),
)
def run_export(job_id: str) -> str:
    """Make one export job's file. Idempotent: a job already claimed, done or gone is left as
    it is (a second delivery of the task does nothing)."""
    from .services.exports import run

    return run(job_id)


@shared_task
def expire_exports() -> dict[str, int]:
    """Delete export files past TRACKER_EXPORT_KEEP_HOURS (beat, every 15 minutes), fail jobs
    whose worker died, queue again the ones a broker lost."""
    from .services.exports import expire_due

    return expire_due()


# --- pages that take long to count (docs/caching.md)


@shared_task(ignore_result=True)
def prepare_harm_page(*, key: str, release: str, query: str, language: str) -> None:
    """The IHL view a request queued (reports.views.cached.prepared), made and kept under the
    request's cache key for the request asked again."""
    from .views.harm import harm_page_for_worker

    harm_page_for_worker(key, release, query, language)
