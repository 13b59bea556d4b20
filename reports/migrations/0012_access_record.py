"""The access record (reports.models.access): who opened which page of the moderation, partner
or admin area, or downloaded non-public data, and when. Append-only in the database itself: an
UPDATE is always refused; on PostgreSQL a DELETE is refused for records younger than 30 days
(the shortest retention TRACKER_ACCESS_RECORD_DAYS allows), so the retention task can prune old
ones but nobody can wipe the trace of a recent look. (SQLite's test flush deletes row by row,
so there the model and the PROTECT foreign key guard deletes, as for the report history.)"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SQL = {
    "postgresql": (
        """
        CREATE OR REPLACE FUNCTION reports_access_record_guard() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                RAISE EXCEPTION 'the access record is append-only';
            END IF;
            IF OLD.created_at > now() - interval '30 days' THEN
                RAISE EXCEPTION 'an access record younger than 30 days cannot be deleted';
            END IF;
            RETURN OLD;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER reports_access_record_guard BEFORE UPDATE OR DELETE
            ON reports_accessrecord
            FOR EACH ROW EXECUTE FUNCTION reports_access_record_guard();
        """,
        """
        DROP TRIGGER IF EXISTS reports_access_record_guard ON reports_accessrecord;
        DROP FUNCTION IF EXISTS reports_access_record_guard();
        """,
    ),
    "sqlite": (
        """
        CREATE TRIGGER reports_access_record_no_update BEFORE UPDATE ON reports_accessrecord
        BEGIN
            SELECT RAISE(ABORT, 'the access record is append-only');
        END;
        """,
        "DROP TRIGGER IF EXISTS reports_access_record_no_update;",
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

    dependencies = [
        ('reports', '0011_counting_spans_covering'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False)),
                ('kind', models.CharField(choices=[('moderation', 'moderation page'), ('partner', 'partner page'), ('admin', 'admin page'), ('download', 'download of non-public data')], max_length=16)),
                ('method', models.CharField(max_length=8)),
                ('view_name', models.CharField(max_length=200)),
                ('path', models.CharField(max_length=2000)),
                ('report_id', models.PositiveBigIntegerField(blank=True, db_index=True, null=True)),
                ('status_code', models.PositiveSmallIntegerField()),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['user', 'created_at'], name='reports_acc_user_id_9e39fb_idx')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
