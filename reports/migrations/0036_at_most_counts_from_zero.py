"""An "at most" figure's stored low is 0, as docs/counting.md has always said and every total
counted it: the figure kept its value as its low and the engine put 0 in its place when it
counted, so the report's API and downloads gave one low (count_low 50) and the totals another
(0). The reports' public documents carry count_low: those holding such a figure are written
again here (publication.follow_reports, the tracker's own code, as 0010 runs it). The counts of
the summaries do not change: they already took 0."""

from django.db import migrations
from django.db.models import F

AT_MOST = "at_most"


def low_of_zero(apps, schema_editor):
    from reports import publication

    Figure = apps.get_model("reports", "Figure")
    figures = Figure.objects.filter(qualifier=AT_MOST).exclude(count_low=0)
    reports = list(figures.values_list("report_id", flat=True).distinct())
    figures.update(count_low=0)
    publication.follow_reports(reports)


def low_of_its_value(apps, schema_editor):
    from reports import publication

    Figure = apps.get_model("reports", "Figure")
    figures = Figure.objects.filter(qualifier=AT_MOST)
    reports = list(figures.values_list("report_id", flat=True).distinct())
    figures.update(count_low=F("count_best"))
    publication.follow_reports(reports)


class Migration(migrations.Migration):
    dependencies = [("reports", "0035_cause_not_stated_facets")]

    operations = [migrations.RunPython(low_of_zero, low_of_its_value, elidable=True)]
