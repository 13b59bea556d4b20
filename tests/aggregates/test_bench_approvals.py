"""`bench_aggregates`: its data set loads (every column the reports table requires), and
`--approvals-only` times eight approvals and retractions, each rolled back, leaving the
summaries as they were."""

from io import StringIO

import pytest
from django.core.management import call_command

from reports import aggregates
from reports.models import Report


@pytest.mark.django_db
def test_a_small_load_then_the_approvals_alone(settings):
    settings.DEBUG = True
    call_command("bench_aggregates", reports=300, load_only=True, stdout=StringIO())
    reports = Report.objects.count()
    assert reports == 300
    out = StringIO()
    call_command("bench_aggregates", approvals_only=True, stdout=out)
    rows = [line.split(" | ")[0] for line in out.getvalue().splitlines() if "dated" in line]
    assert rows == [
        "| flow, dated 2025-12-30",
        "| harm (killed), dated 2025-12-30",
        "| stock, dated 2025-12-30",
        "| flow, dated 2022-03-15",
        "| stock, dated 2022-03-15",
        "| stock, dated 2022-03-15, a place with no figure",
        "| stock, dated 2022-03-15, a place with no figure, a source shared, a cause, a tag",
        "| flow, dated 2025-11-01 to 2025-11-30, a state's, covering others",
    ]
    # Rolled back: no report left behind, and the summaries agree with the base tables.
    assert Report.objects.count() == reports
    assert aggregates.verify_summaries() == []


@pytest.mark.django_db
def test_the_engine_alone_times_every_question_and_nothing_else(settings):
    settings.DEBUG = True
    call_command("bench_aggregates", reports=300, load_only=True, stdout=StringIO())
    out = StringIO()
    call_command("bench_aggregates", engine_only=True, runs=1, stdout=out)
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| ")]
    assert rows[0] == "| question | engine, dashboard (median) | engine, every line (median) |"
    assert len(rows) == 12  # the header and the eleven questions
    assert rows[1].startswith("| Whole data set: all metrics, by state, by month | ")
    assert "plain SQL" not in out.getvalue() and "dated" not in out.getvalue()
