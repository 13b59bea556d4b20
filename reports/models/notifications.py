"""The notification outbox and inbox: one row per notice to one person, written in the same
transaction as the decision or submission that causes it, then e-mailed (and marked sent) by
reports.services.notifications; the same rows are the person's in-app inbox. And the
language each person reads the tracker in, which their e-mails are written in."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Report
from .history import ReportHistory


class NotificationKind(models.TextChoices):
    AWAITS_REVIEW = "awaits_review", _("Report awaits review")
    DECISION = "decision", _("Moderator's decision")
    # In the inbox only, never e-mailed (sent_at set when written): docs/exports.md.
    EXPORT_READY = "export_ready", _("Export ready")


class Notification(models.Model):
    """A notice to one person about one report. `sent_at` is set once the e-mail was handed
    to the mail server, or once it was settled that none is due (`not_sent` says why: no
    address, or the report has left the queue). Until then a delivery claims the row for
    `claimed_until` (a lease) and a failed attempt waits until `next_attempt_at`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    # A report's notice names the report and its history entry; an export's, the export job.
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    history = models.ForeignKey(
        ReportHistory, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    export = models.ForeignKey(
        "reports.ExportJob", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    # The e-mail's Message-ID: a mail system that sees it twice can drop the second copy.
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    not_sent = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_pending",
            ),
        ]

    def __str__(self) -> str:
        if self.export_id is not None:
            return f"{self.get_kind_display()}: export {self.export_id} to {self.recipient_id}"
        return f"{self.get_kind_display()}: report #{self.report_id} to {self.recipient_id}"


class UserPreference(models.Model):
    """What a person chose for themselves: the language of their e-mails (the one they last
    picked with the header's language button, or signed in with)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
