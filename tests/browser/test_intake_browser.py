"""The moderator's intake screen in a real browser, without JavaScript as a phone may be: a seed
article pasted (its combatant figure listed and left out), then a field partner's account
turned into two draft reports, one figure corrected and a combatant figure dropped, found in
the queue's drafts tab with the article as their source. Screenshots of both steps at phone
and desktop widths."""

from pathlib import Path

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from gazetteer.importer import import_files
from reports import demo
from reports.models import Report

DATA = Path(__file__).resolve().parents[1] / "intake" / "data"
SEED = (DATA / "seed_irrawaddy_2024_01.txt").read_text()
ACCOUNT = (DATA / "screen_account.txt").read_text()
WIDTHS = {"phone": 412, "desktop": 1366}


@pytest.fixture
def demo_with_parties(transactional_db, settings, tmp_path):
    settings.DEBUG = True
    settings.STORAGES = settings.STORAGES | {
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence"), "base_url": None},
        }
    }
    import_files(demo.SAMPLE_GAZETTEER)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        assert demo.load_demo(out=lambda line: None)
    assert demo.load_demo_perpetrators(out=lambda line: None)


@pytest.fixture
def browser_context_args(browser_context_args):
    # The screen's core task works without JavaScript; the test proves it.
    return {**browser_context_args, "java_script_enabled": False}


FIGHTERS_LEFT_OUT = "Left out: it counts fighters, not civilians"


def paste(page, text: str, published: str, publisher: str) -> None:
    page.goto("/moderation/intake/")
    page.get_by_label("Paste the article or account").fill(text)
    page.get_by_label("Publication date").fill(published)
    page.get_by_label("Publisher").fill(publisher)
    page.get_by_role("button", name="Find the figures").click()
    expect(page.get_by_role("heading", name="Check the figures")).to_be_visible()


def rows(page):
    return page.locator("fieldset.candidate")


def test_a_seed_article_lists_its_combatant_figure_left_out(
    page, login, screenshot, demo_with_parties
):
    login(page, "moderator", demo.DEMO_PASSWORD)
    paste(page, SEED, "2024-01-25", "The Irrawaddy")

    soldiers = rows(page).filter(has_text="hundreds of junta soldiers")
    expect(soldiers).to_have_count(1)
    expect(soldiers.locator(".excluded-reason")).to_contain_text(FIGHTERS_LEFT_OUT)
    expect(soldiers.get_by_role("checkbox")).not_to_be_checked()
    # Whatever the extractor proposed, no ticked row counts soldiers or troops.
    for row in rows(page).all():
        if row.get_by_role("checkbox").is_checked():
            sentence = row.locator(".sentence mark").inner_text().lower()
            assert "soldier" not in sentence and "troop" not in sentence
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"intake-seed-result-{name}")


def test_an_account_becomes_two_draft_reports_in_the_queue(
    page, login, screenshot, demo_with_parties
):
    login(page, "moderator", demo.DEMO_PASSWORD)
    page.goto("/moderation/")
    page.get_by_role("link", name="Draft reports from an article").click()
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"intake-start-{name}")
    page.set_viewport_size({"width": 412, "height": 915})
    paste(page, ACCOUNT, "2023-11-10", "Karenni Human Rights Group")

    killed, fled, troops = rows(page).all()
    expect(page.locator("#fig-1 a")).to_have_text("at least 3")
    expect(troops.locator(".excluded-reason")).to_contain_text(FIGHTERS_LEFT_OUT)
    # Had the extractor proposed the troops, the moderator would drop them here.
    troops.get_by_role("checkbox").uncheck()
    # The moderator corrects one figure: the partner's later message counted four dead.
    killed.get_by_label("Number", exact=True).fill("4")
    killed.get_by_label("How sure").select_option("exact")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"intake-result-{name}")
    page.set_viewport_size({"width": 412, "height": 915})
    page.get_by_role("button", name="Create drafts").click()

    expect(page.get_by_role("heading", name="Drafts created")).to_be_visible()
    created = page.locator("ol.intake-done > li")
    expect(created).to_have_count(2)
    expect(created.nth(0)).to_contain_text("Civilians killed: 4")
    expect(created.nth(1)).to_contain_text("People newly displaced")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"intake-done-{name}")
    page.set_viewport_size({"width": 412, "height": 915})

    page.get_by_role("link", name="The drafts in the queue").click()
    drafts = page.locator("ol.queue > li")
    # A draft's title names its place and day, never its source (titles are public).
    expect(drafts.filter(has_text="Loikaw Town, 7 Nov 2023")).to_have_count(1)
    drafts.filter(has_text="Loikaw Town, 7 Nov 2023").get_by_role("link").first.click()
    # The review page names the article as the draft's source.
    expect(page.locator("main")).to_contain_text("Karenni Human Rights Group, 10 Nov 2023")
    made = list(Report.objects.filter(internal_notes__contains="Karenni Human Rights Group"))
    assert [(r.status, r.submitted_by.username) for r in made] == [("draft", "moderator")] * 2
    assert [r.evidence.count() for r in made] == [1, 1]


def test_a_burmese_account_in_the_burmese_pages(page, login, screenshot, demo_with_parties):
    login(page, "moderator", demo.DEMO_PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "my", "url": page.url}])
    page.goto("/moderation/intake/")
    page.locator("#id_text").fill((DATA / "screen_account_my.txt").read_text())
    page.locator("#id_published").fill("2023-11-20")
    page.locator("#id_publisher").fill("Kantarawaddy Times")
    page.locator("form.intake-start button[type=submit]").click()

    expect(page.locator(".article[lang=my] mark").first).to_be_visible()
    expect(page.locator("#id_row-0-metric")).to_have_value("killed")
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"intake-result-my-{name}")
