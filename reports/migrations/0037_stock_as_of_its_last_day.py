"""A stock figure whose dates are known only to the week, month or year stands as of the last
day of them (rules.report_date; DOMAIN.md, "A figure's span"): "November 2023" as of 30
November, where it stood as of whatever day was typed (the 20th, say). The summaries of the
approved reports holding one are counted again here, by the tracker's own code (as 0023 and
0036 run it): a refresh of their events, stocks' steps included."""

from django.db import migrations

STOCKS = ("currently_displaced",)


def recount(apps, schema_editor):
    from reports.aggregates.rules import event_key
    from reports.aggregates.summaries import refresh
    from reports.services.data_version import data_version_bump

    Report = apps.get_model("reports", "Report")
    found = (
        Report.objects.filter(status="approved", figures__metric__in=STOCKS)
        .exclude(date_precision="day")
        .values_list("pk", "event_id")
        .distinct()
    )
    keys = {event_key(event, pk) for pk, event in found}
    if keys:
        data_version_bump()
        refresh(keys)


class Migration(migrations.Migration):
    dependencies = [("reports", "0036_at_most_counts_from_zero")]

    # Back: nothing to undo by hand; the earlier code counts them by the day typed once its
    # `rebuild_aggregates` runs.
    operations = [migrations.RunPython(recount, migrations.RunPython.noop, elidable=True)]
