"""StockStep.shared_sources: the shared sources standing at a node, so that a stock change
rewrites a node's steps from its children's stored ones (docs/counting.md). The steps are
recomputed from the stored EventCount and SourceUse rows (not from the reports: this is the
sweep rebuild_aggregates runs, over rows already counted)."""

from collections import defaultdict

from django.db import migrations, models


def recompute_steps(apps, schema_editor):
    from reports.aggregates.summaries.stocks import stock_steps
    from reports.aggregates.summaries.writing import bulk_insert

    event_count = apps.get_model("reports", "EventCount")
    source_use = apps.get_model("reports", "SourceUse")
    stock_step = apps.get_model("reports", "StockStep")
    pairs = sorted(set(stock_step.objects.values_list("facet", "metric").distinct()))
    for facet, metric in pairs:
        rows = list(event_count.objects.filter(facet=facet, metric=metric).values())
        shared = defaultdict(set)
        for key, source in source_use.objects.filter(
            facet=facet, metric=metric, shared=True
        ).values_list("key", "source_id"):
            shared[key].add(source)
        steps = stock_steps(rows, {key: frozenset(found) for key, found in shared.items()})
        stock_step.objects.filter(facet=facet, metric=metric).delete()
        bulk_insert(stock_step, steps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0022_screen_evidence_text")]

    operations = [
        migrations.AddField(
            model_name="stockstep",
            name="shared_sources",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(recompute_steps, migrations.RunPython.noop, elidable=True),
    ]
