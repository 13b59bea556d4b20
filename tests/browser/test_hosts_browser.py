"""The host-communities page and a figure's destination in a real browser, on the demo data:
photographed at phone and desktop widths, in English and Burmese."""

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from reports import demo

HOSTS = "/dashboard/hosts/?area=MMR002&start=2023-01-01&end=2023-11-30&level=3&period=month"
WIDTHS = {"phone": 412, "desktop": 1366}


@pytest.fixture
def demo_data(transactional_db, settings):
    settings.DEBUG = True
    import_files(demo.SAMPLE_GAZETTEER)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)


@pytest.mark.parametrize("language", ["en", "my"])
def test_host_page_and_form(page, context, screenshot, login, demo_data, live_server, language):
    login(page, "partner", demo.DEMO_PASSWORD)  # the login helper reads the English labels
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(HOSTS)
        # The camp registers' 16,000 in Demoso Township (a stock, with its date); the Loikaw
        # event's "at least 40,000" gives no destination.
        rows = page.locator("#destinations tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("16,000")
        expect(rows.nth(1)).to_contain_text("40,000")
        screenshot(page, f"hosts-{language}-{name}")

    page.goto("/partner/reports/new/")
    page.locator("#id_figures-0-metric").select_option("newly_displaced")
    page.locator("#id_figures-0-value").fill("1200")
    page.locator("details.destination summary").first.click()
    page.locator("#id_figures-0-destination").fill("Demoso")
    page.locator("button[name=save]").click()
    # Demoso is a township, a town and a village tract: the form asks which.
    expect(page.locator("input[name=figures-0-destination_choice]").first).to_be_visible()
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("details.destination").first.scroll_into_view_if_needed()
        screenshot(page, f"hosts-form-{language}-{name}")
