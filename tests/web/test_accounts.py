"""Accounts for everyone: log in and out, land on the role's start page, reset and change a
password, and the login page's protections (CSRF, no user enumeration, no open redirect)."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import include, path, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from reports.roles import Role
from reports.views import public
from tests.conftest import app_code

PASSWORD = "x-secret-pass-1"  # the one tests/conftest.py gives every user
WRONG_LOGIN = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)

# A site where the role pages are not built yet: the start page must fall back, not fail.
urlpatterns = [
    path("", public.home, name="home"),
    path("accounts/", include("reports.urls.accounts")),
    path("admin/", admin.site.urls),
]


def log_in(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def user_with_role(username, role, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def api_partner(db):
    return user_with_role("apipartner", Role.API_PARTNER)


@pytest.fixture
def administrator(db):
    return user_with_role("admin", Role.ADMIN, is_staff=True)


@pytest.mark.parametrize(
    ("person", "start_page"),
    [
        ("moderator", "moderation:queue"),
        ("administrator", "moderation:queue"),
        ("field_partner", "partner:reports"),
        ("advocate", "dashboard:index"),
        ("api_partner", "dashboard:index"),
    ],
)
def test_each_role_logs_in_to_its_own_start_page_and_logs_out(client, request, person, start_page):
    user = request.getfixturevalue(person)

    response = log_in(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/start/"
    response = client.get("/accounts/start/")
    assert response.status_code == 302
    assert response["Location"] == reverse(start_page)

    assert client.get("/accounts/logout/").status_code == 405  # logging out takes a POST
    assert client.get("/accounts/start/")["Location"] == reverse(start_page)
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You have logged out" in response.content.decode()
    assert client.get("/accounts/start/")["Location"] == "/accounts/login/?next=/accounts/start/"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("person", "fallback"),
    [("moderator", "/admin/"), ("field_partner", "/"), ("advocate", "/")],
)
def test_start_page_falls_back_while_the_role_page_is_not_built(client, request, person, fallback):
    client.force_login(request.getfixturevalue(person))
    assert client.get("/accounts/start/")["Location"] == fallback


@pytest.mark.urls(__name__)
def test_a_moderator_the_admin_would_refuse_never_falls_back_into_it(client, moderator):
    moderator.is_staff = False
    moderator.save()
    client.force_login(moderator)
    assert client.get("/accounts/start/")["Location"] == "/"


def test_anonymous_start_page_asks_to_log_in(client, db):
    response = client.get("/accounts/start/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/start/"


@pytest.mark.parametrize("next_url", ["/?page=2", "/accounts/password/change/"])
def test_a_safe_next_wins_at_login_and_at_the_start_page(client, advocate, next_url):
    response = log_in(client, "advocate", next=next_url)
    assert response["Location"] == next_url
    assert client.get("/accounts/start/", {"next": next_url})["Location"] == next_url


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/"]
)
def test_an_off_site_next_is_ignored(client, advocate, next_url):
    response = log_in(client, "advocate", next=next_url)
    assert response["Location"] == "/accounts/start/"
    response = client.get("/accounts/start/", {"next": next_url})
    assert response["Location"] == reverse("dashboard:index")


def test_the_login_page_carries_next_and_is_light(client, db):
    response = client.get("/accounts/login/", {"next": "/admin/"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<input type="hidden" name="next" value="/admin/">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html
    assert 'autocomplete="current-password"' in html


def test_a_wrong_password_shows_the_error_and_keeps_the_username(client, field_partner):
    response = log_in(client, "partner", password="not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert WRONG_LOGIN in html
    assert 'name="username" value="partner"' in html
    assert "not-the-password" not in html
    assert "_auth_user_id" not in client.session


def test_a_wrong_username_gets_the_same_message_as_a_wrong_password(client, field_partner):
    def errors(response):
        return re.search(r'<ul class="errorlist nonfield">.*?</ul>', response.content.decode())[0]

    wrong_password = log_in(client, "partner", password="not-the-password")
    wrong_user = log_in(client, "nobody-by-this-name", password="not-the-password")
    assert errors(wrong_user) == errors(wrong_password)
    assert WRONG_LOGIN in errors(wrong_user)


def test_an_inactive_account_cannot_log_in_and_is_not_told_why(client, field_partner):
    field_partner.is_active = False
    field_partner.save()
    response = log_in(client, "partner")
    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_refuses_a_post_without_the_csrf_token(field_partner):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "partner", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_one_working_link(client, field_partner):
    response = client.post("/accounts/password/reset/", {"email": "partner@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["partner@example.org"]
    assert message.subject == "Choose a new password for the displacement tracker"
    assert "account partner on testserver" in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)[1]

    # Django swaps the token in the address for one in the session before showing the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": "Loikaw-2023-new", "new_password2": "Loikaw-2023-new"}
    )
    assert response["Location"] == "/accounts/password/reset/done/"

    assert log_in(Client(), "partner").status_code == 200  # the old password no longer works
    assert log_in(Client(), "partner", password="Loikaw-2023-new")["Location"] == (
        "/accounts/start/"
    )
    used_again = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in used_again


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, field_partner
):
    response = client.post("/accounts/password/reset/", {"email": "stranger@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client, field_partner):
    client.force_login(field_partner)
    refused = client.post(
        "/accounts/password/change/",
        {
            "old_password": "wrong",
            "new_password1": "Demoso-2024-new",
            "new_password2": "Demoso-2024-new",
        },
    )
    assert refused.status_code == 200
    assert "Your old password was entered incorrectly" in refused.content.decode()
    field_partner.refresh_from_db()
    assert field_partner.check_password(PASSWORD)

    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Demoso-2024-new",
            "new_password2": "Demoso-2024-new",
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    field_partner.refresh_from_db()
    assert field_partner.check_password("Demoso-2024-new")
    # Changing the password keeps this session but ends the others.
    assert client.get("/accounts/start/")["Location"] == reverse("partner:reports")


def test_password_change_is_for_logged_in_people(client, db):
    response = client.get("/accounts/password/change/")
    assert response["Location"] == "/accounts/login/?next=/accounts/password/change/"


def test_the_admin_sends_everyone_to_the_one_login_page(client, db):
    response = client.get("/admin/login/", {"next": "/admin/reports/report/"})
    assert response["Location"] == "/accounts/login/?next=/admin/reports/report/"
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/")["Location"] == "/accounts/login/?next=/admin/"


def test_the_admin_sends_a_logged_in_non_moderator_to_their_start_page(client, field_partner):
    client.force_login(field_partner)
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert response["Location"] == "/accounts/start/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The moderation admin is for moderators only."
    ]


def test_a_moderator_logging_in_for_the_admin_reaches_it(client, moderator):
    # After the password, the second factor (tests/web/test_second_factor.py), then the admin.
    device = TOTPDevice.objects.create(user=moderator, name="app", confirmed=True)
    response = log_in(client, "moderator", next="/admin/")
    assert response["Location"] == "/admin/"
    verify = "/accounts/second-factor/verify/?next=%2Fadmin%2F"
    assert client.get("/admin/")["Location"] == verify
    assert client.post(verify, {"code": app_code(device)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_the_login_page_is_all_in_burmese_once_chosen(client, db):
    client.post("/i18n/setlang/", {"language": "my", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">အသုံးပြုသူအမည်</label>' in page
    assert "Username" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert (
        '<label for="id_username">Username</label>'
        in client.get("/accounts/login/").content.decode()
    )
