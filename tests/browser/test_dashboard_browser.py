"""The dashboard in a real browser on the demonstration data: a headline number is the
engine's, its drill-down lists the reports behind it, the CSV download has the same numbers,
and the pages are photographed at phone and desktop widths (and the briefing as printed)."""

import csv
import io

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from reports import aggregates, demo

QUESTION = "area=MMR002&start=2023-11-01&end=2023-11-30"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo_data(transactional_db, settings):
    """The demo as `make demo` loads it: the shipped gazetteer sample, then load_demo's loader
    with e-mail kept in memory."""
    settings.DEBUG = True
    import_files(demo.SAMPLE_GAZETTEER)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)
    return aggregates.answer(
        aggregates.parse_question({"area": "MMR002", "start": "2023-11-01", "end": "2023-11-30"})
    )


def test_dashboard_on_demo_data(page, screenshot, demo_data, browser, live_server):
    answer = demo_data
    killed, displaced = answer.totals["killed"], answer.totals["newly_displaced"]
    assert (killed.best, displaced.best) == (16, 40000)  # the demo's approved reports

    page.goto(f"/dashboard/?{QUESTION}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Displacement and civilian harm: Kayah, 1 Nov 2023 – 30 Nov 2023"
    )
    card = page.locator(".headline li", has_text="People newly displaced")
    number = card.locator("a.big")
    # The Loikaw event rests on an "at least" figure, and its sources range from 35,000 (rule 7).
    assert (displaced.high_open, displaced.low) == (True, 35000)
    expect(number).to_have_text(f"at least {displaced.best:,}")
    expect(number).to_have_attribute(
        "title",
        f"At least {displaced.best:,} (range from 35,000, no upper bound); {displaced.events} "
        f"event, {displaced.reports} reports, {displaced.sources} sources",
    )
    expect(card).to_contain_text("Flow: summed over the period")
    expect(page.locator(".headline li", has_text="People currently displaced")).to_contain_text(
        "Stock: latest figure at the period's end"
    )
    expect(page.locator("svg.chart")).to_have_count(3)
    screenshot(page, "dashboard-phone")

    number.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "People newly displaced: Kayah, 1 Nov 2023 – 30 Nov 2023"
    )
    event = page.locator("article.event")
    expect(event).to_have_count(1)
    expect(event.locator("h2")).to_have_text(
        "Displacement from Loikaw, Operation 1111 (November 2023)"
    )
    expect(event.locator("li.counted h3")).to_contain_text(
        "At least 40,000 displaced from Loikaw in the first ten days of Operation 1111"
    )
    expect(event.locator("ol.reports > li")).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("Irrawaddy figure; the town's population")
    screenshot(page, "dashboard-evidence-phone")

    page.go_back()
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV: totals by area", exact=True).click()
    download = info.value
    assert download.suggested_filename == "tracker-kayah-2023-11-01-2023-11-30-areas.csv"
    with open(download.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    total = rows[0]
    assert (total["row"], total["area_name"]) == ("total", "Kayah")
    assert int(total["killed"]) == killed.best
    assert int(total["newly_displaced"]) == displaced.best
    assert int(total["currently_displaced"]) == answer.totals["currently_displaced"].best

    desktop = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    wide = desktop.new_page()
    wide.goto(f"/dashboard/?{QUESTION}")
    expect(wide.locator("svg.map circle")).to_have_count(1)
    screenshot(wide, "dashboard-desktop")
    wide.goto(f"/dashboard/briefing/?{QUESTION}")
    expect(wide.locator("header.site")).to_have_count(0)
    wide.emulate_media(media="print")
    screenshot(wide, "dashboard-briefing-print")
    desktop.close()


def test_dashboard_works_without_javascript(browser, live_server, screenshot, demo_data):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 412, "height": 915}
    )
    page = context.new_page()
    page.goto("/dashboard/")
    page.locator("details.question > summary").click()
    page.get_by_label("or any P-code").fill("MMR002")
    page.get_by_label("From").fill("2023-11-01")
    page.get_by_label("To (inclusive)").fill("2023-11-30")
    page.get_by_role("checkbox", name="Civilians killed").check()
    page.get_by_role("button", name="Show").click()
    assert page.url.endswith(
        "/dashboard/?start=2023-11-01&end=2023-11-30&area=MMR002&metric=killed"
    )
    expect(page.locator(".headline a.big")).to_have_text("16")
    page.get_by_role("link", name="Civilians killed", exact=True).click()  # sort the table
    expect(page.locator("#area-table th[aria-sort=descending]")).to_have_text("Civilians killed")
    screenshot(page, "dashboard-no-javascript")
    context.close()
