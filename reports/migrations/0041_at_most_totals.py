"""A total resting on an "at most" figure says so (DOMAIN.md rule 7: a qualifier is never
dropped): EventCount.at_most marks an event counting such a figure, and FlowTotal's and
StockStep's at_most_events count them, as `approximate` and approximate_events do for
"approximately". "At most 50" killed beside 12 read "exact" as 62 (12-62); it reads "at most
62" now (Total.qualifier "at_most").

Every summary is counted again by the tracker's own code (rebuild_aggregates: about 4 minutes
at 300,000 reports), or, where a later migration changes the summary tables again, once
migrate has run them all (summaries/migrating.py)."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    from reports.aggregates.summaries import migrating

    migrating.rebuild_every_summary(apps, schema_editor.connection, "0041")


class Migration(migrations.Migration):
    dependencies = [("reports", "0040_source_public_id_required")]

    operations = [
        migrations.AddField(
            model_name="eventcount",
            name="at_most",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="flowtotal",
            name="at_most_events",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="stockstep",
            name="at_most_events",
            field=models.IntegerField(default=0),
        ),
        # Back: nothing to undo by hand; the earlier code counts without them.
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True),
    ]
