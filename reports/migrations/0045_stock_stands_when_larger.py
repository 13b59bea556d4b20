"""Rule 4 between a place and places within it (DOMAIN.md, "for each place, the latest figure"):
a place's stock figure stands over newer figures for places within it when it is at least as
large as what stands within them; a newer figure for one township no longer sets a larger
state-wide figure aside (docs/counting.md, rule 4). Kayah's 120,000 as of 15 June read 56,000 at
30 November, two townships' figures, once Loikaw reported 40,000 on 18 November.

Every stock's steps are counted again from the stored EventCount and SourceUse rows with the
tracker's own sweep (stocks.stock_steps, as rebuild_aggregates does; nothing else changes), or,
where a later migration changes the summary tables again, every summary is rebuilt once migrate
has run them all (summaries/migrating.py)."""

from collections import defaultdict

from django.db import migrations


def recount_stocks(apps, schema_editor):
    from reports.aggregates.rules import is_stock
    from reports.aggregates.summaries import migrating
    from reports.aggregates.summaries.stocks import stock_steps
    from reports.aggregates.summaries.writing import bulk_insert

    event_count = apps.get_model("reports", "EventCount")
    source_use = apps.get_model("reports", "SourceUse")
    stock_step = apps.get_model("reports", "StockStep")

    def recount():
        pairs = sorted(set(event_count.objects.values_list("facet", "metric").distinct()))
        for facet, metric in pairs:
            if not is_stock(metric):
                continue
            rows = list(event_count.objects.filter(facet=facet, metric=metric).values())
            shared = defaultdict(set)
            for key, source in source_use.objects.filter(
                facet=facet, metric=metric, shared=True
            ).values_list("key", "source_id"):
                shared[key].add(source)
            steps = stock_steps(rows, {key: frozenset(found) for key, found in shared.items()})
            stock_step.objects.filter(facet=facet, metric=metric).delete()
            bulk_insert(stock_step, steps)

    if event_count.objects.exists():
        migrating.count_or_defer(schema_editor.connection, "0045", recount)


class Migration(migrations.Migration):
    dependencies = [("reports", "0044_separate_figures_names")]

    # Back: nothing to undo by hand; the earlier code counts them its own way once its
    # `rebuild_aggregates` runs.
    operations = [migrations.RunPython(recount_stocks, migrations.RunPython.noop, elidable=True)]
