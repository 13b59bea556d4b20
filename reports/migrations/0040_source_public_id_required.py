"""Source.public_id, drawn for every source in 0039, is required and unique from here on (a
migration of its own: PostgreSQL alters no table that rows changed in the same transaction
still have trigger events pending for)."""

from django.db import migrations, models

import reports.models.core


class Migration(migrations.Migration):
    dependencies = [("reports", "0039_source_public_id")]

    operations = [
        migrations.AlterField(
            model_name="source",
            name="public_id",
            field=models.BigIntegerField(
                default=reports.models.core.new_public_id, editable=False, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="public_id",
            field=models.BigIntegerField(
                db_index=True, default=reports.models.core.new_public_id, editable=False
            ),
        ),
    ]
