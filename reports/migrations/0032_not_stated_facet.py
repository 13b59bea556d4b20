"""The summaries of the reports stating no alleged perpetrator ("p:none", for the harm metrics:
aggregates/facets.py), so that the IHL view's "not stated" column and a question of harm with
perpetrator=none are read from them, not counted from the base tables. Built here from the
base tables, as rebuild_aggregates would (a few minutes at a million reports): without them
such a question would read zero. It runs the tracker's own code (as 0023 does), written for
the models as they are at this migration: if a later migration changes what that code reads,
make this one a no-op and tell deployments to run rebuild_aggregates instead."""

from django.db import migrations


def build_not_stated(apps, schema_editor):
    from reports.aggregates.facets import NOT_STATED_FACET
    from reports.aggregates.summaries.migrating import count_or_defer
    from reports.aggregates.summaries.store import rebuild_facet

    # (Put off to 0037's rebuild when a later migration's columns are not there yet.)
    count_or_defer(schema_editor.connection, "0032", lambda: rebuild_facet(NOT_STATED_FACET))


def drop_not_stated(apps, schema_editor):
    # The code before this migration keeps no such facet: its check would find these rows.
    for name in ("EventCount", "SourceUse", "FlowTotal", "StockStep"):
        apps.get_model("reports", name).objects.filter(facet="p:none").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0031_report_cause_place")]

    operations = [
        migrations.RunPython(build_not_stated, drop_not_stated, elidable=True),
    ]
