"""API clients: a key shown once and stored hashed, revoked keys, scopes, usage per day,
throttling per client, and anonymous readers turned away when configured."""

import hashlib
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from reports import services
from reports.api import auth
from reports.api.throttling import AnonRateThrottle, ClientRateThrottle
from reports.exceptions import NotPermitted
from reports.models import ApiClient, ApiUsage, Report

DRAFT = {
    "title": "Shelling near Loikaw",
    "place": "MMR002001701",
    "start_date": "2023-11-12",
    "figures": [{"metric": "newly_displaced", "qualifier": "approximately", "value": 1200}],
}


def with_key(key=None, keyword="Api-Key"):
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def test_key_is_returned_once_and_only_its_hash_is_stored(client_and_key):
    client, key = client_and_key
    stored = ApiClient.objects.get(pk=client.pk)
    assert stored.prefix == key.split(".")[0]
    assert len(stored.prefix) == 8
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiClient.objects.filter(pk=client.pk).values().get())
    assert stored.user.username == f"api-{stored.prefix}"
    assert not stored.user.has_usable_password()
    assert stored.scopes == ["read", "submit"]


def test_admin_registers_a_client_and_sees_its_key_once(admin_user, organizations, places):
    browser = APIClient()
    browser.force_login(admin_user)
    response = browser.post(
        "/admin/reports/apiclient/add/",
        {
            "name": "Demoso relief uploader",
            "organization": organizations["relief"].pk,
            "can_read": "on",
            "can_submit": "on",
            "usage-TOTAL_FORMS": "0",
            "usage-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    client = ApiClient.objects.get(name="Demoso relief uploader")
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) >= 1
    key = next(m for m in shown if "never be shown again" in m).split(": ")[1].split(" ")[0]
    assert client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    change_page = browser.get(f"/admin/reports/apiclient/{client.pk}/change/")
    assert key not in change_page.content.decode()
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 201
    assert Report.objects.get().organization == organizations["relief"]


def test_only_an_administrator_registers_clients(field_partner, organizations):
    with pytest.raises(NotPermitted):
        services.api_client_create(
            actor=field_partner, name="x", organization=organizations["monitors"]
        )
    assert ApiClient.objects.count() == 0


@pytest.mark.parametrize("keyword", ["Api-Key", "Bearer", "api-key"])
def test_key_accepted_with_either_keyword(client_and_key, places, keyword):
    _, key = client_and_key
    response = with_key(key, keyword).post("/api/v1/submissions/", DRAFT, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "header, message",
    [
        ("Api-Key nonsense", "Invalid API key."),
        ("Api-Key abcdefgh.wrong-secret", "Invalid API key."),
        ("Api-Key", "Send the key as 'Authorization: Api-Key <key>', with no spaces in the key."),
    ],
)
def test_bad_keys_are_refused_with_401(client_and_key, places, header, message):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post("/api/v1/submissions/", DRAFT, format="json")
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == message
    assert response["WWW-Authenticate"] == 'Api-Key realm="api"'
    assert Report.objects.count() == 0


def test_revoked_key_gets_401_with_a_clear_message_and_nothing_is_stored(
    client_and_key, admin_user, places
):
    client, key = client_and_key
    services.api_client_revoke(actor=admin_user, client=client)
    response = with_key(key).post("/api/v1/submissions/", DRAFT, format="json")
    assert response.status_code == 401
    day = client.revoked_at.strftime("%Y-%m-%d")
    assert response.json()["errors"][0]["detail"] == (
        f"This API key was revoked on {day}. Ask the tracker's administrators for a new one."
    )
    assert Report.objects.count() == 0
    assert not client.user.groups.filter(name="Field partner").exists()


def test_a_revoked_key_cannot_read_on_from_the_cache(client_and_key, admin_user):
    client, key = client_and_key
    assert _read(key).status_code == 200  # the client is now cached for reads
    services.api_client_revoke(actor=admin_user, client=client)
    assert _read(key).status_code == 401
    services.api_client_set_scopes(actor=admin_user, client=client, can_read=False, can_submit=True)
    assert _read(key).status_code == 401


def test_a_write_never_uses_the_cached_client(client_and_key, places):
    from django.utils import timezone

    client, key = client_and_key
    assert _read(key).status_code == 200
    # Revoked behind the services' back, so the cached client is not cleared: a read may still
    # use it (public data, for auth.READ_CACHE_SECONDS); a write asks the database.
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())
    assert _read(key).status_code == 200
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 401
    assert Report.objects.count() == 0


def test_admin_action_revokes(client_and_key, admin_user, places):
    client, key = client_and_key
    browser = APIClient()
    browser.force_login(admin_user)
    browser.post(
        "/admin/reports/apiclient/",
        {"action": "revoke_clients", "_selected_action": [client.pk]},
    )
    client.refresh_from_db()
    assert client.revoked_by == admin_user
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 401


def test_read_only_client_cannot_submit(admin_user, organizations, places):
    _, key = services.api_client_create(
        actor=admin_user, name="Dashboard mirror", organization=organizations["monitors"]
    )
    response = with_key(key).post("/api/v1/submissions/", DRAFT, format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == (
        "This API key does not have the 'submit' scope."
    )
    assert Report.objects.count() == 0


def test_scopes_changed_later_take_effect(client_and_key, admin_user, places):
    client, key = client_and_key
    services.api_client_set_scopes(actor=admin_user, client=client, can_read=True, can_submit=False)
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 403
    services.api_client_set_scopes(actor=admin_user, client=client, can_read=True, can_submit=True)
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 201


def test_no_key_is_401_and_a_logged_in_person_cannot_use_the_submit_endpoint(field_partner, places):
    response = APIClient().post("/api/v1/submissions/", DRAFT, format="json")
    assert response.status_code == 401
    browser = APIClient()
    browser.force_login(field_partner)
    response = browser.post("/api/v1/submissions/", DRAFT, format="json")
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_usage_is_counted_per_client_per_day(client_and_key, places, monkeypatch):
    client, key = client_and_key
    for _ in range(3):
        with_key(key).post("/api/v1/submissions/", DRAFT, format="json")
    with_key("abcdefgh.not-a-key").post("/api/v1/submissions/", DRAFT, format="json")
    next_day = datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
    monkeypatch.setattr(auth.timezone, "now", lambda: next_day)
    with_key(key).post("/api/v1/submissions/", {}, format="json")
    monkeypatch.undo()
    rows = {u.day.isoformat(): u.requests for u in ApiUsage.objects.filter(client=client)}
    today = datetime.now(UTC).date().isoformat()
    assert rows == {today: 3, "2030-01-02": 1}
    client.refresh_from_db()
    assert client.last_used_at == next_day


def test_usage_is_kept_in_the_process_and_written_in_one_go(client_and_key, places, settings):
    settings.TRACKER_API_USAGE_FLUSH_SECONDS = 60
    client, key = client_and_key
    auth.usage.flush()
    for _ in range(4):
        assert with_key(key).get("/api/v1/places/").status_code == 200
    assert ApiUsage.objects.filter(client=client).count() == 0
    assert ApiClient.objects.get(pk=client.pk).last_used_at is None

    auth.usage.flush()

    today = datetime.now(UTC).date()
    assert list(ApiUsage.objects.filter(client=client).values_list("day", "requests")) == [
        (today, 4)
    ]
    assert ApiClient.objects.get(pk=client.pk).last_used_at is not None
    with_key(key).get("/api/v1/places/")
    auth.usage.flush()
    assert ApiUsage.objects.get(client=client, day=today).requests == 5


def test_throttled_client_gets_429_with_retry_after(client_and_key, places, settings):
    settings.TRACKER_API_CLIENT_RATE = "2/hour"
    _, key = client_and_key
    codes = [
        with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    response = with_key(key).post("/api/v1/submissions/", DRAFT, format="json")
    assert response.status_code == 429
    assert 3500 <= int(response["Retry-After"]) <= 3600
    assert Report.objects.count() == 2


def test_throttle_budget_is_per_client(client_and_key, admin_user, organizations, places, settings):
    settings.TRACKER_API_CLIENT_RATE = "1/hour"
    _, key = client_and_key
    _, other_key = services.api_client_create(
        actor=admin_user, name="Second", organization=organizations["relief"], can_submit=True
    )
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 201
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 429
    assert with_key(other_key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 201


class PublicThing(APIView):
    """Stands for a public read endpoint with the default throttles and the read scope."""

    permission_classes = [auth.HasReadScope]
    throttle_classes = [ClientRateThrottle, AnonRateThrottle]

    def get(self, request):
        return Response({"ok": True})


def _read(key=None):
    request = APIRequestFactory().get("/thing/", REMOTE_ADDR="203.0.113.9")
    if key:
        request.META["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    return PublicThing.as_view()(request)


def test_anonymous_readers_are_throttled_or_turned_away(client_and_key, settings):
    settings.TRACKER_API_ANON_RATE = "1/minute"
    assert _read().status_code == 200
    refused = _read()
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 60
    settings.TRACKER_API_ANON_RATE = "off"
    cache.clear()
    response = _read()
    assert response.status_code == 401
    assert str(response.data["errors"][0]["detail"]) == (
        "This tracker's API needs a key: send 'Authorization: Api-Key <key>'."
    )
    _, key = client_and_key
    assert _read(key).status_code == 200


def test_read_scope(admin_user, organizations):
    client, key = services.api_client_create(
        actor=admin_user,
        name="Writer only",
        organization=organizations["monitors"],
        can_read=False,
        can_submit=True,
    )
    assert _read(key).status_code == 403
    services.api_client_set_scopes(actor=admin_user, client=client, can_read=True, can_submit=True)
    assert _read(key).status_code == 200


def test_reading_needs_the_api_permission_of_an_active_service_user(admin_user, organizations):
    from django.contrib.auth.models import Group, Permission

    from reports.roles import Role

    client, key = services.api_client_create(
        actor=admin_user, name="Reader", organization=organizations["monitors"]
    )
    assert _read(key).status_code == 200
    use_api = Permission.objects.get(codename="use_api")
    Group.objects.get(name=Role.API_PARTNER).permissions.remove(use_api)
    # Reads may use the client they cached for auth.READ_CACHE_SECONDS (public data only);
    # revoking a key or changing its scopes clears that at once (see the test above).
    assert _read(key).status_code == 200
    cache.clear()
    assert _read(key).status_code == 403
    client.user.user_permissions.add(use_api)
    cache.clear()
    assert _read(key).status_code == 200
    client.user.is_active = False
    client.user.save()
    cache.clear()
    assert _read(key).status_code == 403


def test_create_api_client_command(admin_user, organizations, capsys):
    call_command(
        "create_api_client",
        "Relief uploader",
        "--organization",
        "Demoso relief",
        "--scope",
        "submit",
        "--scope",
        "read",
        "--admin",
        "root",
    )
    out = capsys.readouterr().out.splitlines()
    client = ApiClient.objects.get(name="Relief uploader")
    assert out[0] == "Registered Relief uploader (Demoso relief) with scopes read, submit."
    assert client.key_hash == hashlib.sha256(out[-1].encode()).hexdigest()


def test_deactivating_the_organisation_in_the_admin_stops_its_key_at_once(
    client_and_key, admin_user, organizations
):
    client, key = client_and_key
    assert _read(key).status_code == 200  # cached for reads from here on
    browser = APIClient()
    browser.force_login(admin_user)
    organization = organizations["monitors"]
    response = browser.post(
        f"/admin/reports/organization/{organization.pk}/change/",
        {
            "name": organization.name,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organization.refresh_from_db()
    assert organization.is_active is False
    response = _read(key)
    assert response.status_code == 401
    assert "deactivated" in str(response.data)


def test_admin_renames_a_client_and_narrows_its_scopes_through_the_service(
    admin_user, client_and_key
):
    client, key = client_and_key
    browser = APIClient()
    browser.force_login(admin_user)
    response = browser.post(
        f"/admin/reports/apiclient/{client.pk}/change/",
        {
            "name": "Monitors' uploader (old server)",
            "can_read": "on",
            "usage-TOTAL_FORMS": "0",
            "usage-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.scopes) == ("Monitors' uploader (old server)", ["read"])
    assert with_key(key).post("/api/v1/submissions/", DRAFT, format="json").status_code == 403


def test_a_deactivated_organisation_is_not_offered_for_a_new_client(admin_user, organizations):
    organizations["relief"].is_active = False
    organizations["relief"].save()
    browser = APIClient()
    browser.force_login(admin_user)
    response = browser.post(
        "/admin/reports/apiclient/add/",
        {
            "name": "Demoso relief uploader",
            "organization": organizations["relief"].pk,
            "can_read": "on",
            "usage-TOTAL_FORMS": "0",
            "usage-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ApiClient.objects.count() == 0


def test_a_made_up_forwarded_for_does_not_buy_a_fresh_anonymous_budget(places, settings):
    settings.TRACKER_API_ANON_RATE = "1/minute"
    anonymous = APIClient()
    assert anonymous.get("/api/v1/places/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    again = anonymous.get("/api/v1/places/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert again.status_code == 429
    # Behind one proxy the header's last address is the client's, as the proxy wrote it.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    cache.clear()
    assert anonymous.get("/api/v1/places/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert anonymous.get("/api/v1/places/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert anonymous.get("/api/v1/places/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_signed_in_api_use_has_its_own_limit(client, advocate, settings, places):
    settings.TRACKER_API_USER_RATE = "2/minute"
    client.force_login(advocate)
    assert [client.get("/api/v1/places/").status_code for _ in range(3)] == [200, 200, 429]
