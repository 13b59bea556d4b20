"""Browser tests: Playwright (pytest-playwright) driving Debian's chromium against a live
server, with a phone-sized window, a login helper that uses the real login page, and
full-page screenshots for people to look at.

Every test under tests/browser/ is marked `browser` (deselect with `-m "not browser"`).
Without chromium they are skipped, except in CI (CI=true), where that is a failure.
"""

import os
import re
from base64 import b32decode
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connections
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import app_code

CHROMIUM = Path(os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOT_DIR = Path(
    os.environ.get("TRACKER_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
)
# A common cheap Android phone's screen, in CSS pixels: what field partners see.
PHONE_VIEWPORT = {"width": 412, "height": 915}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def orm_beside_playwrights_event_loop(playwright):
    # Playwright's sync API keeps an asyncio event loop running in the test's thread (on a
    # greenlet) from the first browser test to the end of the session. Django's async-safety
    # check then takes every ORM call in the tests (fixtures creating users, the flush after
    # each test) for a call from async code and refuses it. The calls are in fact synchronous
    # and the live server answers from its own threads, so the check is switched off from the
    # first browser test on (pytest may run other tests after them, beside the same loop).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
        # Beside a running loop Django keeps a second set of connections in the same thread
        # (asgiref's Local becomes context-local); close them while the loop still runs, or
        # PostgreSQL refuses to drop the test database at the end ("being accessed by other
        # users").
        connections.close_all()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        message = (
            f"Browser tests need chromium at {CHROMIUM} (Debian: apt-get install chromium; "
            "elsewhere set TRACKER_CHROMIUM to a Chromium or Chrome binary)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": browser_type_launch_args.get("headless", True),
        "args": [
            "--no-sandbox",  # CI and containers run as root, where the sandbox cannot start
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    # Pages are opened by path (page.goto("/accounts/login/")) on the test's live server.
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": PHONE_VIEWPORT,
        "locale": "en-GB",
        "timezone_id": "Asia/Yangon",
    }


@pytest.fixture
def csp_violations():
    """What the browser console said about the Content-Security-Policy in this test's context
    (Chromium writes "Refused to ... because it violates the following Content Security Policy
    directive ..."). Every test fails if it is not empty at the end."""
    return []


@pytest.fixture
def context(context, csp_violations):
    # The live server answers in milliseconds; a missing element should fail in seconds,
    # not after Playwright's default half minute.
    context.set_default_timeout(10_000)
    context.on(
        "console",
        lambda message: (
            csp_violations.append(f"{message.location.get('url')}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield context
    if csp_violations:
        pytest.fail("The page broke its Content-Security-Policy:\n" + "\n".join(csp_violations))


@pytest.fixture
def screenshot():
    """screenshot(page, name) saves a full-page PNG as <dir>/<name>.png and returns its path;
    the directory is test-artifacts/screenshots/ or $TRACKER_SCREENSHOT_DIR."""

    def take(page, name: str) -> Path:
        if not re.fullmatch(r"[\w.-]+", name):
            raise ValueError(f"Screenshot names are plain file names, not {name!r}.")
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def login():
    """login(page, username, password) logs in through the real login page, as a person
    would, and fails the test if the page refuses."""

    def log_in(page, username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Log in").click()
        if urlparse(page.url).path == "/accounts/login/":
            errors = page.locator(".errorlist").all_inner_texts()
            pytest.fail(f"Logging in as {username!r} was refused: {errors}", pytrace=False)
        landed = navigation.value
        if not landed.ok:
            pytest.fail(
                f"{username!r} logged in and got HTTP {landed.status} at {page.url}", pytrace=False
            )
        path = urlparse(page.url).path
        if path == "/accounts/second-factor/set-up/":
            set_up_second_factor(page)
        elif path == "/accounts/second-factor/verify/":
            give_second_factor(page, username)

    return log_in


def set_up_second_factor(page) -> None:
    """A moderator's first sign-in: type the key the page shows into an 'authenticator app'
    (computed here, as the app would), enter its code, and go on past the recovery codes."""
    typed = page.locator("code.secret").inner_text()
    key = b32decode(typed.replace(" ", "") + "=" * (-len(typed.replace(" ", "")) % 8))
    page.get_by_label("Code").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Turn on the second factor").click()
    page.get_by_role("link", name="I have kept them: continue").click()


def give_second_factor(page, username: str) -> None:
    """The code after the password, from the person's authenticator app (its key is in the
    test database)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    page.get_by_label("Code").fill(app_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    if urlparse(page.url).path == "/accounts/second-factor/verify/":
        errors = page.locator(".errorlist").all_inner_texts()
        pytest.fail(f"{username!r}'s second factor was refused: {errors}", pytrace=False)
