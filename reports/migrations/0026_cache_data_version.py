"""The data version's one row (reports.models.data_version), starting at 1."""

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("reports", "DataVersion").objects.get_or_create(pk=1, defaults={"n": 1})


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0025_filter_choices'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('n', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'data version',
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
