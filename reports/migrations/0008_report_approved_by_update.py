"""The partner API pages approved reports by (updated_at, id): a partial index for it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_api_clients_and_kobo"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("status", "approved")),
                fields=["updated_at", "id"],
                name="report_approved_by_update",
            ),
        ),
    ]
