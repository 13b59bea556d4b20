"""Two counting corrections, and every summary counted again by the tracker's own code:

- Rule 4 between a place and places within it (DOMAIN.md: "for each place, the latest figure"):
  a place's stock figure stands over what stands within it when nothing there is more recent,
  or when it is at least as large as their total; a newer figure for one township no longer
  sets a larger state-wide figure aside. Kayah's 120,000 as of 15 June read 56,000 at 30
  November, two townships' figures, once Loikaw reported 40,000 on 18 November.
- Rule 2's "most recently published" figure of an event reads a report's public sources' dates
  only, and a report none of whose public sources is dated is as recent as its last day. A
  confidential source's date is never public, but which figure an event counts is (the totals,
  the evidence page, the downloads' "counted" column): moving one report's figure in or out
  told when the source was dated (found by a leak scan). And a report without a dated public
  source counted as published on the day it was approved: a backlog's undated field note
  approved in 2026 beat a UN figure of December 2023 for the same event.

Every summary is rebuilt (rebuild_aggregates: about 4 minutes at 300,000 reports, 10 at a
million), or, where a later migration changes the summary tables again, once migrate has run
them all (summaries/migrating.py)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from reports.aggregates.summaries import migrating

    migrating.rebuild_every_summary(apps, schema_editor.connection, "0045")


class Migration(migrations.Migration):
    dependencies = [("reports", "0044_separate_figures_names")]

    # Back: nothing to undo by hand; the earlier code counts them its own way once its
    # `rebuild_aggregates` runs.
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
