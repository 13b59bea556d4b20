"""The KoboToolbox form a link belongs to: its asset uid and formhub/uuid (blank: unchecked)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_report_approved_by_update"),
    ]

    operations = [
        migrations.AddField(
            model_name="koboform",
            name="kobo_asset_uid",
            field=models.CharField(
                blank=True,
                help_text="The form's id in KoboToolbox (its asset uid: in the project's address, the part after #/forms/); each submission carries it as _xform_id_string. Submissions from another form are kept unmapped. Blank: not checked.",
                max_length=100,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[\\w-]+$", "Letters, digits, _ and - only, as in the form's Kobo address."
                    )
                ],
                verbose_name="Kobo form id",
            ),
        ),
        migrations.AddField(
            model_name="koboform",
            name="kobo_form_uuid",
            field=models.CharField(
                blank=True,
                help_text="The formhub/uuid of the deployed form, as in any of its submissions. Submissions from another form are kept unmapped. Blank: not checked.",
                max_length=32,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[0-9a-f]{32}$",
                        "32 characters 0-9 and a-f, as in a submission's formhub/uuid.",
                    )
                ],
                verbose_name="Kobo formhub/uuid",
            ),
        ),
    ]
