"""The second factor (issue 12): moderators and administrators set up an authenticator app on
their first sign-in and give its code at each sign-in before any page that shows what is not
public; recovery codes work once; wrong codes are throttled and count towards the sign-in
pause; field partners may turn it on and are not forced to."""

import re
from base64 import b32decode
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.formats import time_format
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reports.models import AccessKind, AccessRecord
from reports.roles import Role
from tests.conftest import app_code, force_login_without_second_factor

PASSWORD = "x-secret-pass-1"  # the one tests/conftest.py gives every user
SETUP = "/accounts/second-factor/set-up/"
VERIFY = "/accounts/second-factor/verify/"
WRONG = "That code is not right."
WRONG_AT_SETUP = (
    "That code is not right. Check that the app&#x27;s clock is right and enter the code it "
    "shows now."
)
PAUSED = "There were too many wrong passwords for this username or from this connection"


def log_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def a_wrong_code(device):
    """Six digits the device does not accept now (none of the codes its tolerance allows)."""
    device.refresh_from_db()
    valid = set()
    for steps in (-1, 0, 1):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = timezone.now().timestamp() + steps * device.step
        valid.add(f"{totp.token():06d}")
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in valid)


@pytest.fixture
def administrator(db):
    user = get_user_model().objects.create_user(
        username="admin", password=PASSWORD, email="admin@example.org", is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    return user


@pytest.fixture
def app(moderator):
    """The moderator's authenticator app, set up earlier."""
    return TOTPDevice.objects.create(user=moderator, name="authenticator app", confirmed=True)


# --- enforcement ----------------------------------------------------------------------------


def test_a_moderator_without_a_second_factor_cannot_open_the_queue(client, moderator):
    log_in(client, "moderator")
    response = client.get("/moderation/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fmoderation%2F"
    assert b"queue" not in response.content


def test_first_login_leads_a_moderator_to_the_set_up(client, moderator):
    assert log_in(client, "moderator")["Location"] == "/accounts/start/"
    response = client.get("/accounts/start/", follow=True)
    assert response.redirect_chain == [
        ("/moderation/", 302),
        (f"{SETUP}?next=%2Fmoderation%2F", 302),
    ]
    assert "Set up your second factor" in response.content.decode()


@pytest.mark.parametrize("path", ["/moderation/", "/admin/", "/admin/reports/report/"])
def test_every_page_that_shows_what_is_not_public_waits_for_the_code(client, moderator, app, path):
    force_login_without_second_factor(client, moderator)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_the_public_pages_do_not_ask_for_the_code(client, moderator, app):
    force_login_without_second_factor(client, moderator)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/api/v1/reports/").status_code == 200


def test_the_admin_requires_the_second_factor_of_an_administrator(client, administrator):
    force_login_without_second_factor(client, administrator)
    response = client.get("/admin/")
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    device = TOTPDevice.objects.create(user=administrator, name="app", confirmed=True)
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    response = client.post(VERIFY, {"code": app_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_itself_refuses_an_unverified_session(rf, moderator):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = moderator
    moderator.otp_device = None
    assert admin.site.has_permission(request) is False
    moderator.otp_device = TOTPDevice(user=moderator, confirmed=True)
    assert admin.site.has_permission(request) is True


def test_force_login_in_the_other_tests_stands_for_a_finished_sign_in(client, moderator):
    client.force_login(moderator)
    assert client.get("/moderation/").status_code == 200


# --- setting it up --------------------------------------------------------------------------


def test_set_up_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(client, moderator):
    log_in(client, "moderator")
    response = client.get(f"{SETUP}?next=/moderation/")
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=moderator)
    assert device.confirmed is False
    assert '<div class="qr-code"><svg xmlns="http://www.w3.org/2000/svg"' in page
    typed = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert b32decode(typed.replace(" ", "")) == device.bin_key
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert 'name="csrfmiddlewaretoken"' in page
    # Reloading keeps the same secret (the app may have scanned it already).
    client.get(SETUP)
    assert list(TOTPDevice.objects.filter(user=moderator).values_list("key", flat=True)) == [
        device.key
    ]

    response = client.post(SETUP, {"code": app_code(device), "next": "/moderation/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=moderator).values_list("token", flat=True)
    )
    assert '<a href="/moderation/">I have kept them: continue</a>' in response.content.decode()
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/moderation/").status_code == 200


def test_a_wrong_code_at_set_up_is_refused_with_a_clear_message(client, moderator):
    log_in(client, "moderator")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=moderator)
    response = client.post(SETUP, {"code": a_wrong_code(device)})
    assert response.status_code == 400
    assert WRONG_AT_SETUP in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get("/moderation/")["Location"] == f"{SETUP}?next=%2Fmoderation%2F"


def test_someone_already_set_up_is_sent_to_the_code_not_to_a_new_secret(client, moderator, app):
    force_login_without_second_factor(client, moderator)
    assert client.get(SETUP)["Location"] == f"{VERIFY}?next=%2Faccounts%2Fstart%2F"
    assert list(TOTPDevice.objects.filter(user=moderator)) == [app]


# --- the code at sign-in --------------------------------------------------------------------


def test_the_code_after_the_password_opens_the_queue(client, moderator, app):
    log_in(client, "moderator")
    assert client.get("/moderation/")["Location"] == f"{VERIFY}?next=%2Fmoderation%2F"
    page = client.get(f"{VERIFY}?next=%2Fmoderation%2F")
    assert page["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    response = client.post(VERIFY, {"code": app_code(app), "next": "/moderation/"})
    assert response["Location"] == "/moderation/"
    assert client.get("/moderation/").status_code == 200


def test_a_wrong_code_is_refused(client, moderator, app):
    force_login_without_second_factor(client, moderator)
    response = client.post(VERIFY, {"code": a_wrong_code(app), "next": "/moderation/"})
    assert response.status_code == 400
    assert WRONG in response.content.decode()
    assert client.get("/moderation/").status_code == 302


def test_next_never_leaves_the_tracker(client, moderator, app):
    force_login_without_second_factor(client, moderator)
    response = client.post(VERIFY, {"code": app_code(app), "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/start/"


def test_a_recovery_code_works_once(client, moderator, app):
    client.force_login(moderator)
    codes = re.findall(
        r"<li><code>([a-z2-7]{8})</code></li>",
        client.post("/accounts/second-factor/recovery-codes/").content.decode(),
    )
    assert len(codes) == 10
    client.post("/accounts/logout/")

    force_login_without_second_factor(client, moderator)
    typed = codes[0].upper()[:4] + " " + codes[0].upper()[4:]  # as people copy it
    response = client.post(VERIFY, {"code": typed, "next": "/moderation/"}, follow=True)
    assert response.redirect_chain == [("/moderation/", 302)]
    assert "You used a recovery code; 9 are left." in response.content.decode()
    client.post("/accounts/logout/")

    force_login_without_second_factor(client, moderator)
    response = client.post(VERIFY, {"code": codes[0], "next": "/moderation/"})
    assert response.status_code == 400
    assert WRONG in response.content.decode()


def test_new_recovery_codes_replace_the_old_ones_and_need_the_code_first(client, moderator, app):
    client.force_login(moderator)
    first = re.findall(
        r"<code>([a-z2-7]{8})</code>",
        client.post("/accounts/second-factor/recovery-codes/").content.decode(),
    )
    second = re.findall(
        r"<code>([a-z2-7]{8})</code>",
        client.post("/accounts/second-factor/recovery-codes/").content.decode(),
    )
    assert len(second) == 10 and not set(first) & set(second)
    assert StaticToken.objects.filter(device__user=moderator).count() == 10

    other = type(client)()
    force_login_without_second_factor(other, moderator)
    response = other.post("/accounts/second-factor/recovery-codes/")
    assert response["Location"] == "/accounts/second-factor/"
    assert sorted(
        StaticToken.objects.filter(device__user=moderator).values_list("token", flat=True)
    ) == sorted(second)


# --- wrong codes: throttled, and counted towards the sign-in pause ---------------------------


def test_after_a_wrong_code_the_device_waits_before_checking_another(client, moderator, app):
    force_login_without_second_factor(client, moderator)
    client.post(VERIFY, {"code": a_wrong_code(app)})
    app.refresh_from_db()
    assert app.throttling_failure_count == 1
    until = app.throttling_failure_timestamp + timedelta(seconds=1)
    response = client.post(VERIFY, {"code": app_code(app)})
    assert response.status_code == 400
    message = (
        f"Too many wrong codes. Try again after {time_format(timezone.localtime(until), 'H:i:s')}."
    )
    assert message in response.content.decode()
    assert client.get("/moderation/").status_code == 302


def test_wrong_codes_pause_the_account_like_wrong_passwords(client, moderator, app, settings):
    # Without the device's own growing waits, to count the pause alone.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    log_in(client, "moderator")
    for _ in range(4):
        response = client.post(VERIFY, {"code": a_wrong_code(app)})
        assert response.status_code == 400
    response = client.post(VERIFY, {"code": a_wrong_code(app)})
    assert response.status_code == 429
    assert PAUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The right password is refused during the pause, and so would be the code.
    assert log_in(client, "moderator").status_code == 429
    # The code is never kept in axes' record of the failures.
    assert AccessFailureLog.objects.filter(username="moderator").count() == 5
    stored = AccessAttempt.objects.get(username="moderator").post_data
    assert "code=********************" in stored
    assert not re.search(r"\d{6}", stored)


def test_the_right_password_does_not_forget_wrong_codes_only_the_right_code_does(
    client, moderator, app, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    log_in(client, "moderator")
    for _ in range(3):
        client.post(VERIFY, {"code": a_wrong_code(app)})
    client.post("/accounts/logout/")
    log_in(client, "moderator")
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 3
    client.post(VERIFY, {"code": app_code(app)})
    assert AccessAttempt.objects.filter(username="moderator").count() == 0


# --- field partners may turn it on ----------------------------------------------------------


def test_a_field_partner_is_not_forced(client, field_partner):
    log_in(client, "partner")
    assert client.get("/partner/").status_code == 200
    page = client.get("/accounts/second-factor/").content.decode()
    assert "Your second factor is off. You may turn it on" in page


def test_a_field_partner_who_turns_it_on_then_owes_it(client, field_partner):
    log_in(client, "partner")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=field_partner)
    assert client.post(SETUP, {"code": app_code(device)}).status_code == 200
    assert client.get("/partner/").status_code == 200
    client.post("/accounts/logout/")

    log_in(client, "partner")
    assert client.get("/partner/")["Location"] == f"{VERIFY}?next=%2Fpartner%2F"
    client.post(VERIFY, {"code": app_code(device)})
    assert client.get("/partner/").status_code == 200


# --- the access record ----------------------------------------------------------------------


def test_the_access_record_still_records_each_look(client, moderator, app):
    log_in(client, "moderator")
    client.get("/moderation/")
    client.post(VERIFY, {"code": app_code(app), "next": "/moderation/"})
    client.get("/moderation/")
    assert list(
        AccessRecord.objects.order_by("id").values_list("kind", "view_name", "status_code")
    ) == [
        (AccessKind.MODERATION, "moderation:queue", 302),
        (AccessKind.MODERATION, "moderation:queue", 200),
    ]


def test_the_published_demo_key_and_codes_never_let_anyone_in_with_debug_off(
    client, moderator, settings
):
    from django_otp.plugins.otp_static.models import StaticDevice

    from reports.demo import DEMO_RECOVERY_CODES, DEMO_TOTP_KEY

    demo_app = TOTPDevice.objects.create(
        user=moderator, name="demo authenticator app", key=DEMO_TOTP_KEY, confirmed=True
    )
    recovery = StaticDevice.objects.create(user=moderator, name="recovery codes", confirmed=True)
    recovery.token_set.create(token=DEMO_RECOVERY_CODES["moderator"][0])
    settings.DEBUG = False
    for code in (app_code(demo_app), DEMO_RECOVERY_CODES["moderator"][0]):
        force_login_without_second_factor(client, moderator)
        response = client.post(VERIFY, {"code": code, "next": "/moderation/"})
        assert response.status_code == 400
        assert client.get("/moderation/").status_code == 302
    settings.DEBUG = True  # the demo itself
    force_login_without_second_factor(client, moderator)
    response = client.post(VERIFY, {"code": app_code(demo_app), "next": "/moderation/"})
    assert response["Location"] == "/moderation/"
