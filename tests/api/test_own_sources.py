"""GET /api/v1/submissions/sources/: an API client's list of its own organisation's sources, its
confidential ones in full, by public id, to cite them again; never another organisation's,
never cached, and every request in the access record."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reports import services
from reports.models import AccessKind, AccessRecord, Membership, Source

URL = "/api/v1/submissions/sources/"


def submit(api, **fields):
    """A report sent through the submissions API, with these fields (its sources)."""
    body = {
        "title": "Residents flee Loikaw",
        "place": "MMR002001701",
        "start_date": "2023-11-11",
        "figures": [{"metric": "newly_displaced", "value": 35000}],
    }
    return api.post("/api/v1/submissions/", body | fields, format="json")


@pytest.fixture
def sources(field_partner, other_partner, news_source):
    """An informant the monitors' partner added on the web form, a camp committee the other
    organisation keeps confidential, and a public news source (added by a moderator)."""
    return {
        "informant": services.source_create(
            actor=field_partner,
            source_type="field_observation",
            name="Ward 3 monitor",
            published_on=date(2023, 11, 12),
            is_confidential=True,
        ),
        "theirs": services.source_create(
            actor=other_partner,
            source_type="local_cso",
            name="Camp committee",
            is_confidential=True,
        ),
        "news": news_source,
    }


def test_a_client_lists_its_organisations_sources_and_cites_them(
    api_with_the_key, api, sources, client_and_key
):
    answer = submit(
        api, new_sources=[{"source_type": "local_cso", "name": "Church volunteers"}]
    ).json()
    added = Source.objects.get(name="Church volunteers")
    assert answer["new_sources"] == [added.public_id]

    response = api.get(URL)
    assert response.status_code == 200
    informant = sources["informant"]
    expected = [
        {
            "id": informant.public_id,
            "source_type": "field_observation",
            "is_confidential": True,
            "name": "Ward 3 monitor",
            "title": None,
            "url": None,
            "published_on": "2023-11-12",
            "language": None,
        },
        {
            "id": added.public_id,
            "source_type": "local_cso",
            "is_confidential": False,
            "name": "Church volunteers",
            "title": None,
            "url": None,
            "published_on": None,
            "language": None,
        },
    ]
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": sorted(expected, key=lambda s: s["id"]),
    }
    # Never kept by a proxy or a shared phone's browser.
    assert "no-store" in response["Cache-Control"]
    # Every look is in the access record, under the client's user.
    [record] = AccessRecord.objects.filter(view_name="api-own-sources")
    assert (record.user, record.kind, record.method, record.status_code, record.path) == (
        client_and_key[0].user,
        AccessKind.DOWNLOAD,
        "GET",
        200,
        URL,
    )


def test_pages_follow_the_public_ids(api_with_the_key, api, sources, field_partner):
    for name in ("A", "B"):
        services.source_create(actor=field_partner, source_type="local_cso", name=name)
    mine = sorted(
        Source.objects.filter(name__in=["A", "B", "Ward 3 monitor"]).values_list(
            "public_id", flat=True
        )
    )
    seen, url = [], f"{URL}?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [s["id"] for s in page["results"]]
        url = page["next"]
    assert seen == mine


def test_only_a_key_with_the_submit_scope_lists_them(api, admin_user, organizations, sources):
    assert api.get(URL).status_code == 401
    _, reader = services.api_client_create(
        actor=admin_user, name="Reader", organization=organizations["monitors"]
    )
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {reader}")
    refused = api.get(URL)
    assert refused.status_code == 403
    assert "Ward 3 monitor" not in refused.content.decode()
    # The refusal is in the access record too.
    assert list(AccessRecord.objects.values_list("view_name", "status_code")) == [
        ("api-own-sources", 403)
    ]


def test_another_organisations_client_sees_only_its_own(
    api, admin_user, organizations, sources, other_partner
):
    _, key = services.api_client_create(
        actor=admin_user,
        name="Relief uploader",
        organization=organizations["relief"],
        can_submit=True,
    )
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    listed = api.get(URL).json()["results"]
    assert [s["name"] for s in listed] == ["Camp committee"]


def test_a_deactivated_service_user_reads_nothing_more_at_once(
    api_with_the_key, api, sources, client_and_key
):
    """Public reads may find a key's client in a cache for 30 s; this list never does."""
    assert api.get(URL).status_code == 200
    user = client_and_key[0].user
    user.is_active = False
    user.save()
    refused = api.get(URL)
    assert refused.status_code == 403 and "Ward 3 monitor" not in refused.content.decode()


def test_every_keyed_request_is_recorded_and_unknown_parameters_refused(
    api_with_the_key, api, sources, client_and_key
):
    answers = [
        api.get(URL, {"format": "csv"}).status_code,
        api.get(URL, HTTP_ACCEPT="text/csv").status_code,
        api.get(URL, {"ordering": "id"}).status_code,
    ]
    assert answers == [404, 406, 400]
    assert api.get(URL, {"ordering": "id"}).json()["errors"][0]["attr"] == "ordering"
    assert list(AccessRecord.objects.order_by("pk").values_list("user", "status_code")) == [
        (client_and_key[0].user.pk, code) for code in (*answers, 400)
    ]


def test_a_moderators_service_account_lists_its_clients_organisation_only(
    api, admin_user, organizations, sources, moderator
):
    """A client's user who moderates may submit for any organisation: the list is still its
    client's organisation's, never the one the user belongs to."""
    from django.contrib.auth.models import Group

    from reports.roles import Role

    client, key = services.api_client_create(
        actor=admin_user, name="Monitors", organization=organizations["monitors"], can_submit=True
    )
    client.user.groups.add(Group.objects.get(name=Role.MODERATOR))
    Membership.objects.filter(user=client.user).update(organization=organizations["relief"])
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    listed = api.get(URL).json()["results"]
    assert [s["name"] for s in listed] == ["Ward 3 monitor"]


def test_a_source_stays_with_the_organisation_its_author_has_left(
    api, api_with_the_key, admin_user, organizations, sources, field_partner
):
    """The informant was added for the monitors: when its author moves to the relief group, the
    monitors' client still lists it and the relief group's client neither lists nor cites it."""
    Membership.objects.filter(user=field_partner).update(organization=organizations["relief"])
    assert [s["name"] for s in api.get(URL).json()["results"]] == ["Ward 3 monitor"]

    _, key = services.api_client_create(
        actor=admin_user, name="Relief", organization=organizations["relief"], can_submit=True
    )
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert [s["name"] for s in api.get(URL).json()["results"]] == ["Camp committee"]
    refused = submit(api, sources=[sources["informant"].public_id])
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {
            "code": "invalid",
            "detail": f"You cannot cite source #{sources['informant'].public_id}.",
            "attr": "sources",
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_source_the_organisation_its_author_had_then(
    organizations, field_partner, other_partner, moderator
):
    """Migration 0043 on sources added before it: each gets the organisation its author
    belonged to when adding it, from the membership's history; where the history does not
    reach back, the membership as it stands if it began before the source; otherwise none."""
    monitors, relief = organizations["monitors"], organizations["relief"]

    def day(n):
        return datetime(2024, 1, n, tzinfo=UTC)

    history = Membership.history.model
    # The partner was with the monitors from 1 January and moved to the relief group on the 10th.
    history.objects.filter(user=field_partner).update(history_date=day(1))
    moved = Membership.objects.get(user=field_partner)
    moved.organization = relief
    moved.save()
    history.objects.filter(user=field_partner, organization=relief).update(history_date=day(10))
    # The other partner's membership began on 5 January, before the history was kept.
    history.objects.filter(user=other_partner).delete()
    Membership.objects.filter(user=other_partner).update(created_at=day(5))
    # A third was with the monitors from before the history, and moved to the relief group on
    # the 10th, the history's first record of them: a source of the 5th is not the relief's.
    mover = get_user_model().objects.create_user(username="mover", password="x-pass-9")
    Membership.objects.create(user=mover, organization=monitors)
    history.objects.filter(user=mover).delete()
    Membership.objects.filter(user=mover).update(created_at=day(1))
    moving = Membership.objects.get(user=mover)
    moving.organization = relief
    moving.save()
    history.objects.filter(user=mover).update(history_date=day(10))
    # A fourth left the monitors on the 10th (the membership deleted).
    leaver = get_user_model().objects.create_user(username="leaver", password="x-pass-9")
    Membership.objects.create(user=leaver, organization=monitors)
    history.objects.filter(user=leaver).update(history_date=day(1))
    Membership.objects.get(user=leaver).delete()
    history.objects.filter(user=leaver, history_type="-").update(history_date=day(10))
    # A moderator who is one of the monitors acts for no organisation.
    Membership.objects.create(user=moderator, organization=monitors)
    history.objects.filter(user=moderator).update(history_date=day(1))
    added = {
        "before the move": (field_partner, 5),
        "after the move": (field_partner, 12),
        "with the relief group": (other_partner, 7),
        "before joining": (other_partner, 3),
        "by a moderator, one of the monitors": (moderator, 3),
        "by nobody known": (None, 3),
        "before a move the history begins with": (mover, 5),
        "before leaving": (leaver, 5),
        "after leaving": (leaver, 12),
    }
    for name, (author, on) in added.items():
        Source.objects.create(
            source_type="local_cso", name=name, created_by=author, created_at=day(on)
        )

    call_command("migrate", "reports", "0042", verbosity=0)
    call_command("migrate", "reports", verbosity=0)

    expected = {
        "before the move": monitors.pk,
        "after the move": relief.pk,
        "with the relief group": relief.pk,
        "before joining": None,
        "by a moderator, one of the monitors": None,
        "by nobody known": None,
        "before a move the history begins with": None,
        "before leaving": monitors.pk,
        "after leaving": None,
    }
    assert dict(Source.objects.values_list("name", "organization")) == expected
    # Its history says the same, so the next change does not show the organisation as changed.
    assert dict(Source.history.values_list("name", "organization")) == expected


def test_another_organisations_public_source_is_cited_once_a_report_citing_it_is_approved(
    api_with_the_key, api, other_partner, moderator, file_report
):
    """Not before: its title, date and address would tell what the other organisation is
    documenting before a moderator approves any of it. Refused exactly as an unknown id."""
    note = services.source_create(
        actor=other_partner,
        source_type="field_observation",
        name="Demoso volunteers' field note",
        url="https://drive.example.org/their-folder/note",
    )
    report = file_report(other_partner, sources=[note])
    services.report_submit(report=report, actor=other_partner)
    for public_id in (note.public_id, 999999999999999):
        refused = submit(api, sources=[public_id])
        assert (refused.status_code, refused.json()["errors"]) == (
            400,
            [
                {
                    "code": "invalid",
                    "detail": f"You cannot cite source #{public_id}.",
                    "attr": "sources",
                }
            ],
        )
    services.report_approve(report=report, actor=moderator)
    assert submit(api, sources=[note.public_id]).status_code == 201
