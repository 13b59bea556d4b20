"""Organisations, memberships, sources, events, reports with their figures, and submission keys."""

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from taggit.managers import TaggableManager

from .. import figures
from ..vocabulary import (
    Cause,
    DatePrecision,
    LocationPrecision,
    Metric,
    Qualifier,
    SourceType,
    Unit,
)
from ..workflow import Status
from .change_history import ChangeHistory
from .parties import UNKNOWN, Party


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = ChangeHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
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

    history = ChangeHistory()

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"


# A source's public id is drawn at random from this range, never counted up: consecutive ids
# would leave a gap for every confidential source, and the gaps would tell how many there
# are and which reports could share one (DOMAIN.md, "Visibility and protection"). At most 15
# digits, so that every JSON reader and spreadsheet keeps it exact (a spreadsheet keeps 15);
# from 2**32, so that it is never a small number a client could mistake for, or type in place
# of, a database id.
PUBLIC_ID_RANGE = (2**32, 10**15)


def new_public_id() -> int:
    low, high = PUBLIC_ID_RANGE
    return low + secrets.randbelow(high - low)


class Source(models.Model):
    # The only id of the source outside the moderation area: in the public records, the API
    # (read and write), the downloads and the partners' forms. The database id stays inside.
    public_id = models.BigIntegerField(unique=True, default=new_public_id, editable=False)
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
    # The organisation its author filed for when they added it, kept when they later move to
    # another: its people and API clients may cite it (a confidential one by name), nobody
    # else's may (selectors.sources_citable_by). None: added by a moderator (who acts for no
    # organisation) or by someone of none.
    # Only services write it (source_create; source_update, when a moderator corrects it).
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name="added for organisation",
        help_text="Its people and API clients may cite it, a confidential one by name; no one "
        "else's may. Empty: only moderators may. Set from its author when it is added.",
    )
    # Which party to the conflict issued it (a source of type "party to the conflict"): its
    # claims about that party itself are labelled as such (reports/publication.py).
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name="issued by party",
    )

    history = ChangeHistory()

    class Meta:
        # Newest first, undated last on every database (PostgreSQL would put NULLs first):
        # the public records, the API and the downloads list a report's sources in this order.
        ordering = [F("published_on").desc(nulls_last=True), "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_http",
            ),
        ]

    def __str__(self) -> str:
        return self._label(f"{self.published_on:%d %b %Y}" if self.published_on else "")

    def reader_label(self) -> str:
        """As str(), its date in the reader's language: for a page (files and stored records
        keep str()'s English)."""
        from ..dates import day

        return self._label(day(self.published_on) if self.published_on else "")

    def _label(self, date: str) -> str:
        return self.name + (f", {date}" if date else "") + (f": {self.title}" if self.title else "")

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

    history = ChangeHistory()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
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
    # The alleged perpetrator, three ways: not stated (no party, not unknown: every report
    # before this field), "unknown" (a source says it is not known who did it) or a party.
    # Two fields rather than an "Unknown" row in the parties list, which moderators could
    # rename or delete and which counts would mistake for a party.
    perpetrator = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name="alleged perpetrator",
    )
    perpetrator_unknown = models.BooleanField("alleged perpetrator unknown", default=False)
    # The report's sources that make the attribution (an allegation is shown with them).
    perpetrator_sources = models.ManyToManyField(
        Source, blank=True, related_name="attributions", verbose_name="sources attributing it"
    )
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
            # A report's last day: the queue's "to" date filter, and on SQLite the review
            # page's likely duplicates (reports whose days meet its own). PostgreSQL reads
            # those from a range index of both dates (migration 0033).
            models.Index(Coalesce("end_date", "start_date"), name="report_last_day"),
            # A question filtered by cause and something else is answered from the base
            # tables: the approved reports of the cause in the area, not every report there.
            models.Index(
                fields=["cause", "place"],
                condition=Q(status=Status.APPROVED),
                name="report_cause_place",
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
            models.CheckConstraint(
                condition=Q(perpetrator__isnull=True) | Q(perpetrator_unknown=False),
                name="report_perpetrator_party_or_unknown",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def perpetrator_code(self) -> str:
        """The alleged perpetrator as forms, filters and the API spell it: a party's slug,
        "unknown", or "" (not stated)."""
        if self.perpetrator_id:
            return self.perpetrator.slug  # type: ignore[union-attr]
        return UNKNOWN if self.perpetrator_unknown else ""


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
    # Where the people went (displacement figures only: vocabulary.DESTINATION_METRICS), at
    # any admin level; the report's place is where they left from. Host communities: DOMAIN.md.
    destination = models.ForeignKey(
        "gazetteer.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the people went (displacement figures only).",
    )

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

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {figures.describe(self)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
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

    def __str__(self) -> str:
        return f"Reference for {self.get_metric_display().lower()} in {self.event}"


class SeparateFigures(models.Model):
    """A moderator's statement that two figures of one metric count separately although one
    covers the other in place and time (counting rule 5): a source says one excludes the other.
    `first` is the figure with the lower id, so a pair is stored once."""

    first = models.ForeignKey(Figure, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Figure, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=40, choices=Metric.choices)
    reason = models.CharField(max_length=500)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pair of separate figures"
        verbose_name_plural = "pairs of separate figures"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="separate_figures_once"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="separate_figures_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Figures {self.first_id} and {self.second_id} count separately"


class SubmissionKey(models.Model):
    """The one-time key a form or an API client sent with a write, and the report it saved:
    the same key again (a double tap, a retry after a dropped connection, the back button)
    gets that report back instead of making a second one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=32)
    # The public ids of the sources the write added, in the order given: a replay answers with
    # them again (the submissions API's `new_sources`; none recorded before migration 0042).
    new_sources = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_use_per_submission_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} -> report #{self.report_id}"
