"""Rule 2's "most recently published" figure of an event reads a report's public sources' dates
only, and a report none of whose public sources is dated is as recent as its last day:

- A confidential source's date is never public, but which figure an event counts is (the totals,
  the evidence page, the downloads' "counted" column): a confidential source's date decided it, so
  moving one report's figure in or out told when the source was dated (found by this session's
  leak scan).
- A report without a dated public source counted as published on the day it was approved: a
  backlog's undated field note approved in 2026 beat a UN figure of December 2023 for the same
  event (found by this session's real-article audit). Its last day is what it tells.

Every summary is counted again by the tracker's own code (rebuild_aggregates: about 4 minutes at
300,000 reports, 10 at a million), or, where a later migration changes the summary tables again,
once migrate has run them all (summaries/migrating.py)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from reports.aggregates.summaries import migrating

    migrating.rebuild_every_summary(apps, schema_editor.connection, "0046")


class Migration(migrations.Migration):
    dependencies = [("reports", "0045_stock_stands_when_larger")]

    # Back: nothing to undo by hand; the earlier code counts them its own way once its
    # `rebuild_aggregates` runs.
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
