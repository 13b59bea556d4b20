"""The pages a person lands on when something goes wrong (400, 403, 404, 500 and a failed CSRF
check), with DEBUG off as in production: the site's header, what happened, links onward, the
person's language, and a 500 page that needs neither the database nor the request."""

import pytest
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import path

from reports.views import errors
from tracker.urls import *  # noqa: F403 - the site's URLs and error handlers, plus two below
from tracker.urls import urlpatterns as site_urlpatterns

BRAND = '<a class="brand" href="/">Displacement & civilian harm tracker</a>'
BRAND_MY = '<a class="brand" href="/">နေရပ်စွန့်ခွာမှုနှင့် အရပ်သားများ ထိခိုက်မှု မှတ်တမ်းစနစ်</a>'


def _boom(request):
    raise RuntimeError("the database went away")


def _suspicious(request):
    raise SuspiciousOperation("tampered")


urlpatterns = [path("boom/", _boom), path("suspicious/", _suspicious), *site_urlpatterns]


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def text(response) -> str:
    return " ".join(response.content.decode().split())


def links(page) -> list[str]:
    start = page.index('<ul class="error-links">')
    return page[start : page.index("</ul>", start)]


def test_not_found_has_the_header_and_ways_on(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert BRAND in page
    assert "<title>Page not found</title>" in page
    assert "<h1>Page not found</h1>" in page
    assert links(page) == (
        '<ul class="error-links"> <li><a href="/">The home page</a></li> '
        '<li><a href="/dashboard/">The numbers: totals, trends and maps</a></li> '
        '<li><a href="/accounts/login/">Log in</a></li> '
    )


def test_not_found_in_a_private_area_is_not_stored_and_names_nothing(moderator_client):
    missing = moderator_client.get("/moderation/reports/999999/")
    assert missing.status_code == 404
    assert "no-store" in missing["Cache-Control"]
    page = text(missing)
    assert "<h1>Page not found</h1>" in page
    assert "999999" not in page.split("<main")[1]
    assert '<a href="/accounts/start/">Your start page</a>' in page


def test_not_found_in_burmese_with_the_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "my"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert '<html lang="my">' in page
    assert BRAND_MY in page
    assert 'lang="en">English</button>' in page


def test_refused_page_says_why_and_where_to_go(client, advocate):
    client.force_login(advocate)
    response = client.get("/moderation/")
    assert response.status_code == 403
    page = text(response)
    assert BRAND in page
    assert "<h1>You cannot open this page</h1>" in page
    assert "You are logged in as advocate, and this page is not for your role." in page
    assert '<a href="/accounts/start/">Your start page</a>' in page


def test_failed_csrf_check_explains_and_saves_nothing(db, field_partner):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "partner", "password": "x"})
    assert response.status_code == 403
    page = text(response)
    assert BRAND in page
    assert "<h1>The form could not be sent</h1>" in page
    assert "Nothing was saved." in page
    assert "CSRF" not in page.split("<main")[1]


def test_bad_request_page(client, db):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    page = text(response)
    assert BRAND in page
    assert "<h1>The tracker could not understand this request</h1>" in page
    assert '<a href="/">The home page</a>' in page


def test_server_error_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = text(response)
    assert BRAND in page
    assert "<h1>Something went wrong on our side</h1>" in page
    assert "the database went away" not in page
    assert '<a href="/accounts/login/">Log in</a>' in page


def test_server_error_page_in_burmese(db):
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "my"
    response = client.get("/boom/")
    assert response.status_code == 500
    page = text(response)
    assert '<html lang="my">' in page
    assert BRAND_MY in page


def test_server_error_page_needs_no_database():
    # No `db` fixture: pytest-django refuses any query, so a page that needed one would fail.
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        "/dashboard/",
        "/dashboard/briefing/",
        "/dashboard/harm/",
        "/dashboard/hosts/",
        "/dashboard/embed/headline/",
        "/dashboard/evidence/",
        "/dashboard/chart/killed.svg",
        "/dashboard/download/reports.csv",
        "/dashboard/download/reports-hxl.csv",
    ],
)
def test_a_series_longer_than_the_engine_draws_is_a_bad_request(client, scenario, page):
    """Three centuries by week ask for more periods than a series may have: refused as a bad
    parameter naming the period, never a server error."""
    response = client.get(f"{page}?start=1900-01-01&end=2199-12-31&period=week&metric=killed")
    assert response.status_code == 400
    if not page.endswith(".svg"):
        assert "A time series has at most 1,000 periods" in response.content.decode()
    # Dates at the calendar's ends are refused by name before anything is counted.
    response = client.get(f"{page}?start=0001-01-01&end=9999-12-31&metric=killed")
    assert response.status_code == 400
    if not page.endswith(".svg"):
        assert "Enter a date between 1900-01-01 and 2199-12-31 (got 9999-12-31)." in (
            response.content.decode()
        )
