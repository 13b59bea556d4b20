"""The moderation queue's search (reports.selectors.queue_search): on PostgreSQL, a GIN index
of the full-text vector of a report's title and public summary, built from the very expression
the search uses so that PostgreSQL answers from it. SQLite searches without an index
(substring matches) and gets nothing here."""

from django.db import migrations

INDEX_NAME = "report_title_summary_search"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    # reports.selectors.moderation.SEARCH_CONFIG; spelled out so the migration does not change
    # if the code does.
    return GinIndex(
        SearchVector("title", "public_summary", config="simple"), name=INDEX_NAME
    )


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("reports", "Report"), _index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("reports", "Report"), _index())


class Migration(migrations.Migration):
    dependencies = [("reports", "0020_notifications")]

    operations = [migrations.RunPython(add_index, remove_index, elidable=False)]
