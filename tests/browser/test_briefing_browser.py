"""The dashboard's headline cards, the briefing (and its PDF, rendered to pictures) and an embed
in a real browser on the demonstration data, photographed at phone and desktop widths in
English and Burmese: look at the pictures after a change to these pages."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.test_dashboard_browser import QUESTION, demo_data  # noqa: F401 - a fixture

WIDTHS = {"phone": {"width": 412, "height": 915}, "desktop": {"width": 1366, "height": 900}}


@pytest.mark.parametrize("language", ["en", "my"])
def test_headlines_briefing_pdf_and_embed(page, screenshot, demo_data, live_server, language):  # noqa: F811
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(f"/dashboard/?{QUESTION}")
        cards = page.locator("ul.headline > li")
        expect(cards).to_have_count(3)  # newly and currently displaced, killed
        expect(page.locator(".headline-empty")).to_be_visible()
        page.locator("#headline").screenshot(
            path=SCREENSHOT_DIR / f"briefing-headlines-{language}-{width}.png"
        )
        page.goto(f"/dashboard/briefing/?{QUESTION}")
        expect(page.locator("ul.key-messages > li")).to_have_count(4)
        screenshot(page, f"briefing-page-{language}-{width}")
        page.goto(f"/dashboard/embed/headline/?{QUESTION}&metric=newly_displaced")
        expect(page.locator(".embed-number")).to_be_visible()
        screenshot(page, f"briefing-embed-headline-{language}-{width}")
    page.goto(f"/dashboard/embed/map/?{QUESTION}&metric=newly_displaced")
    screenshot(page, f"briefing-embed-map-{language}")

    import pypdfium2

    # The browser's own print of the briefing: one or two A4 pages.
    page.goto(f"/dashboard/briefing/?{QUESTION}")
    printed = pypdfium2.PdfDocument(page.pdf(format="A4", prefer_css_page_size=True))
    assert 1 <= len(printed) <= 2
    printed.close()

    # The PDF as printed: each page as a picture.
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("WeasyPrint's libraries are missing: no PDF to photograph")

    response = page.request.get(f"/dashboard/briefing.pdf?{QUESTION}")
    assert response.status == 200
    document = pypdfium2.PdfDocument(response.body())
    # One or two A4 pages, in Burmese too (it runs about a third longer: smaller type).
    assert 1 <= len(document) <= 2
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for number in range(len(document)):
        image = document[number].render(scale=1.5).to_pil()
        image.save(SCREENSHOT_DIR / f"briefing-pdf-{language}-page{number + 1}.png")
    document.close()
