"""The Content-Security-Policy in a real browser: the dashboard's charts, the moderation review
page, the admin and the Swagger UI work under it with nothing refused, while a script slipped
into a page is refused (so the console check in conftest.py does listen)."""

import re

import pytest
from playwright.sync_api import expect

from reports import services

PASSWORD = "x-secret-pass-1"  # tests/conftest.py gives every test user this password
QUESTION = "area=MMR002&start=2023-11-01&end=2023-11-30"

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_injected_inline_script_is_refused(page, csp_violations, scenario):
    page.goto(f"/dashboard/?{QUESTION}")
    with pytest.raises(Exception, match="Content Security Policy|Refused"):
        page.add_script_tag(content="window.injected = true;")
    assert page.evaluate("window.injected === undefined")
    assert len(csp_violations) == 1
    assert (
        "inline script violates the following Content Security Policy directive"
        in (csp_violations[0])
    )
    csp_violations.clear()  # expected here; any other test fails on one


def test_the_dashboard_draws_its_charts_under_the_policy(page, csp_violations, scenario):
    page.goto(f"/dashboard/?{QUESTION}")
    expect(page.locator("svg.chart")).to_have_count(4)
    expect(page.locator("svg.map")).to_be_visible()
    assert page.locator("svg.chart rect").count() > 0
    page.goto(f"/dashboard/evidence/?{QUESTION}&metric=newly_displaced")
    expect(page.locator("article.event").first).to_be_visible()
    page.goto(f"/dashboard/briefing/?{QUESTION}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert csp_violations == []


def test_the_moderation_review_page_and_the_admin_work_under_the_policy(
    page, login, csp_violations, field_partner, moderator, file_report
):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    login(page, "moderator", PASSWORD)
    page.goto(f"/moderation/reports/{report.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Residents flee Loikaw")
    page.goto(f"/admin/reports/report/{report.pk}/change/")
    expect(page.locator("#report_form")).to_be_visible()
    # The admin's own scripts run: the inline figures get their "add another" row.
    expect(page.locator(".add-row a").first).to_be_visible()
    page.goto("/admin/reports/report/")
    expect(page.locator("#result_list")).to_be_visible()
    assert csp_violations == []


def test_the_account_pages_keep_their_style(page, csp_violations):
    page.goto("/accounts/login/")
    label = page.get_by_text("Username", exact=True)
    assert label.evaluate("el => getComputedStyle(el).display") == "block"
    assert csp_violations == []


def test_the_swagger_ui_runs_and_calls_the_api_under_the_policy(page, csp_violations, scenario):
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Karenni tracker partner API")
    page.get_by_role("button", name=re.compile(r"^GET \/api\/v1\/places\/ ")).click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(
        page.locator(".live-responses-table tr.response .response-col_status").first
    ).to_have_text("200")
    assert csp_violations == []
