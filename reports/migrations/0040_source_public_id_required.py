"""Source.public_id, drawn for every source in 0039, is required and unique from here on.

A source added by the previous release's code while this upgrade ran (after 0039, before
this) has none yet: it gets its own here, so that the constraint holds. A migration of its own
all the same: PostgreSQL alters no table that rows changed in the same transaction still
have trigger events pending for, and 0039 rewrote many rows."""

import secrets

from django.db import migrations, models

import reports.models.core

LOW, HIGH = 2**32, 10**15  # reports.models.core.PUBLIC_ID_RANGE, as it was written here


def give_the_rest_their_public_ids(apps, schema_editor):
    Source = apps.get_model("reports", "Source")
    HistoricalSource = apps.get_model("reports", "HistoricalSource")
    taken = set(Source.objects.exclude(public_id=None).values_list("public_id", flat=True))

    def draw() -> int:
        value = LOW + secrets.randbelow(HIGH - LOW)
        while value in taken:
            value = LOW + secrets.randbelow(HIGH - LOW)
        taken.add(value)
        return value

    for pk in Source.objects.filter(public_id=None).values_list("pk", flat=True):
        Source.objects.filter(pk=pk).update(public_id=draw())
    # Their history says the same id (a deleted one's, one of its own).
    known = dict(Source.objects.values_list("pk", "public_id"))
    for pk in set(HistoricalSource.objects.filter(public_id=None).values_list("id", flat=True)):
        value = known.get(pk) or draw()
        HistoricalSource.objects.filter(id=pk, public_id=None).update(public_id=value)


class Migration(migrations.Migration):
    dependencies = [("reports", "0039_source_public_id")]

    operations = [
        migrations.RunPython(
            give_the_rest_their_public_ids, migrations.RunPython.noop, elidable=False
        ),
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
