"""The in-app inbox in a real browser: a moderator sends a report back with a message; the
partner, who reads the tracker in Burmese, finds it in their inbox (the header's link shows
one unread), reads it, and marks it read; the e-mail went out in Burmese too."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from reports import services
from reports.models import Notification
from reports.services import notifications
from reports.workflow import Status

PASSWORD = "x-secret-pass-1"  # tests/conftest.py gives every test user this password
MESSAGE = "Which ward? Please add the date you saw it."


@pytest.mark.django_db(transaction=True)
def test_the_partner_reads_the_moderators_message_in_burmese(
    page, live_server, login, screenshot, field_partner, moderator, file_report, mailoutbox
):
    notifications.remember_language(field_partner, "my")
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)

    login(page, "moderator", PASSWORD)
    page.goto(f"/moderation/reports/{report.pk}/")
    page.locator("details:has(form#request_changes)").evaluate("fold => { fold.open = true; }")
    form = page.locator("form#request_changes")
    form.locator("textarea").fill(MESSAGE)
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.CHANGES_REQUESTED
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()

    login(page, "partner", PASSWORD)
    page.get_by_role("button", name="မြန်မာ").click()
    page.wait_for_load_state()
    # On a phone the links are folded into the menu, whose button shows the count too.
    expect(page.locator("header summary .unread")).to_have_text("1")
    page.locator("header summary").click()
    inbox_link = page.locator("header a.inbox")
    expect(inbox_link.locator(".unread")).to_have_text("1")
    inbox_link.click()
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.locator("html")).to_have_attribute("lang", "my")
    notice = page.locator("ol.notices > li.unread")
    expect(notice.locator(".message")).to_contain_text(MESSAGE)
    expect(notice.locator(".message")).to_contain_text("စိစစ်သူထံမှ မှာကြားချက်:")
    expect(notice.locator(".status")).to_have_text("ပြင်ဆင်ရန် တောင်းဆိုထားသည်")
    screenshot(page, "inbox-01-partner-burmese-unread")

    notice.locator("button[name=notice]").click()
    page.wait_for_load_state()
    expect(page.locator("ol.notices > li.read .message")).to_contain_text(MESSAGE)
    expect(page.locator("header a.inbox .unread")).to_have_count(0)
    expect(page.locator("header summary .unread")).to_have_count(0)
    screenshot(page, "inbox-02-partner-read")
    page.locator("ol.notices > li.read h3 a").click()
    expect(page).to_have_url(re.compile(rf"/partner/reports/{report.pk}/$"))

    notice_row = Notification.objects.get(recipient=field_partner)
    assert notice_row.read_at is not None and notice_row.sent_at is not None
    (partner_mail,) = [m for m in mail.outbox if m.to == ["partner@example.org"]]
    assert partner_mail.subject == (f"[Tracker] အစီရင်ခံစာ #{report.pk}: ပြင်ဆင်ရန် တောင်းဆိုထားသည်")
    assert f"စိစစ်သူထံမှ မှာကြားချက်:\n{MESSAGE}" in partner_mail.body
