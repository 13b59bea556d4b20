"""Smoke test in a real browser: the home and login pages open on a phone-sized screen, and
each role logs in through the login page and lands on its own start page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports import services

PASSWORD = "x-secret-pass-1"  # the one tests/conftest.py gives every user


def test_home_page_shows_approved_reports(page, screenshot, field_partner, moderator, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Displacement and civilian harm in Karenni (Kayah) State"
    )
    expect(page.get_by_role("heading", name="Residents flee Loikaw")).to_be_visible()
    expect(page.locator("ol.reports [lang=my]")).to_have_text("လွိုင်ကော်")
    screenshot(page, "home")


def test_login_page_works_without_javascript(browser, screenshot, live_server):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 412, "height": 915}
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("Username")).to_be_focused()
    screenshot(page, "login")
    context.close()


def test_wrong_password_keeps_the_username(page, screenshot, field_partner):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("partner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errorlist")).to_have_text(
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    )
    expect(page.get_by_label("Username")).to_have_value("partner")
    expect(page.get_by_label("Password")).to_have_value("")
    screenshot(page, "login-wrong-password")


@pytest.mark.parametrize(
    ("person", "start_page"),
    [
        ("moderator", "moderation:queue"),
        ("field_partner", "partner:reports"),
        ("advocate", "dashboard:index"),
    ],
)
def test_each_role_lands_on_its_start_page(page, login, screenshot, request, person, start_page):
    user = request.getfixturevalue(person)
    login(page, user.username, PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(reverse(start_page)) + "$"))
    screenshot(page, f"start-{person}")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have logged out")
