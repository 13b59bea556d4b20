"""Everywhere's stock steps are no longer stored: with one country they were the country's
again, and a back-dated stock figure rewrote every later step of both (1,684 steps each in
one approval at 300,000 reports). A question about everywhere composes them from the top
places' steps when it is read (aggregates/from_summaries.py, Reader.stock_nodes)."""

from django.db import migrations

EVERYWHERE = 0  # (aggregates.summaries.EVERYWHERE)


def forget_everywhere(apps, schema_editor):
    StockStep = apps.get_model("reports", "StockStep")
    StockStep.objects.filter(node=EVERYWHERE).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0037_stock_as_of_and_open_remainders")]

    # Back: the earlier code reads everywhere's steps; run `rebuild_aggregates` after.
    operations = [migrations.RunPython(forget_everywhere, migrations.RunPython.noop)]
