"""The counting engine's summary tables, derived from the reports and never edited by hand."""

from django.db import models
from django.db.models import Q

# Derived from the report tables by reports/aggregates/summaries.py, in the same transaction as
# every approval, retraction, edit, event link and reference choice; never edited by hand.
# Places, reports and sources are plain ids (no foreign keys): these rows are rebuilt from
# scratch by `python manage.py rebuild_aggregates`, and `--check` lists any disagreement.
# adm0..adm4 are the ids of the place's ancestors (or itself) at each admin level.
# `facet` says which reports the rows are counted from: "" all approved reports, or only those
# of one cause ("c:<cause>"), citing one type of source ("s:<type>"), carrying one tag
# ("t:<tag, lower case>"), alleging one perpetrator ("p:<party>", "p:unknown", "p:none") or of
# one cause stating none ("n:<cause>"), so that a question narrowed to one of these reads its
# own rows (aggregates/facets.py). Every index leads with it.
FACET_LENGTH = 110


class _Ancestry(models.Model):
    facet = models.CharField(max_length=FACET_LENGTH, default="", blank=True)
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
    # A flow's span (rule 3): `dated` is its first day; a stock's as-of date is both.
    dated = models.DateField()
    span_end = models.DateField()
    # The calendar cells the span fits in: "month" (one month, so one year too), "year", or ""
    # (longer: in no cell, read from this table).
    reach = models.CharField(max_length=5)
    published = models.DateField()
    approved_at = models.DateTimeField()
    best = models.BigIntegerField()
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    range_low = models.BigIntegerField()  # the event's range (rule 7): what totals add up
    range_high = models.BigIntegerField()
    high_open = models.BooleanField(default=False)  # an "at least" figure gives the high
    approximate = models.BooleanField(default=False)  # the counted figure is "approximately"
    at_most = models.BooleanField(default=False)  # the counted figure is "at most"
    # What the event adds to a total beyond the events it covers (rule 5; the range's low,
    # the best, the range's high), and how many it covers. Equal to the event's own numbers
    # when it covers none.
    adds_best = models.BigIntegerField(default=0)
    adds_low = models.BigIntegerField(default=0)
    adds_high = models.BigIntegerField(default=0)
    covers = models.IntegerField(default=0)
    # The finest admin level of the events it covers whose high is open ("at least"; None:
    # none is): what it adds, read apart from them, has no floor but zero (rules.remainder).
    covers_open_level = models.SmallIntegerField(null=True)
    report_ids = models.JSONField()
    reports = models.IntegerField()
    sources = models.IntegerField()
    # Sources no other event of this metric cites: these add up; the others are counted
    # distinct from SourceUse.
    local_sources = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "metric", "key"], name="eventcount_one_per_metric"
            ),
        ]
        indexes = [
            models.Index(fields=["facet", "metric", "dated"], name="eventcount_metric_dated"),
            # The coarse events covering an open high finer than a breakdown by each level:
            # the "unspecified within" row reads their parts apart (from_summaries.Reader.
            # flow_by_area), off these alone (a few thousand at a million reports).
            *(
                models.Index(
                    fields=["facet", "dated"],
                    include=("metric", "span_end", "adds_low", "adds_high"),
                    condition=Q(**{f"adm{level}__isnull": True}, covers_open_level__gte=level),
                    name=f"eventcount_open_below{level}",
                )
                for level in (1, 2, 3, 4)
            ),
            models.Index(fields=["facet", "dated"], name="eventcount_dated"),
            models.Index(fields=["key", "facet"], name="eventcount_key"),
            # Loose days within an area: adm<level> = the area.
            models.Index(fields=["facet", "adm0", "dated"], name="eventcount_adm0_dated"),
            models.Index(fields=["facet", "adm1", "dated"], name="eventcount_adm1_dated"),
            models.Index(fields=["facet", "adm2", "dated"], name="eventcount_adm2_dated"),
            models.Index(fields=["facet", "adm3", "dated"], name="eventcount_adm3_dated"),
            models.Index(fields=["facet", "adm4", "dated"], name="eventcount_adm4_dated"),
            # The events covering a changed one (rule 5): at its place or above, reaching to its
            # span's end or later.
            models.Index(
                fields=["facet", "metric", "place_id", "span_end"], name="eventcount_coverers"
            ),
            # Figures longer than a month: read beside the cells, and spanning beyond periods.
            models.Index(
                fields=["facet", "metric", "dated", "span_end"],
                condition=~Q(reach="month"),
                name="eventcount_wide",
            ),
            # The largest of them first: a series by month lists only the few adding the most
            # (from_summaries.Reader.longer_by_month).
            models.Index(
                fields=["facet", "metric", "-adds_best", "-report_id"],
                condition=~Q(reach="month"),
                name="eventcount_wide_largest",
            ),
            # Figures not within one calendar year: in no cell, read beside the year cells.
            models.Index(
                fields=["facet", "metric", "dated"],
                condition=Q(reach=""),
                name="eventcount_longest",
            ),
            # The last day holding data (a series without an end asked).
            models.Index(fields=["facet", "span_end"], name="eventcount_span_end"),
            # The same within an area: a state's figures longer than a month in a year are a
            # few hundred among its thousands.
            *(
                models.Index(
                    fields=["facet", f"adm{level}", "dated"],
                    condition=~Q(reach="month"),
                    name=f"eventcount_wide_adm{level}",
                )
                for level in range(5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} of {self.key}: {self.best}"


class SourceUse(_Ancestry):
    """A source cited by a counted event's reports; `shared` when several events of the metric
    cite it."""

    metric = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    key = models.CharField(max_length=24)
    dated = models.DateField()
    span_end = models.DateField()  # the event's span, as EventCount
    reach = models.CharField(max_length=5)
    shared = models.BooleanField(default=False)
    # How far this source's uses (for this metric) spread in time: "month", "year" or "".
    span = models.CharField(max_length=5, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "metric", "source_id", "key"], name="sourceuse_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["key", "facet"], name="sourceuse_key"),
            models.Index(
                fields=["facet", "metric", "dated"],
                condition=Q(shared=True),
                name="sourceuse_shared",
            ),
            # Shared sources spreading over months or years: the few counted distinct.
            models.Index(
                fields=["facet", "metric", "span", "dated"],
                condition=Q(shared=True) & ~Q(span="month"),
                name="sourceuse_unsettled",
            ),
            # Shared sources of events not within one calendar month: with the two above, every part
            # of the uses counted distinct (reading.unsettled_q) is read off an index.
            models.Index(
                fields=["facet", "metric", "dated"],
                condition=Q(shared=True) & ~Q(reach="month"),
                name="sourceuse_wide",
            ),
            # Shared sources of reports coarser than a breakdown level.
            *(
                models.Index(
                    fields=["facet", "metric", "dated"],
                    condition=Q(shared=True, **{f"adm{level}__isnull": True}),
                    name=f"sourceuse_coarse{level}",
                )
                for level in range(1, 5)
            ),
        ]

    def __str__(self) -> str:
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
    open_events = models.IntegerField(default=0)  # events whose high is open ("at least")
    approximate_events = models.IntegerField(default=0)
    at_most_events = models.IntegerField(default=0)  # events counting an "at most" figure
    local_sources = models.IntegerField()  # sources only one counted event cites
    shared_sources = models.IntegerField()  # distinct sources several events cite, in this cell
    settled_sources = models.IntegerField()  # of which all uses fall within this month/year

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "metric", "node", "span", "start"], name="flowtotal_one_per_cell"
            ),
        ]
        indexes = [
            models.Index(fields=["facet", "span", "level", "start"], name="flowtotal_by_level"),
        ]

    def __str__(self) -> str:
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
    open_events = models.IntegerField(default=0)
    approximate_events = models.IntegerField(default=0)
    at_most_events = models.IntegerField(default=0)
    oldest = models.DateField(null=True)  # the as-of dates of the figures standing
    newest = models.DateField(null=True)
    own_key = models.CharField(max_length=24, blank=True)  # the node's own figure, if it stands
    # The sources standing here that several counted events of the metric cite (sorted ids);
    # `sources` is the sum of the standing events' local sources plus how many these are, so a
    # node's step follows from its children's (aggregates/summaries/stocks.py).
    shared_sources = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "metric", "node", "valid_from"], name="stockstep_one_per_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["facet", "metric", "level", "valid_from"], name="stockstep_by_level"
            ),
            models.Index(fields=["facet", "metric", "valid_to"], name="stockstep_valid_to"),
            # The places with no ancestor at a level above theirs (a township straight under
            # its state): a breakdown at that level reads their steps apart (rarely any;
            # aggregates/from_summaries.py, Reader._steps_by_node).
            models.Index(
                fields=["facet", "metric", "level", "valid_from"],
                name="stockstep_orphans",
                condition=Q(adm1__isnull=True, level__gt=1)
                | Q(adm2__isnull=True, level__gt=2)
                | Q(adm3__isnull=True, level__gt=3),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} in node {self.node} from {self.valid_from}: {self.best}"
