"""The moderation queue's search and the header's menu in a real browser, on the demonstration
data: a moderator searches in Burmese and by a source's name, the header stays one line on a
phone and opens its menu without script, and a missing page is the site's own; photographed
at phone and desktop widths."""

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from reports import demo

WIDTHS = {"phone": {"width": 412, "height": 915}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def demo_data(transactional_db, settings):
    settings.DEBUG = True
    import_files(demo.SAMPLE_GAZETTEER)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)


def test_queue_search_menu_and_not_found_page(
    page, context, screenshot, login, live_server, demo_data, settings
):
    login(page, "moderator", demo.DEMO_PASSWORD)
    for name, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto("/moderation/?status=&q=Loikaw")
        rows = page.locator("li.queue-row")
        expect(rows.first).to_be_visible()
        # The header takes two lines at most on a phone (the name; the menu and language),
        # one on a desktop; its links never wrap.
        header = page.locator("header.site").bounding_box()
        assert header["height"] < (100 if name == "phone" else 70), header
        nav = page.locator("header.site nav").bounding_box()
        assert nav["height"] < 45, nav
        menu = page.locator("details.site-menu")
        links = page.locator(".site-links")
        if name == "phone":
            expect(links).to_be_hidden()
            screenshot(page, f"queue-search-{name}")
            menu.locator("summary").click()
            expect(links.get_by_role("link", name="Context events")).to_be_visible()
            screenshot(page, f"queue-menu-open-{name}")
            links.get_by_role("link", name="Moderation queue").click()
            expect(page).to_have_url(f"{live_server.url}/moderation/")
        else:
            expect(links.get_by_role("link", name="Context events")).to_be_visible()
            expect(menu.locator("summary")).to_be_hidden()
            screenshot(page, f"queue-search-{name}")
        settings.DEBUG = False  # the demo needed it on; production's pages have it off
        page.goto("/no-such-page/")
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.get_by_role("link", name="Your start page")).to_be_visible()
        screenshot(page, f"not-found-{name}")
        settings.DEBUG = True


def test_header_and_not_found_page_in_burmese_on_a_phone(
    page, context, screenshot, login, live_server, demo_data, settings
):
    login(page, "moderator", demo.DEMO_PASSWORD)
    context.add_cookies([{"name": "django_language", "value": "my", "url": live_server.url}])
    page.goto("/moderation/?status=&q=လွိုင်ကော်")
    expect(page.locator("li.queue-row").first).to_be_visible()
    nav = page.locator("header.site nav").bounding_box()
    assert nav["height"] < 50, nav
    screenshot(page, "queue-search-my-phone")
    settings.DEBUG = False
    page.goto("/no-such-page/")
    expect(page.locator("html")).to_have_attribute("lang", "my")
    screenshot(page, "not-found-my-phone")
    settings.DEBUG = True
