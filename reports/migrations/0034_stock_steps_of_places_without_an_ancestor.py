"""The steps of places with no ancestor at a level above theirs (a township straight under its
state), which a breakdown at that level reads apart from the others (from_summaries.py,
Reader._steps_by_node): a partial index, small, as the gazetteer rarely has any."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0033_report_days_range")]

    operations = [
        migrations.AddIndex(
            model_name="stockstep",
            index=models.Index(
                condition=models.Q(adm1__isnull=True, level__gt=1)
                | models.Q(adm2__isnull=True, level__gt=2)
                | models.Q(adm3__isnull=True, level__gt=3),
                fields=["facet", "metric", "level", "valid_from"],
                name="stockstep_orphans",
            ),
        ),
    ]
