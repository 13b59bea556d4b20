"""The access record: who opened which page of the moderation, partner or admin area, or
downloaded data that is not public, and when. Append-only like the report history; only the
retention task (reports.tasks.prune_access_records) removes rows, once they are old."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    MODERATION = "moderation", _("moderation page")
    PARTNER = "partner", _("partner page")
    ADMIN = "admin", _("admin page")
    DOWNLOAD = "download", _("download of non-public data")


class AccessRecordQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("The access record is append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("The access record is append-only.")

    def prune(self, before: Any) -> int:
        """Delete the records made before `before` (the retention); the one way rows go.
        Returns how many went."""
        old = self.filter(created_at__lt=before)
        deleted, _ = models.QuerySet.delete(old)
        return deleted


class AccessRecord(models.Model):
    """One request by a signed-in person to a page or file that shows what is not public.
    Rows are never updated (also refused by a database trigger) and deleted only by the
    retention task."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="who"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    kind = models.CharField(max_length=16, choices=AccessKind.choices)
    method = models.CharField(max_length=8)
    # The view's name ("moderation:review", "admin:reports_source_change") and the address as
    # asked, query string included (what was searched for is part of what was seen).
    view_name = models.CharField(max_length=200)
    path = models.CharField(max_length=2000)
    # A plain number, not a foreign key: a look-up of an id that does not exist is recorded too.
    report_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    status_code = models.PositiveSmallIntegerField()

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.method} {self.path} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The access record is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("The access record is append-only.")
