"""A large download through the progress page in a real browser, with JavaScript on (the page
polls the job's status) and off (the page refreshes itself): the row limit is lowered so the
demo's reports make a job, which the test runs as a worker would while the page waits."""

import csv
import io
from pathlib import Path

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from reports import demo
from reports.services import exports as export_services

QUESTION = "area=MMR002&start=2023-11-01&end=2023-11-30"
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def demo_with_jobs(transactional_db, settings, tmp_path, monkeypatch):
    settings.DEBUG = True
    import_files(demo.SAMPLE_GAZETTEER)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)
    settings.TRACKER_EXPORT_STREAM_MAX_ROWS = 1
    settings.TRACKER_EXPORT_ROOT = tmp_path
    queued: list[str] = []
    # The "worker": jobs wait until the test runs them.
    monkeypatch.setattr(export_services, "enqueue", lambda job_id: queued.append(str(job_id)))
    return queued


def _through_the_progress_page(page, queued, screenshot, name) -> bytes:
    page.goto(f"/dashboard/download/reports.csv?{QUESTION}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This download is made in the background"
    )
    page.get_by_role("button", name="Make the file").click()
    expect(page.locator("#export-status")).to_have_text("waiting to start")
    screenshot(page, f"{name}-waiting")
    assert len(queued) == 1
    job_id = queued.pop()
    assert page.url.endswith(f"/dashboard/exports/{job_id}/")
    assert export_services.run(job_id) == "done"
    link = page.locator("#export-file")
    expect(link).to_be_visible(timeout=15_000)  # after the next poll or refresh
    expect(page.locator("#export-status")).to_have_text("ready")
    screenshot(page, f"{name}-ready")
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert download.value.suggested_filename == ("tracker-kayah-2023-11-01-2023-11-30-reports.csv")
    return Path(path).read_bytes()


def test_a_large_download_with_javascript(page, demo_with_jobs, screenshot, live_server):
    data = _through_the_progress_page(page, demo_with_jobs, screenshot, "export-js-phone")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(rows) > 1 and {r["metric"] for r in rows} >= {"killed"}
    page.set_viewport_size(DESKTOP)
    page.goto("/dashboard/exports/")
    expect(page.get_by_role("link", name="approved reports behind the numbers")).to_be_visible()
    screenshot(page, "export-list-desktop")


def test_a_large_download_without_javascript(browser, demo_with_jobs, screenshot, live_server):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=DESKTOP
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        data = _through_the_progress_page(page, demo_with_jobs, screenshot, "export-nojs-desktop")
    finally:
        context.close()
    assert data.startswith(b"report_id,event_id,")
