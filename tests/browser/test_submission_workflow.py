"""The whole path in a real browser: a field partner files a report with two figures at a
place typed in Burmese, a moderator asks for changes, the partner resubmits, the moderator
approves, and the report is public. Each page visited is saved as a screenshot."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import Report
from reports.workflow import Status

PASSWORD = "x-secret-pass-1"  # tests/conftest.py gives every test user this password


def decide(page, name):
    """Open the decision's fold (whatever its default) and return its form."""
    form = page.locator(f"form#{name}")
    page.locator(f"details:has(form#{name})").evaluate("fold => { fold.open = true; }")
    return form


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_submit_request_changes_resubmit_approve(
    page, live_server, login, screenshot, field_partner, moderator, places, organizations
):
    # The partner lands on their organisation's reports and opens a new form.
    login(page, "partner", PASSWORD)
    expect(page).to_have_url(re.compile(r"/partner/$"))
    screenshot(page, "workflow-01-partner-start")
    page.get_by_role("link", name="File a new report").click()

    page.get_by_label("Title", exact=True).fill("Residents flee Loikaw as fighting reaches town")
    page.get_by_label("Start date").fill("2023-11-11")
    page.get_by_label("End date").fill("2023-11-13")
    page.get_by_label("Place", exact=True).fill("လွိုင်ကော်")  # Loikaw, typed in Burmese
    page.locator("#id_figures-0-metric").select_option("newly_displaced")
    page.locator("#id_figures-0-qualifier").select_option("approximately")
    page.locator("#id_figures-0-value").fill("35000")
    page.locator("#id_figures-1-metric").select_option("killed")
    page.locator("#id_figures-1-qualifier").select_option("at_least")
    page.locator("#id_figures-1-value").fill("3")
    page.locator("#id_sources-0-source_type").select_option("field_observation")
    page.locator("#id_sources-0-name").fill("Our monitor in Loikaw")
    page.locator("#id_sources-0-is_confidential").check()
    page.get_by_label("Public summary").fill("About 35,000 residents left the town.")
    screenshot(page, "workflow-02-partner-form-filled")
    page.get_by_role("button", name="Save and submit for review").click()

    expect(page.locator(".messages")).to_contain_text("was submitted. A moderator will review it.")
    expect(page.locator("dl.facts")).to_contain_text("လွိုင်ကော်")
    screenshot(page, "workflow-03-partner-submitted")
    report = Report.objects.get()
    assert report.status == Status.SUBMITTED
    assert report.place.pcode == "MMR002001701"
    assert sorted((f.metric, f.count_best) for f in report.figures.all()) == [
        ("killed", 3),
        ("newly_displaced", 35000),
    ]
    log_out(page)

    # The moderator finds it in the queue and asks for changes.
    login(page, "moderator", PASSWORD)
    expect(page).to_have_url(re.compile(r"/moderation/"))
    expect(page.get_by_role("link", name=re.compile("Residents flee Loikaw"))).to_be_visible()
    screenshot(page, "workflow-04-moderator-queue")
    page.get_by_role("link", name=re.compile("Residents flee Loikaw")).first.click()
    screenshot(page, "workflow-05-moderator-review")
    form = decide(page, "request_changes")
    form.locator("textarea").fill("Which ward? Please add the date you saw it.")
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_be_visible()
    screenshot(page, "workflow-06-moderator-requested-changes")
    report.refresh_from_db()
    assert report.status == Status.CHANGES_REQUESTED
    log_out(page)

    # The partner reads the message, makes the change and resubmits.
    login(page, "partner", PASSWORD)
    expect(page.locator(".message")).to_contain_text("Which ward?")
    screenshot(page, "workflow-07-partner-sees-request")
    page.get_by_role("link", name=re.compile("Residents flee Loikaw")).click()
    page.get_by_role("link", name="Make the changes").click()
    page.get_by_label("Title", exact=True).fill(
        "Residents flee Loikaw (ward 3) as fighting reaches town"
    )
    page.get_by_role("button", name="Save and resubmit").click()
    expect(page.locator(".messages")).to_contain_text("was submitted")
    screenshot(page, "workflow-08-partner-resubmitted")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    log_out(page)

    # The moderator approves it.
    login(page, "moderator", PASSWORD)
    page.goto(f"/moderation/reports/{report.pk}/")
    decide(page, "approve").get_by_role("button").click()
    expect(page.locator(".messages")).to_be_visible()
    screenshot(page, "workflow-09-moderator-approved")
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    assert list(report.history.values_list("action", flat=True)) == [
        "create",
        "submit",
        "request_changes",
        "edit",
        "submit",
        "approve",
    ]
    log_out(page)

    # Anyone sees it as approved, in its public shape.
    page.goto("/")
    expect(
        page.get_by_text("Residents flee Loikaw (ward 3) as fighting reaches town")
    ).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Our monitor in Loikaw")
    expect(page.locator("body")).to_contain_text("confidential field observation")
    screenshot(page, "workflow-10-public-home")
    login(page, "partner", PASSWORD)
    expect(page.locator("ol.reports")).to_contain_text("Approved")
    screenshot(page, "workflow-11-partner-sees-approved")
