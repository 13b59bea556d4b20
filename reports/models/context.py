"""Context events: the operations and offensives that harm and displacement follow (DOMAIN.md,
"What advocates need to see": political triggers), kept by moderators and drawn on the
dashboard's time series. They are context, never counted: no figure belongs to one."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gazetteer.models import Place

from .change_history import ChangeHistory
from .core import Source


class ContextEventKind(models.TextChoices):
    OPERATION = "operation", _("Operation")
    OFFENSIVE = "offensive", _("Offensive")
    OTHER = "other", _("Other")


class ContextEvent(models.Model):
    """A named operation or offensive with its dates and area. Public from the moment a
    moderator saves it (no draft state): only moderators keep them, from published sources."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ContextEventKind.choices)
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="Empty for a one-day event (it is drawn as a marker)."
    )
    area = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="context_events")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = ChangeHistory(m2m_fields=[sources], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="context_event_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def last_day(self):
        return self.end_date or self.start_date

    @property
    def one_day(self) -> bool:
        return self.end_date is None or self.end_date == self.start_date
