"""Two counting corrections, and the summaries they touch counted again by the tracker's own
code (as 0023 and 0036 run it: a refresh of the events concerned):

- A stock figure whose dates are known only to the week, month or year stands as of the last
  day of them (rules.report_date; DOMAIN.md, "A figure's span"): "November 2023" as of 30
  November, where it stood as of whatever day was typed (the 20th, say).
- EventCount.covers_open: the event covers one whose high is open ("at least"), so what it
  adds read on its own (the "unspecified within" row, a line beside a total, the evidence
  page) has no floor but zero (rules.remainder): 400 killed in Kayah less a township's "at
  least 9" and others' 10 reads 0 to 381, where it read 381 to 381.

Counted only on summary tables as this release has them; otherwise put off to a rebuild of
every summary once all migrations have run (summaries/migrating.py)."""

from django.db import migrations, models

STOCKS = ("currently_displaced",)
BATCH = 500


def recount(apps, schema_editor):
    from reports.aggregates.rules import event_key
    from reports.aggregates.summaries import migrating, refresh
    from reports.services.data_version import data_version_bump

    Report = apps.get_model("reports", "Report")
    EventCount = apps.get_model("reports", "EventCount")
    imprecise_stocks = (
        Report.objects.filter(status="approved", figures__metric__in=STOCKS)
        .exclude(date_precision="day")
        .values_list("pk", "event_id")
        .distinct()
    )
    keys = {event_key(event, pk) for pk, event in imprecise_stocks}
    keys |= set(EventCount.objects.filter(covers__gt=0).values_list("key", flat=True))
    if not keys:
        return

    def count():
        data_version_bump()
        ordered = sorted(keys)
        for start in range(0, len(ordered), BATCH):
            refresh(ordered[start : start + BATCH])

    migrating.count_or_defer(schema_editor.connection, "0037", count)


class Migration(migrations.Migration):
    dependencies = [("reports", "0036_at_most_counts_from_zero")]

    operations = [
        migrations.AddField(
            model_name="eventcount",
            name="covers_open",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="eventcount",
            index=models.Index(
                condition=models.Q(("covers_open", True)),
                fields=["facet", "metric", "dated"],
                name="eventcount_covers_open",
            ),
        ),
        # Back: nothing to undo by hand; the earlier code counts them its own way once its
        # `rebuild_aggregates` runs.
        migrations.RunPython(recount, migrations.RunPython.noop, elidable=True),
    ]
