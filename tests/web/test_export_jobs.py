"""Export jobs through the dashboard's pages (docs/exports.md): a download past the row limit
offers a background job; the job is queued, runs with its progress on the status URL, is done
with the same file the stream gives, is reused while the data has not changed, expires, fails
with a reason and can be retried; nobody but whoever asked sees it; an invalid question starts
nothing."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from reports import services, tasks
from reports.exports import files
from reports.models import ExportJob, ExportStatus
from reports.services import exports as export_services
from tests import dashboard_data

QUESTION = dashboard_data.QUESTION
NAME = "tracker-kayah-2023-11-01-2023-12-31"


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def jobs(settings, tmp_path):
    """Jobs on: the reports list streams up to 3 reports (the scenario has 6 behind the
    question), files go to a temporary directory, and a job waits in the queue until the
    test runs it, as a worker would."""
    settings.TRACKER_EXPORT_STREAM_MAX_ROWS = 3
    settings.TRACKER_EXPORT_XLSX_MAX_ROWS = 3
    settings.TRACKER_EXPORT_ROOT = tmp_path
    settings.TRACKER_EXPORT_WITHOUT_BROKER = "inline"
    return tmp_path


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """ask(client, name, question): ask for a large download and start its job, which runs
    at the commit (TRACKER_EXPORT_WITHOUT_BROKER "inline") unless `run=False`."""

    def asking(client, name="reports.csv", question=QUESTION, run=True):
        page = client.get(f"/dashboard/download/{name}?{question}")
        assert page.status_code == 200
        assert "Make the file" in page.content.decode()
        fields = re.search(r'name="question" value="([^"]*)"', page.content.decode())
        with django_capture_on_commit_callbacks(execute=run):
            started = client.post(
                "/dashboard/exports/start/",
                {"name": name, "question": fields.group(1).replace("&amp;", "&")},
            )
        assert started.status_code == 302
        job_id = started["Location"].rstrip("/").rsplit("/", 1)[-1]
        return ExportJob.objects.get(pk=job_id)

    return asking


def test_a_large_download_becomes_a_job_that_runs_with_progress(
    client, scenario, jobs, ask, monkeypatch
):
    monkeypatch.setattr(files, "REPORT_BATCH", 2)
    monkeypatch.setattr(files, "PROGRESS_EVERY", 2)
    job = ask(client, run=False)  # queued after the commit, not run in the request
    page = client.get(f"/dashboard/exports/{job.pk}/")
    html = page.content.decode()
    assert job.status == "queued" and "waiting to start" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert "export-progress.js" in html
    assert page["Cache-Control"].startswith("max-age=0") and "private" in page["Cache-Control"]

    seen = []
    real_progress = export_services._progress

    def watching(job_id):
        update = real_progress(job_id)

        def progress(done, total):
            update(done, total)
            seen.append(client.get(f"/dashboard/exports/{job_id}/status/").json())

        return progress

    monkeypatch.setattr(export_services, "_progress", watching)
    assert tasks.run_export(str(job.pk)) == "done"
    assert [(s["status"], s["rows_done"], s["rows_total"], s["percent"]) for s in seen] == [
        ("running", 0, 6, 0),
        ("running", 2, 6, 33),
        ("running", 4, 6, 66),
        ("running", 6, 6, 99),
    ]
    status = client.get(f"/dashboard/exports/{job.pk}/status/").json()
    assert status["status"] == "done" and status["percent"] == 100
    assert status["file_url"] == f"/dashboard/exports/{job.pk}/file/"
    # A second delivery of the task finds the job done and does nothing.
    assert tasks.run_export(str(job.pk)) == "done"

    page = client.get(f"/dashboard/exports/{job.pk}/").content.decode()
    assert f"Download {NAME}-reports.csv" in page and "http-equiv" not in page
    made = client.get(status["file_url"])
    assert made["Content-Disposition"] == f'attachment; filename="{NAME}-reports.csv"'
    assert made["Content-Type"] == "text/csv; charset=utf-8"
    # The same bytes as the download streams when it is under the limit.
    streamed_limit = 1000
    with pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "TRACKER_EXPORT_STREAM_MAX_ROWS", streamed_limit)
        streamed = content(client.get(f"/dashboard/download/reports.csv?{QUESTION}"))
    assert content(made) == streamed
    rows = list(csv.DictReader(io.StringIO(streamed.decode())))
    assert len(rows) == 7
    raw = streamed.decode()
    for leaked in ("Camp committee X", "U Ba", "09-555", "Unchecked", "Loikaw monitors"):
        assert leaked not in raw


def test_an_xlsx_past_its_limit_is_a_job(client, scenario, jobs, ask):
    job = ask(client, "reports.xlsx")
    job.refresh_from_db()
    assert job.status == "done"  # "inline": run at the commit
    made = client.get(f"/dashboard/exports/{job.pk}/file/")
    assert made["Content-Disposition"] == f'attachment; filename="{NAME}-reports.xlsx"'
    assert content(made)[:2] == b"PK"


def test_the_same_question_reuses_the_file_until_the_data_changes(
    client, scenario, jobs, moderator, field_partner, file_report, ask
):
    first = ask(client)
    first.refresh_from_db()
    assert first.status == "done"
    # The same person asking again gets a new job with the same file, made once.
    again = ask(Client())
    assert again.status == "done" and again.reused_from_id == first.pk
    assert again.file_path == first.file_path and again.expires_at == first.expires_at
    assert len(list(jobs.rglob("*.csv"))) == 1
    # An approval changes the public data: the next job makes a new file.
    report = file_report(field_partner, title="Another report from Loikaw")
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    changed = ask(client)
    changed.refresh_from_db()
    assert changed.reused_from_id is None and changed.file_path != first.file_path
    assert changed.data_version != first.data_version
    assert (
        "Another report from Loikaw"
        in content(client.get(f"/dashboard/exports/{changed.pk}/file/")).decode()
    )


def test_the_page_says_until_when_the_file_is_kept_in_the_readers_language(
    client, scenario, jobs, ask
):
    job = ask(client)
    job.refresh_from_db()
    job.expires_at = datetime(2023, 12, 1, 8, 30, tzinfo=UTC)  # 15:00 in Yangon
    job.save(update_fields=["expires_at"])

    english = client.get(f"/dashboard/exports/{job.pk}/").content.decode()
    client.cookies["django_language"] = "my"
    burmese = client.get(f"/dashboard/exports/{job.pk}/").content.decode()

    assert "The file is kept until 1 Dec 2023, 15:00." in english
    assert "2023 ခုနှစ် ဒီဇင်ဘာလ 1 ရက်၊ 15:00" in burmese
    assert "Dec" not in burmese


def test_files_expire(client, scenario, jobs, ask):
    job = ask(client)
    reused = ask(Client())
    job.refresh_from_db()
    path = jobs / job.file_path
    assert path.is_file()
    later = job.expires_at + timedelta(seconds=1)
    assert export_services.expire_due(now=later) == {
        "expired": 2,
        "files_deleted": 1,
        "stopped": 0,
        "requeued": 0,
    }
    assert not path.exists()
    for asked in (job, reused):
        asked.refresh_from_db()
        assert asked.status == "expired"
    assert client.get(f"/dashboard/exports/{job.pk}/file/").status_code == 404
    page = client.get(f"/dashboard/exports/{job.pk}/").content.decode()
    assert "This file has expired and was deleted." in page
    # Asked again, it is made again.
    fresh = ask(client)
    fresh.refresh_from_db()
    assert fresh.status == "done" and fresh.reused_from_id is None


def test_a_failed_job_says_why_and_can_be_retried(
    client, scenario, jobs, monkeypatch, ask, django_capture_on_commit_callbacks
):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(files, "write_download", full_disk)
        job = ask(client)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == export_services.FAILED_DISK
    page = client.get(f"/dashboard/exports/{job.pk}/").content.decode()
    assert "The server could not write the file (its disk may be full)." in page
    assert "No space left" not in page
    assert list(jobs.rglob("*")) == [jobs / job.key[:2]]  # nothing half-written left
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/dashboard/exports/{job.pk}/retry/")
    assert retried.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.error == "" and job.attempts == 2


def test_a_job_killed_mid_way_is_failed_by_the_sweep(client, scenario, jobs, settings):
    settings.TRACKER_EXPORT_WITHOUT_BROKER = "thread"
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker that never answers
    job = ExportJob.objects.create(
        user=None, session_hash="x" * 64, name="reports.csv", question=QUESTION, key="k" * 64
    )
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2)
    )
    result = export_services.expire_due()
    assert result["stopped"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.error == export_services.FAILED_STOPPED


def test_only_whoever_asked_sees_the_job(client, scenario, jobs, advocate, field_partner, ask):
    anonymous = ask(client)
    signed_in = Client()
    signed_in.force_login(advocate)
    own = ask(signed_in)
    assert own.user_id == advocate.pk and anonymous.user_id is None
    others = Client()
    partner = Client()
    partner.force_login(field_partner)
    for job, outsiders in ((anonymous, [others, partner, signed_in]), (own, [others, partner])):
        for outsider in outsiders:
            for path in ("", "status/", "file/"):
                url = f"/dashboard/exports/{job.pk}/{path}"
                assert outsider.get(url).status_code == 404, url
            assert outsider.post(f"/dashboard/exports/{job.pk}/retry/").status_code == 404
    assert "sessionid" not in others.cookies  # looking gave no session
    assert client.get(f"/dashboard/exports/{anonymous.pk}/file/").status_code == 200
    assert signed_in.get(f"/dashboard/exports/{own.pk}/file/").status_code == 200
    # "Your exports" lists one's own jobs only.
    listing = signed_in.get("/dashboard/exports/").content.decode()
    assert f"/dashboard/exports/{own.pk}/" in listing
    assert str(anonymous.pk) not in listing


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("area=XX9", "area: Unknown area code 'XX9'."),
        ("start=2023-12-01&end=2023-11-01", "end: The end (2023-11-01) is before the start"),
    ],
)
def test_an_invalid_question_starts_no_job(client, scenario, jobs, question, message):
    response = client.post(
        "/dashboard/exports/start/", {"name": "reports.csv", "question": question}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    unknown = client.post("/dashboard/exports/start/", {"name": "areas.csv", "question": ""})
    assert unknown.status_code == 400
    assert ExportJob.objects.count() == 0


def test_starting_a_job_needs_the_csrf_token(scenario, jobs):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/dashboard/exports/start/", {"name": "reports.csv"})
    assert response.status_code == 403
    assert ExportJob.objects.count() == 0


def test_small_downloads_still_stream(client, scenario, jobs, settings):
    settings.TRACKER_EXPORT_STREAM_MAX_ROWS = 100
    response = client.get(f"/dashboard/download/reports.csv?{QUESTION}")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert ExportJob.objects.count() == 0


def test_a_signed_in_person_is_told_in_the_inbox(client, scenario, jobs, advocate, ask):
    signed_in = Client()
    signed_in.force_login(advocate)
    job = ask(signed_in)
    ask(client)  # an anonymous job tells nobody
    inbox = signed_in.get("/inbox/").content.decode()
    assert "Your export is ready" in inbox
    assert f'href="/dashboard/exports/{job.pk}/"' in inbox
    assert f"{NAME}-reports.csv" in inbox
    from reports.models import Notification

    notice = Notification.objects.get(kind="export_ready")
    assert (notice.recipient_id, notice.export_id, notice.sent_at is not None) == (
        advocate.pk,
        job.pk,
        True,
    )


def test_a_job_asked_before_signing_in_follows_the_person_in(client, scenario, jobs, advocate, ask):
    waiting = ask(client, run=False)  # anonymous, still queued
    elsewhere = Client()
    theirs = ask(elsewhere, run=False)  # another browser's

    client.force_login(advocate)  # a new session key, the same session data

    waiting.refresh_from_db()
    theirs.refresh_from_db()
    assert (waiting.user_id, waiting.session_hash) == (advocate.pk, "")
    assert theirs.user_id is None and theirs.session_hash
    assert client.get(f"/dashboard/exports/{waiting.pk}/").status_code == 200
    assert client.get(f"/dashboard/exports/{theirs.pk}/").status_code == 404
    assert f"/dashboard/exports/{waiting.pk}/" in client.get("/dashboard/exports/").content.decode()
    # Done after the sign-in, the job tells the person in their inbox.
    tasks.run_export(str(waiting.pk))
    inbox = client.get("/inbox/").content.decode()
    assert "Your export is ready" in inbox and f"/dashboard/exports/{waiting.pk}/" in inbox
    # The other browser still has its own.
    assert elsewhere.get(f"/dashboard/exports/{theirs.pk}/").status_code == 200
