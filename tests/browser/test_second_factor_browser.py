"""The second factor in a real browser, on a phone-sized screen without JavaScript: a
moderator's first sign-in sets it up from the QR code page, the next sign-in asks for the
code, and the pages fit the screen under the Content-Security-Policy."""

import re
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import app_code

PASSWORD = "x-secret-pass-1"  # the one tests/conftest.py gives every user


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_moderator_sets_up_the_second_factor_then_gives_its_code(
    browser, live_server, screenshot, moderator, csp_violations
):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 412, "height": 915},
        java_script_enabled=False,
    )
    context.on(
        "console",
        lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/second-factor/set-up/\?next=%2Fmoderation%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(page.locator(".qr-code svg")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "second-factor-set-up")
    typed = page.locator("code.secret").inner_text().replace(" ", "")
    key = b32decode(typed + "=" * (-len(typed) % 8))
    page.get_by_label("Code").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Turn on the second factor").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert fits_the_screen(page)
    screenshot(page, "second-factor-recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/?next=/moderation/")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert fits_the_screen(page)
    screenshot(page, "second-factor-verify")
    page.get_by_label("Code").fill(app_code(TOTPDevice.objects.get(user=moderator)))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/moderation/$"))
    context.close()
    assert csp_violations == []
