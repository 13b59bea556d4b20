"""The IHL view and the report form's alleged perpetrator in a real browser, on the demo data
with its parties: the tables' numbers, the way to the evidence with its attribution, and
screenshots at phone and desktop widths, in English and Burmese."""

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from reports import demo

WIDTHS = {"phone": 412, "desktop": 1366}


@pytest.fixture
def demo_with_parties(transactional_db, settings):
    settings.DEBUG = True
    import_files(demo.SAMPLE_GAZETTEER)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)
    assert demo.load_demo_perpetrators(out=lambda line: None)


def in_language(page, live_server, language: str, width: int) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": 900})


def test_the_ihl_view(page, screenshot, demo_with_parties, live_server):
    page.goto("/dashboard/harm/")
    by_party = page.locator("#harm-perpetrator")
    row = by_party.locator("tr", has_text="Religious buildings damaged")
    expect(row.locator("td")).to_have_text(["1", "1", "0", "0", "0"])
    expect(by_party.locator("thead th")).to_have_text(
        ["Harm", "All", "KNDF", "SAC", "Unknown", "Not stated"]
    )
    row.locator("td").nth(1).get_by_role("link").click()
    expect(page.locator(".alleged")).to_contain_text("claimed by KNDF itself")
    for language in ("en", "my"):
        for name, width in WIDTHS.items():
            in_language(page, live_server, language, width)
            page.goto("/dashboard/harm/")
            expect(page.locator("#harm-cause")).to_be_visible()
            screenshot(page, f"ihl-view-{language}-{name}")


def test_the_report_form(page, screenshot, login, demo_with_parties, live_server):
    login(page, "partner", demo.DEMO_PASSWORD)
    for language in ("en", "my"):
        for name, width in WIDTHS.items():
            in_language(page, live_server, language, width)
            page.goto("/partner/reports/new/")
            select = page.locator("#id_perpetrator")
            expect(select.locator("option")).to_have_count(7)  # not stated, unknown, 5 parties
            select.select_option("kndf")
            screenshot(page, f"perpetrator-form-{language}-{name}")
