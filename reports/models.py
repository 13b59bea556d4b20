"""Organisations, sources, reports with their figures, events, and the append-only history."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from taggit.managers import TaggableManager

from . import figures
from .vocabulary import (
    Cause,
    DatePrecision,
    LocationPrecision,
    Metric,
    Qualifier,
    SourceType,
    Unit,
)
from .workflow import Action, Status


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person belongs to at most one organisation; it decides which reports they see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"{self.user} in {self.organization}"


class Source(models.Model):
    source_type = models.CharField(max_length=32, choices=SourceType.choices)
    name = models.CharField(max_length=200, help_text="Outlet, organisation or person.")
    title = models.CharField(max_length=300, blank=True, help_text="Headline or document title.")
    url = models.URLField("URL", max_length=1000, blank=True)
    published_on = models.DateField("publication date", null=True, blank=True)
    language = models.CharField(max_length=16, blank=True, help_text="e.g. en, my (Burmese)")
    is_confidential = models.BooleanField(
        "confidential",
        default=False,
        help_text="Shown publicly only as its type, never by name or URL.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-published_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_http",
            ),
        ]

    def __str__(self):
        date = f", {self.published_on:%d %b %Y}" if self.published_on else ""
        return f"{self.name}{date}" + (f": {self.title}" if self.title else "")

    @property
    def has_conflict_of_interest(self) -> bool:
        return self.source_type == SourceType.PARTY_TO_CONFLICT


class Event(models.Model):
    """One real-world happening; reports of it are its evidence, and it is what gets counted."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class Report(models.Model):
    status = models.CharField(
        max_length=32, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Bumped by every change, so that two moderators never silently overwrite each other.
    version = models.PositiveIntegerField(default=1)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reports")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    title = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    place = models.ForeignKey("gazetteer.Place", on_delete=models.PROTECT, related_name="reports")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_precision = models.CharField(
        max_length=16, choices=LocationPrecision.choices, default=LocationPrecision.PLACE
    )
    point_released = models.BooleanField(
        default=False, help_text="A moderator released the exact point for public display."
    )
    public_summary = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True)
    cause = models.CharField("cause or means", max_length=32, choices=Cause.choices, blank=True)
    tags = TaggableManager(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="reports")
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["status", "start_date"]),
            # The partner API pages approved reports by (updated_at, id) (reports/api/).
            models.Index(
                fields=["updated_at", "id"],
                condition=Q(status=Status.APPROVED),
                name="report_approved_by_update",
            ),
        ]
        permissions = [
            ("moderate_report", "Can moderate reports (approve, reject, edit, link, retract)"),
            ("submit_report", "Can submit reports for their organisation"),
            ("view_internal", "Can see internal notes and submitters"),
            ("use_api", "Can use the partner API"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="report_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="report_point_valid",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, location_precision=LocationPrecision.PLACE)
                | Q(latitude__isnull=False) & ~Q(location_precision=LocationPrecision.PLACE),
                name="report_point_has_precision",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"


class Figure(models.Model):
    """One number in a report, as reported, with its derived low/best/high count."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="figures")
    metric = models.CharField(max_length=40, choices=Metric.choices)
    qualifier = models.CharField(max_length=16, choices=Qualifier.choices, default=Qualifier.EXACT)
    value = models.PositiveBigIntegerField(null=True, blank=True)
    value_min = models.PositiveBigIntegerField("minimum", null=True, blank=True)
    value_max = models.PositiveBigIntegerField("maximum", null=True, blank=True)
    unit = models.CharField(max_length=16, choices=Unit.choices, default=Unit.PEOPLE)
    household_size = models.DecimalField(
        "people per household", max_digits=4, decimal_places=2, null=True, blank=True
    )
    # Derived on save from the fields above (see reports/figures.py), in people or buildings.
    count_low = models.PositiveBigIntegerField(editable=False)
    count_best = models.PositiveBigIntegerField(editable=False)
    count_high = models.PositiveBigIntegerField(editable=False)
    women = models.PositiveIntegerField(null=True, blank=True)
    men = models.PositiveIntegerField(null=True, blank=True)
    girls = models.PositiveIntegerField(null=True, blank=True)
    boys = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="e.g. the sentence it is from.")

    class Meta:
        ordering = ["report", "metric", "id"]
        indexes = [models.Index(fields=["metric", "report"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualifier=Qualifier.RANGE, value__isnull=True)
                & Q(value_min__isnull=False, value_max__isnull=False, value_min__lte=F("value_max"))
                | ~Q(qualifier=Qualifier.RANGE)
                & Q(value__isnull=False, value_min__isnull=True, value_max__isnull=True),
                name="figure_value_or_ordered_range",
            ),
            models.CheckConstraint(
                condition=~Q(unit=Unit.HOUSEHOLDS)
                | Q(household_size__isnull=False, household_size__gt=0),
                name="figure_households_have_size",
            ),
            models.CheckConstraint(
                condition=Q(count_low__lte=F("count_best"), count_best__lte=F("count_high")),
                name="figure_counts_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_metric_display()}: {figures.describe(self)}"

    def save(self, *args, **kwargs):
        self.count_low, self.count_best, self.count_high = figures.counts(
            qualifier=self.qualifier,
            value=self.value,
            value_min=self.value_min,
            value_max=self.value_max,
            unit=self.unit,
            household_size=self.household_size,
        )
        super().save(*args, **kwargs)


class EventReferenceFigure(models.Model):
    """The figure a moderator chose to count for one metric of an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reference_figures")
    metric = models.CharField(max_length=40, choices=Metric.choices)
    figure = models.OneToOneField(Figure, on_delete=models.CASCADE, related_name="reference_for")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "metric"], name="one_reference_per_metric"),
        ]

    def __str__(self):
        return f"Reference for {self.get_metric_display().lower()} in {self.event}"


class HistoryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Report history is append-only.")

    def delete(self):
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

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Report history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Report history is append-only.")


class SubmissionKey(models.Model):
    """The one-time key a form or an API client sent with a write, and the report it saved:
    the same key again (a double tap, a retry after a dropped connection, the back button)
    gets that report back instead of making a second one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_use_per_submission_key"),
        ]

    def __str__(self):
        return f"{self.key} -> report #{self.report_id}"


class PublicReport(models.Model):
    """An approved report's public record: the JSON document the partner API serves, with the
    time it last changed as the public sees it. Kept by reports.publication in the same
    transaction as every change to what it shows; one per approved report, none otherwise."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, primary_key=True, related_name="public_record"
    )
    changed_at = models.DateTimeField()
    document = models.TextField()

    class Meta:
        indexes = [
            # The API's order and its updated_since filter.
            models.Index(fields=["changed_at", "report"], name="public_report_by_change"),
        ]

    def __str__(self):
        return f"Public record of report #{self.report_id}"


# --- summaries for the counting engine ---------------------------------------------------------
# Derived from the tables above by reports/aggregates/summaries.py, in the same transaction as
# every approval, retraction, edit, event link and reference choice; never edited by hand.
# Places, reports and sources are plain ids (no foreign keys): these rows are rebuilt from
# scratch by `python manage.py rebuild_aggregates`, and `--check` lists any disagreement.
# adm0..adm4 are the ids of the place's ancestors (or itself) at each admin level.


class _Ancestry(models.Model):
    adm0 = models.BigIntegerField(null=True)
    adm1 = models.BigIntegerField(null=True)
    adm2 = models.BigIntegerField(null=True)
    adm3 = models.BigIntegerField(null=True)
    adm4 = models.BigIntegerField(null=True)

    class Meta:
        abstract = True


class EventCount(_Ancestry):
    """What one event (or unlinked report) counts for one metric, and where and when."""

    metric = models.CharField(max_length=40)
    key = models.CharField(max_length=24)  # "e<event id>", or "r<report id>" for its own event
    event_id = models.BigIntegerField(null=True)
    report_id = models.BigIntegerField()  # the report whose figure is counted
    figure_id = models.BigIntegerField()
    place_id = models.BigIntegerField()
    level = models.SmallIntegerField()
    dated = models.DateField()
    published = models.DateField()
    approved_at = models.DateTimeField()
    best = models.BigIntegerField()
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    range_low = models.BigIntegerField()
    range_high = models.BigIntegerField()
    report_ids = models.JSONField()
    reports = models.IntegerField()
    sources = models.IntegerField()
    # Sources no other event of this metric cites: these add up; the others are counted
    # distinct from SourceUse.
    local_sources = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "key"], name="eventcount_one_per_metric"),
        ]
        indexes = [
            models.Index(fields=["metric", "dated"], name="eventcount_metric_dated"),
            models.Index(fields=["dated"], name="eventcount_dated"),
            models.Index(fields=["key"], name="eventcount_key"),
            # Loose days within an area: adm<level> = the area.
            models.Index(fields=["adm1", "dated"], name="eventcount_adm1_dated"),
            models.Index(fields=["adm2", "dated"], name="eventcount_adm2_dated"),
            models.Index(fields=["adm3", "dated"], name="eventcount_adm3_dated"),
            models.Index(fields=["adm4", "dated"], name="eventcount_adm4_dated"),
        ]

    def __str__(self):
        return f"{self.metric} of {self.key}: {self.best}"


class SourceUse(_Ancestry):
    """A source cited by a counted event's reports; `shared` when several events of the metric
    cite it."""

    metric = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    key = models.CharField(max_length=24)
    dated = models.DateField()
    shared = models.BooleanField(default=False)
    # How far this source's uses (for this metric) spread in time: "month", "year" or "".
    span = models.CharField(max_length=5, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "source_id", "key"], name="sourceuse_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["key"], name="sourceuse_key"),
            models.Index(
                fields=["metric", "dated"], condition=Q(shared=True), name="sourceuse_shared"
            ),
            # Shared sources spreading over months or years: the few counted distinct.
            models.Index(
                fields=["metric", "span", "dated"],
                condition=Q(shared=True) & ~Q(span="month"),
                name="sourceuse_unsettled",
            ),
            # Shared sources of reports coarser than a breakdown level.
            *(
                models.Index(
                    fields=["metric", "dated"],
                    condition=Q(shared=True, **{f"adm{level}__isnull": True}),
                    name=f"sourceuse_coarse{level}",
                )
                for level in range(1, 5)
            ),
        ]

    def __str__(self):
        return f"source {self.source_id} behind {self.key} ({self.metric})"


class FlowTotal(_Ancestry):
    """Sums of a flow's counted events within a place (node; 0 = everywhere) over a month or
    a year."""

    metric = models.CharField(max_length=40)
    node = models.BigIntegerField()
    level = models.SmallIntegerField()  # the node's admin level; -1 for everywhere
    span = models.CharField(max_length=8)  # "month" | "year"
    start = models.DateField()
    best = models.BigIntegerField()
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    events = models.IntegerField()
    reports = models.IntegerField()
    local_sources = models.IntegerField()  # sources only one counted event cites
    shared_sources = models.IntegerField()  # distinct sources several events cite, in this cell
    settled_sources = models.IntegerField()  # of which all uses fall within this month/year

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "node", "span", "start"], name="flowtotal_one_per_cell"
            ),
        ]
        indexes = [
            models.Index(fields=["span", "level", "start"], name="flowtotal_by_level"),
        ]

    def __str__(self):
        return f"{self.metric} in node {self.node}, {self.span} of {self.start}: {self.best}"


class StockStep(_Ancestry):
    """A stock's total within a place (node; 0 = everywhere) from valid_from until valid_to
    (exclusive; None = still), by the rules of standing stock figures."""

    metric = models.CharField(max_length=40)
    node = models.BigIntegerField()
    level = models.SmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True)
    best = models.BigIntegerField()
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    events = models.IntegerField()
    reports = models.IntegerField()
    sources = models.IntegerField()
    own_key = models.CharField(max_length=24, blank=True)  # the node's own figure, if it stands

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "node", "valid_from"], name="stockstep_one_per_start"
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "level", "valid_from"], name="stockstep_by_level"),
            models.Index(fields=["metric", "valid_to"], name="stockstep_valid_to"),
        ]

    def __str__(self):
        return f"{self.metric} in node {self.node} from {self.valid_from}: {self.best}"


# --- the partner API: clients, their daily usage, replayable writes, KoboToolbox forms ---------


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

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "API client"

    def __str__(self):
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

    def __str__(self):
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

    def __str__(self):
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

    def __str__(self):
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

    def __str__(self):
        return f"{self.form}: {self.uuid} ({self.get_status_display().lower()})"
