"""Make report history append-only in the database itself: an UPDATE is refused whatever
code runs it. (Deletes are refused by the model and PROTECT foreign keys; a trigger on DELETE
would also block the test runner's flush on SQLite.)"""

from django.db import migrations

SQL = {
    "postgresql": (
        """
        CREATE OR REPLACE FUNCTION reports_history_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'report history is append-only';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER reports_history_no_update BEFORE UPDATE ON reports_reporthistory
            FOR EACH ROW EXECUTE FUNCTION reports_history_append_only();
        """,
        """
        DROP TRIGGER IF EXISTS reports_history_no_update ON reports_reporthistory;
        DROP FUNCTION IF EXISTS reports_history_append_only();
        """,
    ),
    "sqlite": (
        """
        CREATE TRIGGER reports_history_no_update BEFORE UPDATE ON reports_reporthistory
        BEGIN
            SELECT RAISE(ABORT, 'report history is append-only');
        END;
        """,
        "DROP TRIGGER IF EXISTS reports_history_no_update;",
    ),
}


def forwards(apps, schema_editor):
    sql = SQL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql[0])


def backwards(apps, schema_editor):
    sql = SQL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql[1])


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
