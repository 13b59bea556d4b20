"""Two counting corrections, and every summary counted again by the tracker's own code:

- A stock figure whose dates are known only to the week, month or year stands as of the last
  day of them (rules.report_date; DOMAIN.md, "A figure's span"): "November 2023" as of 30
  November, where it stood as of whatever day was typed (the 20th, say).
- EventCount.covers_open_level: the finest admin level of the events it covers whose high is
  open ("at least"), so that what it adds read apart from them (a line beside a total, the
  evidence page, the "unspecified within" row of a breakdown at or above that level) has no
  floor but zero (rules.remainder): 400 killed in Kayah less a township's "at least 9" and
  others' 10 reads 0 to 381, where it read 381 to 381.

Counting again only the events concerned took longer than a rebuild (28,669 events cover
others at 300,000 reports): every summary is rebuilt (rebuild_aggregates; about 4 minutes at
300,000 reports, 10 at a million), which also builds 0032's and 0035's facets when an older
database migrated in one go put them off (summaries/migrating.py). On tables a later
migration changes again, the rebuild is put off to the end of migrate."""

from django.db import migrations, models

def rebuild(apps, schema_editor):
    from reports.aggregates.summaries import migrating

    migrating.rebuild_every_summary(apps, schema_editor.connection, "0037")


class Migration(migrations.Migration):
    dependencies = [("reports", "0036_at_most_counts_from_zero")]

    operations = [
        migrations.AddField(
            model_name="eventcount",
            name="covers_open_level",
            field=models.SmallIntegerField(null=True),
        ),
        *(
            migrations.AddIndex(
                model_name="eventcount",
                index=models.Index(
                    condition=models.Q(
                        (f"adm{level}__isnull", True), ("covers_open_level__gte", level)
                    ),
                    fields=["facet", "dated"],
                    include=("metric", "span_end", "adds_low", "adds_high"),
                    name=f"eventcount_open_below{level}",
                ),
            )
            for level in (1, 2, 3, 4)
        ),
        # Back: nothing to undo by hand; the earlier code counts them its own way once its
        # `rebuild_aggregates` runs.
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True),
    ]
