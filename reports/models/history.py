"""The append-only history of every report: who did what, when, and what changed."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..workflow import Action, Status
from .core import Report


class HistoryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Report history is append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("Report history is append-only.")


class ReportHistory(models.Model):
    """Who did what to a report, when, and what changed. Rows are never updated or deleted
    (also enforced by a database trigger on UPDATE)."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    from_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "report history"

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Report history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Report history is append-only.")
