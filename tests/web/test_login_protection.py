"""Protection against password guessing: sign-in paused per account and per address after
repeated failures (django-axes), the pause's end told in plain words and shown to
administrators, and password reset answers that say nothing about who has an account."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import formats, timezone

from reports import services, tasks
from reports.roles import Role

PASSWORD = "x-secret-pass-1"  # the one tests/conftest.py gives every user
WRONG_LOGIN = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)
PAUSED = "There were too many wrong passwords for this username or from this connection"


def log_in(client, username, password=PASSWORD, address="203.0.113.7", **extra):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def fail(client, username, times, address="203.0.113.7", **extra):
    return [
        log_in(client, username, password=f"guess-{i}", address=address, **extra)
        for i in range(times)
    ]


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def paused_until(response):
    text = re.sub(r"\s+", " ", response.content.decode())
    return re.search(r"You can try again after (\d\d:\d\d) \(\+0630\) on ([^.<]+)\.", text).groups()


def in_yangon(moment):
    local = timezone.localtime(moment)
    return local.strftime("%H:%M"), f"{local.day} {local.strftime('%b %Y')}"


@pytest.fixture
def administrator(db):
    user = get_user_model().objects.create_user(
        username="admin", password=PASSWORD, email="admin@example.org", is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    return user


def test_five_wrong_passwords_pause_the_account_and_the_right_one_is_refused(client, field_partner):
    answers = fail(client, "partner", 5)
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert WRONG_LOGIN in answers[3].content.decode()

    refused = log_in(client, "partner")
    assert refused.status_code == 429
    assert signed_in_as(client) is None
    attempt = AccessAttempt.objects.get(username="partner")
    assert attempt.failures_since_start == 5  # the refused right password is not counted
    end = attempt.attempt_time + timedelta(minutes=30)
    assert paused_until(refused) == in_yangon(end)
    assert 1790 <= int(refused["Retry-After"]) <= 1800
    assert refused["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert "partner" not in refused.content.decode().replace("Forgotten", "")


def test_the_pause_holds_for_the_account_from_every_address(client, field_partner):
    for i in range(5):
        fail(client, "partner", 1, address=f"198.51.100.{i + 1}")
    assert log_in(Client(), "partner", address="192.0.2.200").status_code == 429
    assert log_in(Client(), "partner", address="192.0.2.201", password="guess").status_code == 429


def test_others_on_the_same_shared_phone_still_sign_in(client, field_partner, other_partner):
    fail(client, "partner", 5, address="203.0.113.9")
    other = Client()
    response = log_in(other, "partner2", address="203.0.113.9")
    assert response["Location"] == "/accounts/start/"
    assert signed_in_as(other) == str(other_partner.pk)


def test_twenty_failures_from_one_address_pause_it_for_every_account(
    client, field_partner, other_partner
):
    for name in ("guess-a", "guess-b", "guess-c", "guess-d", "guess-e"):
        fail(client, name, 4, address="203.0.113.50")
    assert log_in(Client(), "partner2", address="203.0.113.50", password="x").status_code == 429
    assert log_in(Client(), "partner", address="203.0.113.50").status_code == 429
    # The accounts themselves were never guessed at: from elsewhere they sign in.
    assert log_in(Client(), "partner", address="192.0.2.1")["Location"] == "/accounts/start/"


def test_nineteen_failures_from_one_address_do_not_pause_it(client, field_partner):
    for name in ("guess-a", "guess-b", "guess-c"):
        fail(client, name, 4, address="203.0.113.50")
    fail(client, "guess-e", 4, address="203.0.113.50")
    fail(client, "guess-f", 3, address="203.0.113.50")
    assert log_in(client, "partner", address="203.0.113.50")["Location"] == "/accounts/start/"


def test_a_made_up_forwarded_for_header_does_not_buy_a_fresh_address(client, field_partner):
    # TRACKER_PROXIES is 0 in tests: the connection's own address counts, as for the API.
    for i in range(20):
        log_in(client, f"guess-{i}", password="x", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert log_in(client, "partner", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_behind_one_proxy_the_address_it_forwards_counts(client, field_partner, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    fail(client, "guess", 1, HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.23")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.23"


def test_the_same_pause_page_for_an_account_that_does_not_exist(client, field_partner):
    fail(client, "partner", 5)
    fail(client, "nobody-by-this-name", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=5))

    def page(username):
        body = log_in(Client(), username, password="guess").content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert page("partner") == page("nobody-by-this-name")
    assert PAUSED in page("partner")


def test_the_pause_ends_after_the_cool_off(client, field_partner):
    fail(client, "partner", 5)
    failures = AccessAttempt.objects.filter(username="partner")

    failures.update(attempt_time=timezone.now() - timedelta(minutes=29, seconds=50))
    assert log_in(client, "partner").status_code == 429

    failures.update(attempt_time=timezone.now() - timedelta(minutes=30, seconds=1))
    assert log_in(client, "partner")["Location"] == "/accounts/start/"
    assert signed_in_as(client) == str(field_partner.pk)


def test_the_cool_off_is_a_setting(client, field_partner, settings):
    settings.TRACKER_LOGIN_COOLOFF_MINUTES = 5
    fail(client, "partner", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=5, seconds=1))
    assert log_in(client, "partner")["Location"] == "/accounts/start/"


def test_signing_in_forgets_the_accounts_failures_but_not_the_addresses(client, field_partner):
    fail(client, "guess-x", 4)
    fail(client, "partner", 4)
    assert log_in(client, "partner")["Location"] == "/accounts/start/"
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("guess-x", 4)
    ]
    answers = fail(Client(), "partner", 4)
    assert [a.status_code for a in answers] == [200, 200, 200, 200]


def test_a_new_password_through_the_reset_link_ends_the_accounts_pause(
    client, field_partner, mailoutbox
):
    fail(client, "partner", 5)
    tasks.send_password_reset(
        email="partner@example.org", domain="testserver", use_https=False, language="en"
    )
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mailoutbox[0].body)[1]
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Loikaw-2023-new", "new_password2": "Loikaw-2023-new"},
    )
    response = log_in(Client(), "partner", password="Loikaw-2023-new")
    assert response["Location"] == "/accounts/start/"


def test_administrators_see_the_attempts_and_when_each_pause_ends(
    client, field_partner, administrator
):
    fail(client, "partner", 5, address="198.51.100.4")
    attempt = AccessAttempt.objects.get()
    end = formats.localize(timezone.localtime(attempt.attempt_time + timedelta(minutes=30)))

    admin = Client()
    admin.force_login(administrator)
    page = admin.get("/admin/axes/accessattempt/").content.decode()
    row = re.search(r'<tr>(?:(?!</tr>).)*field-username">partner<.*?</tr>', page, re.S)[0]
    assert "198.51.100.4" in row
    assert 'field-failures_since_start">5<' in row
    assert f'field-account_paused_until nowrap">{end}<' in row
    assert 'field-address_paused_until">-<' in row

    paused = admin.get("/admin/axes/accessattempt/", {"paused": "yes"}).content.decode()
    assert "1 access attempt" in paused
    assert (
        "0 access attempts"
        in admin.get("/admin/axes/accessattempt/", {"paused": "no"}).content.decode()
    )

    failures = admin.get("/admin/axes/accessfailurelog/").content.decode()
    assert failures.count("198.51.100.4") == 5

    # Deleting the attempt ends the pause at once.
    admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert log_in(Client(), "partner", address="198.51.100.4")["Location"] == "/accounts/start/"


def test_moderators_do_not_see_the_attempts(client, field_partner, moderator):
    fail(client, "partner", 1)
    client.force_login(moderator)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert AccessFailureLog.objects.count() == 1


def test_an_api_key_works_from_a_paused_address(client, field_partner, organizations, places):
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    _, key = services.api_client_create(
        actor=root, name="Monitors' uploader", organization=organizations["monitors"]
    )
    for name in ("guess-a", "guess-b", "guess-c", "guess-d"):
        fail(client, name, 5)
    assert log_in(Client(), "partner").status_code == 429
    response = Client().get(
        "/api/v1/reports/", HTTP_AUTHORIZATION=f"Api-Key {key}", REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200


def test_password_reset_answers_alike_and_leaves_the_mail_to_the_worker(client, field_partner):
    answers = {}
    with mock.patch.object(tasks.send_password_reset, "delay") as delay:
        for email in ("partner@example.org", "stranger@example.org"):
            response = client.post("/accounts/password/reset/", {"email": email})
            answers[email] = (response.status_code, response["Location"], response.content)
    assert answers["partner@example.org"] == answers["stranger@example.org"]
    assert answers["stranger@example.org"] == (302, "/accounts/password/reset/sent/", b"")
    assert mail.outbox == []  # the request itself never talks to the mail server
    assert delay.call_args_list == [
        mock.call(email="partner@example.org", domain="testserver", use_https=False, language="en"),
        mock.call(
            email="stranger@example.org", domain="testserver", use_https=False, language="en"
        ),
    ]

    for call in delay.call_args_list:
        tasks.send_password_reset(**call.kwargs)
    assert [message.to for message in mail.outbox] == [["partner@example.org"]]


def test_the_reset_page_answers_alike_when_the_mail_server_fails(client, field_partner):
    # Without a broker the task runs in the request: a failing server must not show.
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages") as send:
        send.side_effect = ConnectionRefusedError("no mail server")
        known = client.post("/accounts/password/reset/", {"email": "partner@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "stranger@example.org"})
    assert send.call_count == 1
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_sign_in_records_are_pruned_with_the_access_record(
    client, field_partner, other_partner, settings
):
    """Axes' attempts, failed sign-ins and sign-ins name people and addresses: they go after
    TRACKER_ACCESS_RECORD_DAYS like the access record, by their last time; a pause that has
    not ended stays whatever its age."""
    settings.TRACKER_ACCESS_RECORD_DAYS = 365
    fail(client, "partner", 2, address="203.0.113.7")
    fail(Client(), "nobody-old", 1, address="203.0.113.8")
    fail(Client(), "nobody-new", 1, address="203.0.113.9")
    log_in(Client(), "partner2", address="203.0.113.10")
    assert fail(Client(), "still-paused", 6, address="203.0.113.11")[-1].status_code == 429
    now = timezone.now()
    old, recent = now - timedelta(days=366), now - timedelta(days=364)
    AccessAttempt.objects.filter(username__in=["partner", "nobody-old"]).update(attempt_time=old)
    AccessAttempt.objects.filter(username="nobody-new").update(attempt_time=recent)
    AccessFailureLog.objects.filter(username__in=["partner", "nobody-old"]).update(attempt_time=old)
    AccessLog.objects.update(attempt_time=old)
    # An old attempt whose pause has not ended (a long cool-off) is kept.
    still = AccessAttempt.objects.get(username="still-paused")
    AccessAttempt.objects.filter(pk=still.pk).update(attempt_time=old)
    expiration = getattr(still, "expiration", None)
    if expiration is None:
        from axes.models import AccessAttemptExpiration

        AccessAttemptExpiration.objects.create(
            access_attempt=still, expires_at=now + timedelta(minutes=5)
        )
    else:
        expiration.expires_at = now + timedelta(minutes=5)
        expiration.save()

    assert tasks.prune_access_records() == {
        "access_records": 0,
        "access_attempts": 2,
        "access_failure_logs": 3,
        "access_logs": 1,
    }
    assert sorted(AccessAttempt.objects.values_list("username", flat=True)) == [
        "nobody-new",
        "still-paused",
    ]
    assert sorted(set(AccessFailureLog.objects.values_list("username", flat=True))) == [
        "nobody-new",
        "still-paused",
    ]
    assert AccessLog.objects.count() == 0
    assert tasks.prune_access_records() == {
        "access_records": 0,
        "access_attempts": 0,
        "access_failure_logs": 0,
        "access_logs": 0,
    }
