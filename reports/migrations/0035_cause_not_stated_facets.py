"""The summaries of each cause's reports stating no alleged perpetrator ("n:<cause>", for the
harm metrics: aggregates/facets.py), so that the IHL view filtered by a cause reads its "not
stated" column from them, not from the base tables (4 to 9 s at a million reports). Built here
from the base tables, as rebuild_aggregates would (about as long as 0032's "p:none", which
holds the same reports): without them such a question would read zero. It runs the tracker's
own code (as 0023 and 0032 do), written for the models as they are at this migration: if a
later migration changes what that code reads, make this one a no-op and tell deployments to
run rebuild_aggregates instead."""

from django.db import migrations

PREFIX = "n:"


def build_cause_not_stated(apps, schema_editor):
    from reports.aggregates.facets import all_facets
    from reports.aggregates.summaries.migrating import count_or_defer
    from reports.aggregates.summaries.store import rebuild_facet

    def build():
        for facet in sorted(all_facets()):
            if facet.startswith(PREFIX):
                rebuild_facet(facet)

    # (Put off to 0037's rebuild when a later migration's columns are not there yet.)
    count_or_defer(schema_editor.connection, "0035", build)


def drop_cause_not_stated(apps, schema_editor):
    # The code before this migration keeps no such facet: its check would find these rows.
    for name in ("EventCount", "SourceUse", "FlowTotal", "StockStep"):
        apps.get_model("reports", name).objects.filter(facet__startswith=PREFIX).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0034_stock_steps_of_places_without_an_ancestor")]

    operations = [
        migrations.RunPython(build_cause_not_stated, drop_cause_not_stated, elidable=True),
    ]
