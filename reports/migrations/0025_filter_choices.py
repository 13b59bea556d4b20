"""Indexes the moderation queue and the dashboard's map read at a million reports (PostgreSQL only,
as 0021):

- a trigram index of the sources' names in upper case, the expression Django's `icontains`
  compares, so the search box finds a source's name without reading every source (pg_trgm,
  a trusted extension a database owner may create);
- the reports by (submitted_at, id), the queue's default order ("waiting longest first"), so
  a status with hundreds of thousands of reports lists its first page without sorting them all;
- the approved reports with a released exact point (few), which the dashboard's map asks about
  before reading which reports are behind a number.

SQLite searches and sorts without them."""

from django.db import migrations

SOURCE_NAME_INDEX = "source_name_upper_trgm"
SUBMITTED_INDEX = "report_submitted_order"
RELEASED_INDEX = "report_released_point"


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {SOURCE_NAME_INDEX} ON reports_source "
        "USING gin ((UPPER(name::text)) gin_trgm_ops)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {SUBMITTED_INDEX} ON reports_report (submitted_at, id)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {RELEASED_INDEX} ON reports_report (place_id) "
        "WHERE status = 'approved' AND point_released AND latitude IS NOT NULL "
        "AND longitude IS NOT NULL"
    )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {SOURCE_NAME_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {SUBMITTED_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {RELEASED_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0024_export_jobs")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
