"""Export jobs: a download too large to stream within a few seconds, made in the background
(reports.tasks.run_export) into a file outside the web root, shown to whoever asked on a
progress page, reused while the data has not changed, and deleted when it expires
(docs/exports.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .partners import ApiClient


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    RUNNING = "running", _("being made")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


class ExportJob(models.Model):
    """One person's request for one file. The id is random (a UUID4) and the link to the
    job; it is shown only to whoever asked (reports.selectors.exports.visible_job): the
    signed-in person, the browser session of an anonymous one, or the API client.

    `key` names the file's content: the normalized question, the format, the language and the
    data version it was built from (reports.selectors.exports.data_version). A job asked while
    a finished job with the same key is still there is done at once with that job's file
    (`reused_from`), and expires with it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Who asked: a signed-in person, an anonymous browser session (its key's hash), or an API
    # client. All null never happens: the service always records one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    session_hash = models.CharField(max_length=64, blank=True)
    api_client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What: the download's name ("reports.csv", "mirror.jsonl"), its normalized question
    # (a query string in a fixed order; empty for the mirror file), the language of the file.
    name = models.CharField(max_length=40)
    question = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")
    # The question's page, absolute (the About sheet of an XLSX names it).
    address = models.CharField(max_length=2000, blank=True)
    data_version = models.CharField(max_length=80)
    key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(null=True, blank=True)
    # Why it failed, in words for the person who asked (no traceback: that goes to the log).
    error = models.TextField(blank=True)
    # Relative to TRACKER_EXPORT_ROOT; blank until done.
    file_path = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    reused_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="export_job_expiry"),
        ]

    def __str__(self) -> str:
        return f"Export {self.name} ({self.status})"

    @property
    def percent(self) -> int | None:
        """How far along, 0-100; None while the number of rows is not yet known."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)
