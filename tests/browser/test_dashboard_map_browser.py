"""The dashboard's map in a real browser on the demonstration data with the shipped boundary
sample, at state, district and township level, photographed at phone and desktop widths in
English and Burmese (test-artifacts/screenshots/dashboard-map-*.png)."""

import re
from pathlib import Path

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from gazetteer.importer.boundaries import import_boundaries
from reports import demo

SAMPLE = Path(__file__).resolve().parents[2] / "gazetteer" / "data" / "boundaries"
DATES = "start=2023-11-01&end=2023-11-30"
LEVELS = {
    "state": f"/dashboard/?{DATES}",
    "district": f"/dashboard/?area=MMR002&{DATES}",
    "township": f"/dashboard/?area=MMR002D001&{DATES}",
}


@pytest.fixture
def demo_with_boundaries(transactional_db, settings):
    settings.DEBUG = True
    import_files(demo.SAMPLE_GAZETTEER)
    import_boundaries([SAMPLE / "sample_states.geojson", SAMPLE / "sample_districts.geojson"])
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)


@pytest.mark.parametrize("language", ["en", "my"])
def test_the_map_at_each_level(browser, live_server, screenshot, demo_with_boundaries, language):
    refused = []
    for width in (412, 1366):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        context.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page = context.new_page()
        for level, url in LEVELS.items():
            page.goto(url)
            shapes = page.locator("svg.map a path")
            markers = page.locator("svg.map circle.marker")
            if level == "state":  # Kayah and Shan (South), each a link to its districts
                expect(shapes).to_have_count(2)
                expect(page.locator('svg.map a[href*="area=MMR002"] path')).to_have_count(1)
            elif level == "district":  # Loikaw and Bawlake districts
                expect(shapes).to_have_count(2)
            else:  # no township outlines: circles inside Loikaw District's outline
                expect(shapes).to_have_count(0)
                expect(page.locator("svg.map path.area-outline")).to_have_count(1)
                assert markers.count() >= 1
            expect(page.locator(".map-figure .attribution")).to_be_visible()
            page.locator("#map").scroll_into_view_if_needed()
            screenshot(page, f"dashboard-map-{level}-{width}-{language}")
        if language == "en":
            page.goto(LEVELS["township"])
            page.locator("svg.map circle.marker").first.click()
            expect(page).to_have_url(re.compile(r"/dashboard/\?.*area=MMR00200\d"))
        context.close()
    assert refused == []
