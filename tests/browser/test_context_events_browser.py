"""Operations on the timeline in a real browser, on the demonstration data: the dashboard's
charts of November 2023 in Kayah carry Operation 1107's marker and Operation 1111's band with
their key, and a moderator keeps them on their own pages; photographed at phone and desktop
widths, in English and Burmese."""

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from reports import demo

QUESTION = "area=MMR002&start=2023-11-01&end=2023-11-30"
WIDTHS = {"phone": {"width": 412, "height": 900}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def demo_operations(transactional_db, settings):
    settings.DEBUG = True
    import_files(demo.SAMPLE_GAZETTEER)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)
    assert demo.load_demo_context_events(out=lambda line: None)
    assert not demo.load_demo_context_events(out=lambda line: None)  # once only


def test_operations_on_the_charts_and_their_moderation_pages(
    page, context, screenshot, login, live_server, demo_operations
):
    login(page, "moderator", demo.DEMO_PASSWORD)
    for language in ("en", "my"):
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for name, size in WIDTHS.items():
            page.set_viewport_size(size)
            page.goto(f"/dashboard/?{QUESTION}")
            charts = page.locator(".charts")
            expect(charts.locator("svg line.trigger-mark").first).to_be_attached()
            expect(charts.locator("svg rect.trigger-band").first).to_be_visible()
            key = charts.locator("ol.chart-triggers").first
            expect(key.locator("li")).to_have_count(2)
            expect(key.locator("li").nth(0)).to_contain_text("Operation 1107")
            expect(key.locator("li").nth(1)).to_contain_text("Operation 1111")
            charts.first.scroll_into_view_if_needed()
            screenshot(page, f"triggers-dashboard-{language}-{name}")
            page.goto("/moderation/context-events/")
            expect(page.locator("ol.context-events > li")).to_have_count(3)
            screenshot(page, f"triggers-moderation-list-{language}-{name}")
            page.locator("ol.context-events h2 a").first.click()
            page.locator("#id_end_date").fill("2023-11-01")
            page.locator("form.context-event-form button[type=submit]").click()
            expect(page.locator(".has-error .errorlist")).to_contain_text(
                {
                    "en": "The end (2023-11-01) is before the start (2023-11-11).",
                    "my": "ပြီးဆုံးရက် (2023-11-01) သည် စတင်ရက် (2023-11-11) မတိုင်မီ ဖြစ်နေပါသည်။",
                }[language]
            )
            screenshot(page, f"triggers-moderation-form-{language}-{name}")
    # Following the key's link opens the public page of the operation.
    page.goto(f"/dashboard/?{QUESTION}")
    page.locator("ol.chart-triggers a", has_text="Operation 1107").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operation 1107")
