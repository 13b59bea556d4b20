"""An "at most" figure's stored low is 0, as docs/counting.md has always said and every total
counted it: the figure kept its value as its low and the engine put 0 in its place when it
counted, so the report's API and downloads gave one low (count_low 50) and the totals another
(0). The reports' public documents carry count_low: those holding such a figure are written
again here, on their stored JSON (migrations/_documents.py: this migration ran the tracker's own
code once, which fails on a database migrating past 0039 in the same run). The counts of the
summaries do not change: they already took 0."""

from django.db import migrations
from django.db.models import F

from ._documents import rewrite_public_records

AT_MOST = "at_most"


def low_of_zero(apps, schema_editor):
    Figure = apps.get_model("reports", "Figure")
    figures = Figure.objects.filter(qualifier=AT_MOST).exclude(count_low=0)
    reports = list(figures.values_list("report_id", flat=True).distinct())
    figures.update(count_low=0)
    rewrite_public_records(apps, _at_most_low(lambda figure: 0), reports)


def low_of_its_value(apps, schema_editor):
    Figure = apps.get_model("reports", "Figure")
    figures = Figure.objects.filter(qualifier=AT_MOST)
    reports = list(figures.values_list("report_id", flat=True).distinct())
    figures.update(count_low=F("count_best"))
    rewrite_public_records(apps, _at_most_low(lambda figure: figure["count_best"]), reports)


def _at_most_low(low_of):
    """A record's change: each "at most" figure's count_low set to low_of(figure)."""

    def change(document: dict) -> bool:
        changed = False
        for figure in document["figures"]:
            if figure["qualifier"] == AT_MOST and figure["count_low"] != low_of(figure):
                figure["count_low"] = low_of(figure)
                changed = True
        return changed

    return change


class Migration(migrations.Migration):
    dependencies = [("reports", "0035_cause_not_stated_facets")]

    operations = [migrations.RunPython(low_of_zero, low_of_its_value, elidable=True)]
