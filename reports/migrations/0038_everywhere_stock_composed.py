"""Two stock totals are no longer stored but composed when read (aggregates/from_summaries.py,
Reader.stock_nodes and _composed_at; summaries/cells.stock_stored_from):

- everywhere's: with one country its steps were the country's again, and a back-dated stock
  figure rewrote every later step of both;
- a top place's (a country's) in a facet (a cause, a source type, a tag ...): few places under
  it hold a figure of their own there, so its total changes almost daily, and one back-dated
  figure rewrote 1,581 of its steps in four facets in one approval at 300,000 reports.

Their steps are removed here; nothing else changes."""

from django.db import migrations

EVERYWHERE = 0  # (aggregates.summaries.EVERYWHERE)


def forget_composed(apps, schema_editor):
    StockStep = apps.get_model("reports", "StockStep")
    Place = apps.get_model("gazetteer", "Place")
    StockStep.objects.filter(node=EVERYWHERE).delete()
    tops = list(Place.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    StockStep.objects.exclude(facet="").filter(node__in=tops).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0037_stock_as_of_and_open_remainders"),
        ("gazetteer", "0004_place_search"),
    ]

    # Back: the earlier code reads those steps; run `rebuild_aggregates` after.
    operations = [migrations.RunPython(forget_composed, migrations.RunPython.noop)]
