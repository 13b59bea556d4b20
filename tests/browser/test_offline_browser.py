"""Offline-first filing in a real browser (docs/offline.md): a partner opens the form while
connected (the service worker keeps the form, the outbox page and the place list), loses the
connection, fills and sends the form, sees it waiting on the phone, gets the connection back and
the report arrives, once, however often the connection comes and goes."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import Report, SubmissionKey
from reports.workflow import Status

PASSWORD = "x-secret-pass-1"
TITLE = "Shelling in Loikaw while the network was down"
KEPT = """async () => {
  const worker = await navigator.serviceWorker.ready;
  const names = await caches.keys();
  if (!navigator.serviceWorker.controller || !names.length) return false;
  const cache = await caches.open(names[0]);
  const kept = await Promise.all(['/partner/offline/form/', '/partner/outbox/',
    '/partner/offline/places/'].map(url => cache.match(url)));
  return worker.active && kept.every(Boolean);
}"""


def set_network(context, online: bool):
    """The phone's connection on or off (for the pages and the service worker alike)."""
    context.set_offline(not online)


def fill(page):
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Start date").fill("2023-11-11")
    page.locator("#id_figures-0-metric").select_option("killed")
    page.locator("#id_figures-0-qualifier").select_option("at_least")
    page.locator("#id_figures-0-value").fill("3")
    page.locator("#id_sources-0-source_type").select_option("field_observation")
    page.locator("#id_sources-0-name").fill("Our monitor in Loikaw")
    page.locator("#id_sources-0-is_confidential").check()
    page.get_by_label("Public summary").fill("Three civilians were killed.")


@pytest.mark.django_db(transaction=True)
def test_a_report_sent_offline_waits_on_the_phone_and_arrives_once(
    page, context, login, screenshot, field_partner, places, organizations
):
    login(page, "partner", PASSWORD)
    page.goto("/partner/reports/new/")
    page.wait_for_function(KEPT)

    # No connection: the form opens from what the worker kept, with a key of its own.
    set_network(context, online=False)
    page.goto("/partner/reports/new/")
    expect(page.locator("#offline[data-shell]")).to_have_count(1)
    key = page.locator('[name="submission_key"]').input_value()
    assert re.fullmatch(r"[0-9a-f]{32}", key)

    # The place box answers from the kept place list, in either script.
    page.get_by_label("Place", exact=True).fill("လွိုင်ကော်")
    expect(page.locator("#place-options option")).to_have_count(1)
    page.get_by_label("Place", exact=True).fill("Loikaw To")
    expect(page.locator("#place-options option")).to_have_count(1)
    option = page.locator("#place-options option").first.get_attribute("value")
    assert option == "Loikaw Town, Loikaw Township, Loikaw District, Kayah State (MMR002001701)"
    page.get_by_label("Place", exact=True).fill(option)

    # "Add another figure" works without the server.
    page.get_by_role("button", name="Add another figure").click()
    expect(page.locator("fieldset.figure")).to_have_count(3)
    fill(page)
    page.locator("#id_figures-2-metric").select_option("injured")
    page.locator("#id_figures-2-qualifier").select_option("exact")
    page.locator("#id_figures-2-value").fill("5")
    page.get_by_role("button", name="Save and submit for review").click()

    expect(page).to_have_url(re.compile(r"/partner/outbox/\?kept="))
    expect(page.locator("#offline")).to_contain_text("kept on this phone")
    row = page.locator("#outbox-list li")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("Waiting to send")
    screenshot(page, "offline-01-waiting")
    assert Report.objects.count() == 0

    # The connection returns: the report is sent, once, and listed as sent with its link.
    set_network(context, online=True)
    expect(row).to_contain_text("Sent")
    report = Report.objects.get()
    expect(row.get_by_role("link", name=f"Report #{report.pk}")).to_have_attribute(
        "href", f"/partner/reports/{report.pk}/"
    )
    expect(page.locator("#outbox-empty")).to_be_hidden()
    expect(page.locator("#offline")).to_be_hidden()
    # Once the server confirmed it, the phone keeps only the number: no title, no fields.
    expect(row).not_to_contain_text(TITLE)
    kept = page.evaluate("async () => (await TrackerOutbox.list('partner')).mine")
    assert [(k["state"], k["report"], k["title"]) for k in kept] == [("sent", report.pk, "")]
    screenshot(page, "offline-02-sent")
    assert report.title == TITLE
    assert report.status == Status.SUBMITTED
    assert report.place.pcode == "MMR002001701"
    assert sorted((f.metric, f.count_best) for f in report.figures.all()) == [
        ("injured", 5),
        ("killed", 3),
    ]
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == [key]

    # The connection comes and goes, the page is reloaded, the outbox asked to send again:
    # still one report.
    for _ in range(3):
        set_network(context, online=False)
        page.reload()
        set_network(context, online=True)
        page.reload()
        page.evaluate("() => TrackerOutbox.flush()")
        expect(page.locator("#outbox-list li")).to_contain_text("Sent")
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_kept_report_the_server_refuses_needs_attention_and_opens_in_the_form(
    page, context, login, field_partner, places, organizations
):
    login(page, "partner", PASSWORD)
    page.goto("/partner/reports/new/")
    page.wait_for_function(KEPT)
    set_network(context, online=False)
    page.get_by_label("Title", exact=True).fill("No date given")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#outbox-list li")).to_contain_text("Waiting to send")

    set_network(context, online=True)
    row = page.locator("#outbox-list li")
    expect(row).to_contain_text("Needs your attention")
    assert Report.objects.count() == 0
    row.get_by_role("button", name="Open it in the form").click()
    expect(page).to_have_url(re.compile(r"/partner/reports/new/$"))
    expect(page.locator(".errorbox").first).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("No date given")
    page.goto("/partner/outbox/")
    expect(page.locator("#outbox-empty")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_everything_kept_on_the_phone_can_be_deleted(page, context, login, field_partner, places):
    login(page, "partner", PASSWORD)
    page.goto("/partner/reports/new/")
    page.wait_for_function(KEPT)
    set_network(context, online=False)
    page.get_by_label("Title", exact=True).fill("Kept, then deleted")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#outbox-list li")).to_contain_text("Kept, then deleted")
    # What the evidence uploader remembers of unfinished uploads goes too (any key name it
    # uses under that prefix); other sites' keys in this origin's storage are not ours.
    page.evaluate(
        """() => { localStorage.setItem('evidence-upload:/partner/reports/1/a.jpg', '7');
                   localStorage.setItem('evidence-uploads-v2', '1');
                   localStorage.setItem('theme', 'dark'); }"""
    )
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete everything kept on this phone").click()
    expect(page.locator("#offline")).to_contain_text("Nothing of the tracker is kept")
    expect(page.locator("#outbox-list li")).to_have_count(0)
    kept = page.evaluate(
        """async () => [(await caches.keys()).length,
            (await navigator.serviceWorker.getRegistrations()).length,
            (await indexedDB.databases()).length,
            Object.keys(localStorage).sort()]"""
    )
    assert kept == [0, 0, 0, ["theme"]]
    set_network(context, online=True)
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_kept_report_waits_for_the_partner_to_log_in_again(
    page, context, login, field_partner, places, organizations
):
    login(page, "partner", PASSWORD)
    page.goto("/partner/reports/new/")
    page.wait_for_function(KEPT)
    set_network(context, online=False)
    fill(page)
    page.get_by_label("Place", exact=True).fill("Loikaw Town (MMR002001701)")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("#outbox-list li")).to_contain_text("Waiting to send")

    # The session ended meanwhile: nothing is sent, the outbox asks to log in.
    context.clear_cookies()
    set_network(context, online=True)
    row = page.locator("#outbox-list li")
    expect(row).to_contain_text("Log in to send.")
    expect(row.get_by_role("link", name="Log in")).to_have_attribute(
        "href", "/accounts/login/?next=/partner/outbox/"
    )
    assert Report.objects.count() == 0

    # Signed in again (a new CSRF token): the next page sends it.
    login(page, "partner", PASSWORD)
    page.goto("/partner/outbox/")
    expect(page.locator("#outbox-list li")).to_contain_text("Sent")
    assert Report.objects.get().title == TITLE


@pytest.mark.django_db(transaction=True)
def test_on_a_shared_phone_another_account_neither_sees_nor_sends_a_kept_report(
    page, context, login, field_partner, other_partner, places, organizations
):
    login(page, "partner", PASSWORD)
    page.goto("/partner/reports/new/")
    page.wait_for_function(KEPT)
    set_network(context, online=False)
    fill(page)
    page.get_by_label("Place", exact=True).fill("Loikaw Town (MMR002001701)")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator("#outbox-list li")).to_contain_text("Waiting to send")

    # partner's session ends; partner2 signs in on the same phone.
    context.clear_cookies()
    set_network(context, online=True)
    expect(page.locator("#outbox-list li")).to_contain_text("Log in to send.")
    login(page, "partner2", PASSWORD)
    page.goto("/partner/outbox/")
    others = page.locator("#outbox-others")
    expect(others).to_have_text(
        "Reports kept by another account on this phone: 1. "
        "They are sent when that account signs in here."
    )
    expect(page.locator("#outbox-list li")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(TITLE)
    expect(page.locator("body")).not_to_contain_text("Our monitor in Loikaw")
    page.evaluate("() => TrackerOutbox.flush()")
    assert Report.objects.count() == 0
    # Nor can it be taken into partner2's form: take() refuses and the item stays.
    taken = page.evaluate(
        """async () => {
          const items = await TrackerOutbox.list('partner');
          return [await TrackerOutbox.take(items.mine[0].id, 'partner2'),
                  (await TrackerOutbox.list('partner')).mine.length];
        }"""
    )
    assert taken == [None, 1]

    # partner2 logs out (the header's button, as a person would: clearing the cookies while
    # the worker still refreshes the kept pages could leave the log-in page a stale CSRF
    # token); partner signs in again: it is sent, under partner's organisation.
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    login(page, "partner", PASSWORD)
    page.goto("/partner/outbox/")
    expect(page.locator("#outbox-list li")).to_contain_text("Sent")
    expect(page.locator("#outbox-others")).to_be_hidden()
    report = Report.objects.get()
    assert report.title == TITLE
    assert report.organization == organizations["monitors"]
