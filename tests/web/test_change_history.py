"""Changes to sources, events, organisations, memberships, API clients and accounts are kept
with who made them (django-simple-history), through the services and the admin alike, and the
admin shows them to those who may see the thing itself."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from reports import services
from reports.models import ApiClient, Membership, Organization, Source
from reports.roles import Role
from tests.conftest import source_fields


@pytest.fixture
def administrator(db):
    user = get_user_model().objects.create_user(
        username="admin", password="x-secret-pass-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    return user


@pytest.fixture
def confidential(field_partner):
    return services.source_create(
        actor=field_partner,
        source_type="local_cso",
        name="Ko Aung, Demoso",
        is_confidential=True,
    )


def test_unticking_confidential_through_the_service_is_in_the_sources_history(
    moderator, field_partner, confidential
):
    # Outside a web request (a command, a task): the service names the actor.
    services.source_update(
        actor=moderator, source=confidential, **source_fields(confidential, is_confidential=False)
    )

    versions = list(confidential.history.order_by("history_id"))
    assert [(v.history_type, v.history_user, v.is_confidential) for v in versions] == [
        ("+", field_partner, True),
        ("~", moderator, False),
    ]
    delta = versions[1].diff_against(versions[0])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("is_confidential", True, False)]


def test_unticking_confidential_in_the_admin_is_in_the_sources_history(
    client, moderator, confidential
):
    client.force_login(moderator)
    data = {k: v or "" for k, v in source_fields(confidential).items() if k != "is_confidential"}
    response = client.post(f"/admin/reports/source/{confidential.pk}/change/", data)
    assert response.status_code == 302
    assert Source.objects.get(pk=confidential.pk).is_confidential is False

    latest = confidential.history.latest()
    assert (latest.history_type, latest.history_user, latest.is_confidential) == (
        "~",
        moderator,
        False,
    )
    page = client.get(f"/admin/reports/source/{confidential.pk}/history/")
    assert page.status_code == 200
    shown = " ".join(re.sub(r"<[^>]+>|&nbsp;|&rarr;", " ", page.content.decode()).split())
    # Newest first: changed by the moderator, confidential True -> False; created by the partner.
    assert "Changed moderator None Confidential: True False" in shown
    assert "Created partner None" in shown


def test_a_moderator_gives_a_source_to_another_organisation_in_the_admin(
    client, moderator, other_partner, organizations, confidential
):
    """The organisation a source was added for decides who may cite it by name: a moderator
    may correct it on the source's admin page (not when adding one: it is its author's), and
    its history says who did."""
    client.force_login(moderator)
    assert 'name="organization"' not in client.get("/admin/reports/source/add/").content.decode()
    relief = organizations["relief"]
    data = {k: v or "" for k, v in source_fields(confidential).items()}
    data |= {"is_confidential": "on", "organization": str(relief.pk)}
    # Followed to the list, which shows (and so clears) the admin's "changed" message naming it.
    response = client.post(f"/admin/reports/source/{confidential.pk}/change/", data, follow=True)
    assert response.redirect_chain == [("/admin/reports/source/", 302)]
    assert Source.objects.get(pk=confidential.pk).organization == relief

    versions = list(confidential.history.order_by("history_id"))
    delta = versions[-1].diff_against(versions[-2])
    assert (versions[-1].history_user, [(c.field, c.old, c.new) for c in delta.changes]) == (
        moderator,
        [("organization", organizations["monitors"].pk, relief.pk)],
    )
    page = client.get(f"/admin/reports/source/{confidential.pk}/history/").content.decode()
    shown = " ".join(re.sub(r"<[^>]+>|&nbsp;|&rarr;", " ", page).split())
    assert "Changed moderator None Added for organisation:" in shown
    client.force_login(other_partner)
    assert "Ko Aung, Demoso" in client.get("/partner/reports/new/").content.decode()

    # Emptied: only moderators may cite it.
    client.force_login(moderator)
    data["organization"] = ""
    client.post(f"/admin/reports/source/{confidential.pk}/change/", data, follow=True)
    assert Source.objects.get(pk=confidential.pk).organization is None
    client.force_login(other_partner)
    assert "Ko Aung, Demoso" not in client.get("/partner/reports/new/").content.decode()


def test_events_and_api_clients_are_attributed_to_the_actor(
    moderator, administrator, organizations
):
    event = services.event_create(actor=moderator, name="Loikaw offensive")
    services.event_update(actor=moderator, event=event, name="Battle of Loikaw", description="")
    assert [(v.history_user, v.name) for v in event.history.order_by("history_id")] == [
        (moderator, "Loikaw offensive"),
        (moderator, "Battle of Loikaw"),
    ]

    client, _ = services.api_client_create(
        actor=administrator, name="Monitors' system", organization=organizations["monitors"]
    )
    services.api_client_revoke(actor=administrator, client=client)
    assert [(v.history_user, v.revoked_by) for v in client.history.order_by("history_id")] == [
        (administrator, None),
        (administrator, administrator),
    ]
    membership = Membership.objects.get(user=client.user)
    assert [v.history_user for v in membership.history.all()] == [administrator]
    assert [v.history_user for v in client.user.history.all()] == [administrator]


def test_account_history_keeps_no_password_and_no_sign_ins(client, field_partner):
    history = get_user_model().history
    fields = {f.name for f in history.model._meta.get_fields()}
    assert "password" not in fields
    assert "last_login" not in fields
    before = history.filter(id=field_partner.pk).count()
    response = client.post(
        "/accounts/login/", {"username": "partner", "password": "x-secret-pass-1"}
    )
    assert response.status_code == 302
    field_partner.refresh_from_db()
    assert field_partner.last_login is not None
    assert history.filter(id=field_partner.pk).count() == before


def test_organisation_changes_in_the_admin_are_attributed(client, administrator, organizations):
    relief = organizations["relief"]
    client.force_login(administrator)
    response = client.post(
        f"/admin/reports/organization/{relief.pk}/change/",
        {
            "name": relief.name,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    latest = relief.history.latest()
    assert (latest.history_user, latest.is_active) == (administrator, False)


def test_history_pages_open_for_an_administrator_and_not_for_a_moderator(
    client, administrator, moderator, field_partner, organizations, confidential
):
    api_client, _ = services.api_client_create(
        actor=administrator, name="Monitors' system", organization=organizations["monitors"]
    )
    membership = Membership.objects.get(user=field_partner)
    refused = [
        f"/admin/reports/membership/{membership.pk}/history/",
        f"/admin/reports/apiclient/{api_client.pk}/history/",
        f"/admin/auth/user/{field_partner.pk}/history/",
    ]
    allowed_to_both = [
        f"/admin/reports/source/{confidential.pk}/history/",
        f"/admin/reports/organization/{organizations['monitors'].pk}/history/",
    ]
    client.force_login(administrator)
    for url in refused + allowed_to_both:
        assert client.get(url).status_code == 200, url
    client.force_login(moderator)
    for url in refused:
        assert client.get(url).status_code == 403, url
    for url in allowed_to_both:
        assert client.get(url).status_code == 200, url


def test_a_past_version_cannot_be_saved_back(client, moderator, organizations):
    # A moderator may view an organisation (and its history), not change it.
    monitors = organizations["monitors"]
    version = monitors.history.latest()
    Organization.objects.filter(pk=monitors.pk).update(name="Renamed")
    client.force_login(moderator)
    url = f"/admin/reports/organization/{monitors.pk}/history/{version.history_id}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Loikaw monitors", "is_active": "on"})
    assert response.status_code == 403
    assert Organization.objects.get(pk=monitors.pk).name == "Renamed"
    assert ApiClient.history.count() == 0
