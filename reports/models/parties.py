"""The parties to the conflict, a list moderators keep: a report's alleged perpetrator is one
of them (or "unknown"), and a source may say which of them issued it."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .change_history import ChangeHistory

# The word a question, a form and the API use for "the source says the perpetrator is not
# known"; never a party's slug.
UNKNOWN = "unknown"
# The word a question uses for the reports that state no perpetrator; never a party's slug.
NOT_STATED = "none"
RESERVED_SLUGS = (UNKNOWN, NOT_STATED)


class PartyKind(models.TextChoices):
    STATE_FORCES = "state_forces", _("State armed forces")
    RESISTANCE = "resistance", _("Ethnic armed organisation or resistance force")
    MILITIA = "militia", _("Militia")
    OTHER = "other", _("Other")


class Party(models.Model):
    name = models.CharField(max_length=200, unique=True)
    name_my = models.CharField("Burmese name", max_length=200, blank=True)
    short_name = models.CharField(max_length=40, blank=True, help_text="e.g. KNDF, SAC")
    # The party's name in URLs, filters, exports and the API; it never changes once chosen, so
    # that a link or a partner's mirror keeps meaning the same party.
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(r"^(?!(unknown|none)$)", "“unknown” and “none” are kept for filters.")
        ],
    )
    kind = models.CharField(max_length=16, choices=PartyKind.choices, default=PartyKind.OTHER)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = ChangeHistory()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_SLUGS), name="party_slug_not_reserved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    def reader_name(self) -> str:
        """Its name in the reader's language (the Burmese one on a Burmese page, where given),
        with its short name."""
        burmese = (get_language() or "").startswith("my") and self.name_my
        name = self.name_my if burmese else self.name
        return f"{name} ({self.short_name})" if self.short_name else name
