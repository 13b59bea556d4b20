"""The partner API: clients, their daily usage, replayable writes, KoboToolbox forms."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from .change_history import ChangeHistory
from .core import Organization, Report


class ApiClient(models.Model):
    """Another system acting for one organisation. Its key is shown once and stored as a
    SHA-256 hash, found by a short public prefix; it acts through its own service user, so
    the services and selectors apply their usual rules to what it does."""

    name = models.CharField(max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="api_clients"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    can_read = models.BooleanField("scope: read", default=True, help_text="Read public data.")
    can_submit = models.BooleanField(
        "scope: submit", default=False, help_text="Submit reports for its organisation."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    # The key's hash stays out of the history (a rotated key shows as its new prefix), and so
    # does last use, which is not a change anyone made.
    history = ChangeHistory(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"

    @property
    def scopes(self) -> list[str]:
        return [s for s, on in (("read", self.can_read), ("submit", self.can_submit)) if on]


class ApiUsage(models.Model):
    """How many requests a client made on one day (UTC)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "API usage"
        constraints = [
            models.UniqueConstraint(fields=["client", "day"], name="apiusage_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.client} on {self.day}: {self.requests}"


class ApiIdempotencyKey(models.Model):
    """The answer a client's write got, kept under the Idempotency-Key it sent: the same key
    with the same body gets that answer again; with another body, a refusal."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "key"], name="one_answer_per_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} of {self.client}"


class KoboForm(models.Model):
    """A KoboToolbox form whose submissions arrive through a REST Service at an unguessable
    link, and become draft reports of its API client's organisation through a mapping."""

    name = models.CharField(max_length=200)
    client = models.ForeignKey(
        ApiClient,
        on_delete=models.PROTECT,
        related_name="kobo_forms",
        help_text="Drafts are filed as this client (it needs the submit scope).",
    )
    mapping = models.JSONField(
        default=dict, help_text="Which Kobo field is each report field: see docs/kobo.md."
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(default=True, help_text="Untick to refuse its submissions.")
    # Which Kobo form may use the link: a link pasted into another project's REST Services
    # would otherwise turn that form's submissions into reports through this mapping. Both
    # stay the same when the form is redeployed; a blank one is not checked.
    kobo_asset_uid = models.CharField(
        "Kobo form id",
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                r"^[\w-]+$", "Letters, digits, _ and - only, as in the form's Kobo address."
            )
        ],
        help_text="The form's id in KoboToolbox (its asset uid: in the project's address, "
        "the part after #/forms/); each submission carries it as "
        "_xform_id_string. Submissions from another form are kept unmapped. Blank: not checked.",
    )
    kobo_form_uuid = models.CharField(
        "Kobo formhub/uuid",
        max_length=32,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9a-f]{32}$", "32 characters 0-9 and a-f, as in a submission's formhub/uuid."
            )
        ],
        help_text="The formhub/uuid of the deployed form, as in any of its submissions. "
        "Submissions from another form are kept unmapped. Blank: not checked.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "KoboToolbox form"

    def __str__(self) -> str:
        return self.name


class KoboSubmission(models.Model):
    """Every submission a Kobo form sent, kept whether or not it became a report."""

    class State(models.TextChoices):
        MAPPED = "mapped", "Draft report made"
        UNMAPPED = "unmapped", "Could not be mapped"

    form = models.ForeignKey(KoboForm, on_delete=models.PROTECT, related_name="submissions")
    uuid = models.CharField("Kobo _uuid", max_length=100)
    kobo_id = models.BigIntegerField("Kobo _id", null=True, blank=True)
    submitted_at = models.CharField("Kobo _submission_time", max_length=40, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=State.choices, db_index=True)
    reason = models.TextField(blank=True)
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["form", "uuid"], name="kobo_submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.form}: {self.uuid} ({self.get_status_display().lower()})"
