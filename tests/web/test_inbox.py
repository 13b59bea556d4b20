"""The inbox at /inbox/: each person's notices, newest first, marked read with a POST; the
header's link with the unread count; the language button keeping a person's language."""

import pytest
from django.test import Client

from reports import services
from reports.models import Notification, UserPreference

PASSWORD = "x-secret-pass-1"


@pytest.fixture
def sent_back(field_partner, moderator, file_report):
    report = file_report(field_partner, title="Shelling near <b>Loikaw</b>")
    services.report_submit(report=report, actor=field_partner)
    services.report_request_changes(
        report=report, actor=moderator, message="Which ward?\nAnd <i>when</i>?"
    )
    return report


def _unread_badge(response) -> str:
    html = response.content.decode()
    start = html.index('<a href="/inbox/" class="inbox">')
    return html[start : html.index("</a>", start) + 4]


def test_the_inbox_needs_a_signed_in_person(client, db):
    assert client.get("/inbox/")["Location"] == "/accounts/login/?next=/inbox/"
    assert client.post("/inbox/read/", {"all": "1"})["Location"].startswith("/accounts/login/")
    assert "/inbox/" not in client.get("/").content.decode()


def test_a_partner_reads_the_moderators_message(client, field_partner, sent_back):
    client.force_login(field_partner)
    response = client.get("/inbox/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    html = response.content.decode()
    assert (
        f'<a href="/partner/reports/{sent_back.pk}/">'
        f"#{sent_back.pk} Shelling near &lt;b&gt;Loikaw&lt;/b&gt;</a>" in html
    )
    assert (
        "<strong>Message from the moderator:</strong> Which ward?<br>And &lt;i&gt;when&lt;/i&gt;?"
        in html
    )
    assert '<li class="unread">' in html
    assert "1 unread notice</p>" in html
    assert _unread_badge(response) == (
        '<a href="/inbox/" class="inbox">Inbox <span class="unread" title="unread">1</span></a>'
    )


def test_moderators_are_told_what_awaits_review(client, moderator, sent_back):
    client.force_login(moderator)
    html = client.get("/inbox/").content.decode()
    assert f'<a href="/moderation/reports/{sent_back.pk}/">#{sent_back.pk} ' in html
    assert "Awaits review · Loikaw monitors · Loikaw Town" in html
    assert "Which ward?" not in html  # the partner's notice is not the moderator's


def test_mark_one_read_then_all(client, field_partner, moderator, sent_back):
    services.report_submit(report=sent_back, actor=field_partner)
    services.report_reject(report=sent_back, actor=moderator, reason="Duplicate of #1.")
    first, second = Notification.objects.filter(recipient=field_partner).order_by("pk")
    client.force_login(field_partner)
    assert _unread_badge(client.get("/inbox/")).endswith(">2</span></a>")

    response = client.post("/inbox/read/", {"notice": str(second.pk), "page": "1"})
    assert response["Location"] == "/inbox/?page=1"
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.read_at is None, second.read_at is not None) == (True, True)
    html = client.get("/inbox/").content.decode()
    assert html.count('<li class="unread">') == 1 and html.count('<li class="read">') == 1
    # Newest first: the rejection above the request for changes.
    assert html.index("Duplicate of #1.") < html.index("Which ward?")

    assert client.post("/inbox/read/", {"all": "1"})["Location"] == "/inbox/"
    response = client.get("/inbox/")
    assert Notification.objects.filter(recipient=field_partner, read_at=None).count() == 0
    assert _unread_badge(response) == '<a href="/inbox/" class="inbox">Inbox</a>'
    assert "Mark all read" not in response.content.decode()


def test_nobody_marks_someone_elses_notice(client, other_partner, field_partner, sent_back):
    notice = Notification.objects.get(recipient=field_partner)
    client.force_login(other_partner)
    assert client.post("/inbox/read/", {"notice": str(notice.pk)}).status_code == 302
    assert client.post("/inbox/read/", {"all": "1"}).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is None
    assert "Which ward?" not in client.get("/inbox/").content.decode()


@pytest.mark.parametrize("value", ["", "abc", "-1", "1" * 40, "1\x00"])
def test_a_notice_id_that_is_not_one_is_refused_clearly(client, field_partner, sent_back, value):
    client.force_login(field_partner)
    response = client.post("/inbox/read/", {"notice": value}, follow=True)
    assert response.status_code == 200
    assert "Which notice to mark read (notice) was not understood." in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_marking_read_is_a_post_with_csrf(field_partner, sent_back):
    client = Client(enforce_csrf_checks=True)
    client.force_login(field_partner)
    notice = Notification.objects.get(recipient=field_partner)
    assert client.get("/inbox/read/").status_code == 405
    assert client.post("/inbox/read/", {"notice": str(notice.pk)}).status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None
    html = client.get("/inbox/").content.decode()
    assert html.count('name="csrfmiddlewaretoken"') == 4  # mark all, mark one, log out, language


def test_a_partner_who_left_the_organisation_no_longer_sees_its_notices(
    client, field_partner, organizations, sent_back
):
    field_partner.membership.organization = organizations["relief"]
    field_partner.membership.save()
    client.force_login(field_partner)
    response = client.get("/inbox/")
    assert "Which ward?" not in response.content.decode()
    assert _unread_badge(response) == '<a href="/inbox/" class="inbox">Inbox</a>'


def test_the_unread_count_costs_one_query(
    client, field_partner, sent_back, django_assert_num_queries
):
    from django.test import RequestFactory

    from reports.context_processors import inbox

    request = RequestFactory().get("/")
    request.user = field_partner
    field_partner.membership  # noqa: B018 - loaded by the header's navigation anyway
    field_partner.get_all_permissions()
    with django_assert_num_queries(1):
        assert inbox(request) == {"inbox_unread": 1}


def test_the_language_button_keeps_the_choice_for_e_mails(client, field_partner):
    client.force_login(field_partner)
    response = client.post("/i18n/setlang/", {"language": "my", "next": "/inbox/"})
    assert response["Location"] == "/inbox/"
    assert UserPreference.objects.get(user=field_partner).language == "my"
    assert '<html lang="my">' in client.get("/inbox/").content.decode()
    client.post("/i18n/setlang/", {"language": "xx", "next": "/inbox/"})
    assert UserPreference.objects.get(user=field_partner).language == "my"
    client.post("/i18n/setlang/", {"language": "en"})
    assert UserPreference.objects.get(user=field_partner).language == "en"


def test_signing_in_keeps_the_language_chosen_on_this_browser(client, field_partner):
    client.cookies["django_language"] = "my"
    client.post("/accounts/login/", {"username": "partner", "password": PASSWORD})
    assert UserPreference.objects.get(user=field_partner).language == "my"
    # Signing in from a browser that never chose (it asks for English) changes nothing.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.post("/accounts/login/", {"username": "partner", "password": PASSWORD})
    assert UserPreference.objects.get(user=field_partner).language == "my"


def test_a_first_sign_in_takes_the_browsers_language(client, field_partner):
    Client(HTTP_ACCEPT_LANGUAGE="my").post(
        "/accounts/login/", {"username": "partner", "password": PASSWORD}
    )
    assert UserPreference.objects.get(user=field_partner).language == "my"
