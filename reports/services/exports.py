"""Export jobs (docs/exports.md): asking for a file, making it in the background, retrying a
failed one and expiring old files. The only writes to ExportJob.

- Asking (request_export) never makes the file: it records the job and queues it after the
  commit, or finds the file already made. The same person asking the same question again while
  their job runs gets that job; anyone asking a question whose file (same question, format,
  language and data version) is still there gets a job that is done at once with that file.
- Making (run) is the task's body: it claims a queued job with one UPDATE (a second delivery of
  the task finds it claimed and does nothing), writes the file beside its final name, renames
  it into place and marks the job done; any failure marks it failed with a reason for the
  person, and the file is never left half-written under its name.
- Without a broker (CELERY_TASK_ALWAYS_EAGER, the embedded default) a job runs in a thread of
  the web process after the commit, so the response leaves at once
  (TRACKER_EXPORT_WITHOUT_BROKER = "thread"), or before the response ("inline", for tests).
- Expiry (expire_due, beat every 15 minutes) deletes files past TRACKER_EXPORT_KEEP_HOURS once
  no job still uses them, fails jobs whose worker died, and queues again jobs a broker lost."""

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connections, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from reports.exports import files
from reports.models import ExportJob, ExportStatus
from reports.selectors import exports as export_selectors
from reports.selectors.exports import Asker
from reports.services.notifications import notice_export_ready

logger = logging.getLogger(__name__)

# What a failed job says (translated when shown: reports/views/downloads.py).
FAILED_DISK = gettext_noop(
    "The server could not write the file (its disk may be full). Try again later."
)
FAILED_TIME = gettext_noop(
    "Making the file took longer than the time allowed. Ask for a smaller area or period, "
    "or try again later."
)
FAILED_STOPPED = gettext_noop(
    "The work stopped before the file was finished (the server restarted). Try again."
)
FAILED_OTHER = gettext_noop(
    "Something went wrong while making the file; it is recorded for the tracker's "
    "administrators. Try again."
)
# A queued job still waiting after this long was lost by the broker: queue it again.
REQUEUE_AFTER = timedelta(minutes=10)
FILE_SUFFIX = {".csv": ".csv", ".xlsx": ".xlsx", ".jsonl": ".jsonl"}


def export_root() -> Path:
    return Path(settings.TRACKER_EXPORT_ROOT)


def file_key(name: str, question: str, language: str, version: str) -> str:
    return hashlib.sha256(f"{name}\n{question}\n{language}\n{version}".encode()).hexdigest()


def is_mirror(name: str) -> bool:
    return name in files.MIRROR_FORMATS.values()


def request_export(
    *, asker: Asker, name: str, question: str = "", address: str = "", language: str = "en"
) -> ExportJob:
    """A job for `name` (one of files.JOB_DOWNLOADS with its normalized, already validated
    `question`, or one of files.MIRROR_FORMATS' values): this asker's running or finished job
    for the same file, a job done at once with a file already made for the same key, or a
    new queued job (run after the commit)."""
    if name not in files.JOB_DOWNLOADS and not is_mirror(name):
        raise ValueError(f"No export job makes {name!r}.")
    version = export_selectors.data_version()
    key = file_key(name, question, language, version)
    now = timezone.now()
    with transaction.atomic():
        own = (
            export_selectors.jobs_of(asker)
            .filter(key=key, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
            .first()
        )
        if own is not None:
            return own
        common = dict(
            **asker.fields,
            name=name,
            question=question,
            language=language,
            address=address[:2000],
            data_version=version,
            key=key,
        )
        made = (
            ExportJob.objects.filter(key=key, status=ExportStatus.DONE, expires_at__gt=now)
            .exclude(file_path="")
            .order_by("-expires_at")
            .first()
        )
        if made is not None and (export_root() / made.file_path).is_file():
            return ExportJob.objects.create(
                **common,
                status=ExportStatus.DONE,
                rows_done=made.rows_done,
                rows_total=made.rows_total,
                file_path=made.file_path,
                file_name=made.file_name,
                size=made.size,
                reused_from=made.reused_from or made,
                started_at=now,
                finished_at=now,
                expires_at=made.expires_at,
            )
        job = ExportJob.objects.create(**common)
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def adopt_session_jobs(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object
) -> None:
    """On sign-in (user_logged_in): the exports this browser asked for before, anonymously,
    become the person's, so that signing in to wait for a large file does not lose it (and
    its inbox notice reaches them when it is done). The session's token goes: the jobs are
    reached as the person's from now on."""
    if request is None or not hasattr(request, "session"):
        return
    with transaction.atomic():
        export_selectors.anonymous_jobs_of_session(request).update(user=user, session_hash="")
    request.session.pop(export_selectors.SESSION_ASKER, None)


def retry(job: ExportJob) -> ExportJob:
    """Queue a failed job again (the caller checked that the asker may see it). A job in any
    other state is returned as it is."""
    with transaction.atomic():
        updated = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.FAILED).update(
            status=ExportStatus.QUEUED, error="", rows_done=0, finished_at=None
        )
        if updated:
            transaction.on_commit(lambda: enqueue(job.pk))
    job.refresh_from_db()
    return job


def enqueue(job_id: UUID | str) -> None:
    """Hand the job to Celery; without a broker, to a thread (or run it now: "inline"). A
    broker that is down loses nothing: the job stays queued and expire_due queues it again."""
    from reports import tasks

    if settings.CELERY_TASK_ALWAYS_EAGER and settings.TRACKER_EXPORT_WITHOUT_BROKER == "thread":
        threading.Thread(
            target=_run_in_thread, args=(str(job_id),), name=f"export-{job_id}", daemon=True
        ).start()
        return
    try:
        tasks.run_export.delay(str(job_id))
    except Exception:
        logger.exception("Export job %s not queued; the expiry sweep will queue it again.", job_id)


def _run_in_thread(job_id: str) -> None:
    try:
        run(job_id)
    finally:
        connections.close_all()


def _progress(job_id: UUID | str) -> Callable[[int, int | None], None]:
    def progress(done: int, total: int | None) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)

    return progress


def run(job_id: UUID | str, *, now: datetime | None = None) -> str:
    """Make a queued job's file. Returns the job's status afterwards ("done", "failed"), or
    what it already was when another delivery has it ("running", "done" ...)."""
    started = now or timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING,
        started_at=started,
        attempts=F("attempts") + 1,
        rows_done=0,
        rows_total=None,
    )
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if not claimed:
        return job.status
    extension = Path(job.name).suffix
    relative = f"{job.key[:2]}/{job.pk}{FILE_SUFFIX.get(extension, '.bin')}"
    final = export_root() / relative
    partial = final.with_name(final.name + ".part")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        if is_mirror(job.name):
            fmt = next(f for f, n in files.MIRROR_FORMATS.items() if n == job.name)
            files.write_mirror(fmt, partial, _progress(job.pk))
            file_name = f"tracker-approved-reports-{started:%Y-%m-%d}.{_mirror_extension(fmt)}"
        else:
            files.write_download(job.name, job.question, job.address, partial, _progress(job.pk))
            file_name = files.download_file_name(job.name, job.question)
        os.replace(partial, final)
    except Exception as error:
        partial.unlink(missing_ok=True)
        reason = _reason(error)
        logger.exception("Export job %s failed.", job.pk)
        with transaction.atomic():
            failed = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.FAILED, error=reason, finished_at=timezone.now()
            )
            if failed:
                job.status = ExportStatus.FAILED
                notice_export_ready(job)
        return ExportStatus.FAILED.value
    finished = timezone.now()
    with transaction.atomic():
        done = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            rows_done=F("rows_total"),
            file_path=relative,
            file_name=file_name,
            size=final.stat().st_size,
            finished_at=finished,
            expires_at=finished + timedelta(hours=settings.TRACKER_EXPORT_KEEP_HOURS),
        )
        if done:
            job.refresh_from_db()
            notice_export_ready(job)
    return ExportStatus.DONE.value


def _mirror_extension(fmt: str) -> str:
    return {"csv": "csv", "hxl": "hxl.csv", "jsonl": "jsonl"}[fmt]


def _time_limit(error: Exception) -> bool:
    return type(error).__name__ in ("SoftTimeLimitExceeded", "TimeLimitExceeded")


def _reason(error: Exception) -> str:
    if _time_limit(error):
        return FAILED_TIME
    if isinstance(error, OSError):
        return FAILED_DISK
    return FAILED_OTHER


def expire_due(*, now: datetime | None = None) -> dict[str, int]:
    """The sweep: expire finished jobs past their time and delete files no job still uses;
    fail jobs running for longer than a task may; queue again jobs a broker lost. Returns
    how many of each."""
    now = now or timezone.now()
    due = ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now)
    paths = set(due.exclude(file_path="").values_list("file_path", flat=True))
    expired = due.update(status=ExportStatus.EXPIRED)
    still_used = set(
        ExportJob.objects.filter(status=ExportStatus.DONE, file_path__in=paths).values_list(
            "file_path", flat=True
        )
    )
    deleted = 0
    for relative in sorted(paths - still_used):
        path = export_root() / relative
        if path.is_file():
            path.unlink()
            deleted += 1
    stopped = ExportJob.objects.filter(
        status=ExportStatus.RUNNING,
        started_at__lt=now - timedelta(seconds=settings.TRACKER_EXPORT_TIME_LIMIT + 60),
    ).update(status=ExportStatus.FAILED, error=FAILED_STOPPED, finished_at=now)
    lost = list(
        ExportJob.objects.filter(
            status=ExportStatus.QUEUED, created_at__lt=now - REQUEUE_AFTER
        ).values_list("pk", flat=True)
    )
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        for pk in lost:
            enqueue(pk)
    return {"expired": expired, "files_deleted": deleted, "stopped": stopped, "requeued": len(lost)}
