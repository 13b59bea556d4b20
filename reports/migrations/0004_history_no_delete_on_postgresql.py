"""On PostgreSQL the database also refuses to DELETE report history rows. (TRUNCATE, which
only an operator or the test runner's flush uses, is not a row delete. SQLite's flush deletes
row by row, so there the model and the PROTECT foreign key are the guard.)"""

from django.db import migrations

FORWARDS = """
CREATE TRIGGER reports_history_no_delete BEFORE DELETE ON reports_reporthistory
    FOR EACH ROW EXECUTE FUNCTION reports_history_append_only();
"""
BACKWARDS = "DROP TRIGGER IF EXISTS reports_history_no_delete ON reports_reporthistory;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_point_needs_both_coordinates")]
    operations = [migrations.RunPython(forwards, backwards)]
