"""The access record: every look by a signed-in person at the moderation, partner and admin
areas, and every download of non-public data, is a row in the database that nobody can edit,
kept for TRACKER_ACCESS_RECORD_DAYS."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from reports import services
from reports.models import AccessRecord
from reports.roles import Role
from reports.tasks import prune_access_records

FIELDS = ("user", "kind", "method", "view_name", "path", "report_id", "status_code")


def rows():
    return list(AccessRecord.objects.order_by("id").values_list(*FIELDS))


@pytest.fixture
def administrator(db):
    user = get_user_model().objects.create_user(
        username="admin", password="x-secret-pass-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.ADMIN))
    return user


@pytest.fixture
def submitted(field_partner, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    return report


def test_a_moderator_opening_the_queue_and_a_review_page_is_recorded(
    moderator_client, moderator, submitted
):
    assert moderator_client.get("/moderation/?status=submitted").status_code == 200
    assert moderator_client.get(f"/moderation/reports/{submitted.pk}/").status_code == 200
    # A look-up of a report that does not exist is on the record too.
    assert moderator_client.get("/moderation/reports/999999/").status_code == 404

    assert rows() == [
        (moderator.pk, "moderation", "GET", "moderation:queue", "/moderation/?status=submitted",
         None, 200),
        (moderator.pk, "moderation", "GET", "moderation:review",
         f"/moderation/reports/{submitted.pk}/", submitted.pk, 200),
        (moderator.pk, "moderation", "GET", "moderation:review", "/moderation/reports/999999/",
         999999, 404),
    ]  # fmt: skip
    record = AccessRecord.objects.get(report_id=submitted.pk)
    assert timezone.now() - record.created_at < timedelta(minutes=1)


def test_a_moderation_action_and_a_refused_visitor_are_recorded(
    client, moderator, field_partner, submitted
):
    client.force_login(moderator)
    response = client.post(
        f"/moderation/reports/{submitted.pk}/approve/",
        {"approve-note": "", "approve-version": submitted.version},
    )
    assert response.status_code == 302
    client.force_login(field_partner)
    assert client.get("/moderation/").status_code == 403

    assert rows() == [
        (moderator.pk, "moderation", "POST", "moderation:act",
         f"/moderation/reports/{submitted.pk}/approve/", submitted.pk, 302),
        (field_partner.pk, "moderation", "GET", "moderation:queue", "/moderation/", None, 403),
    ]  # fmt: skip


def test_partner_pages_and_the_admin_are_recorded(client, field_partner, moderator, submitted):
    client.force_login(field_partner)
    assert client.get(f"/partner/reports/{submitted.pk}/").status_code == 200
    # The place box's suggestions are the public gazetteer: not recorded.
    assert client.get("/partner/places/?q=Loi").status_code == 200
    client.force_login(moderator)
    assert client.get(f"/admin/reports/report/{submitted.pk}/change/").status_code == 200

    assert rows() == [
        (field_partner.pk, "partner", "GET", "partner:report_detail",
         f"/partner/reports/{submitted.pk}/", submitted.pk, 200),
        (moderator.pk, "admin", "GET", "admin:reports_report_change",
         f"/admin/reports/report/{submitted.pk}/change/", submitted.pk, 200),
    ]  # fmt: skip


def test_downloading_the_access_record_is_itself_recorded_as_a_download(
    client, administrator, moderator, submitted
):
    client.force_login(moderator)
    client.get(f"/moderation/reports/{submitted.pk}/")
    looked = AccessRecord.objects.get()
    client.force_login(administrator)
    response = client.post(
        "/admin/reports/accessrecord/",
        {"action": "download_csv", "_selected_action": [looked.pk], "index": "0"},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="access-record-')
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == [
        "created_at", "user", "kind", "method", "view_name", "path", "report_id", "status",
    ]  # fmt: skip
    assert table[1][1:] == [
        "moderator", "moderation", "GET", "moderation:review",
        f"/moderation/reports/{submitted.pk}/", str(submitted.pk), "200",
    ]  # fmt: skip
    assert len(table) == 2
    assert rows()[-1] == (
        administrator.pk, "download", "POST", "admin:reports_accessrecord_changelist",
        "/admin/reports/accessrecord/", None, 200,
    )  # fmt: skip


def test_public_pages_write_no_record(client, moderator, field_partner, submitted):
    services.report_approve(report=submitted, actor=moderator)
    client.force_login(moderator)
    for url in [
        "/",
        "/dashboard/",
        "/dashboard/evidence/?metric=newly_displaced",
        "/dashboard/briefing/",
        "/dashboard/download/reports.csv",
        "/api/v1/reports/",
        "/accounts/start/",
    ]:
        assert client.get(url).status_code in (200, 302), url
    client.logout()
    # Visitors who are not signed in see only the sign-in page: nothing to record.
    assert client.get("/moderation/").status_code == 302
    assert client.get(f"/partner/reports/{submitted.pk}/").status_code == 302
    assert AccessRecord.objects.count() == 0


def test_a_record_that_cannot_be_written_fails_the_request(
    client, moderator, submitted, monkeypatch
):
    def broken(**fields):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AccessRecord.objects, "create", broken)
    client.force_login(moderator)
    client.raise_request_exception = False
    response = client.get(f"/moderation/reports/{submitted.pk}/")
    assert response.status_code == 500
    assert submitted.internal_notes.encode() not in response.content


def test_records_cannot_be_changed_or_deleted(moderator_client, moderator):
    moderator_client.get("/moderation/")
    record = AccessRecord.objects.get()
    with pytest.raises(TypeError):
        AccessRecord.objects.update(path="/")
    with pytest.raises(TypeError):
        AccessRecord.objects.filter(pk=record.pk).delete()
    record.path = "/elsewhere/"
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        record.delete()
    # Nor past the ORM: the database refuses an UPDATE.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reports_accessrecord SET path = '/' WHERE id = %s", [record.pk])
    assert rows() == [(moderator.pk, "moderation", "GET", "moderation:queue", "/moderation/",
                       None, 200)]  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_postgresql_refuses_to_delete_a_recent_record(moderator_client):
    moderator_client.get("/moderation/")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_accessrecord")
    assert AccessRecord.objects.count() == 1


def test_pruning_removes_only_records_older_than_the_retention(moderator, settings):
    settings.TRACKER_ACCESS_RECORD_DAYS = 365
    now = timezone.now()

    def record(days_ago):
        return AccessRecord.objects.create(
            user=moderator,
            created_at=now - timedelta(days=days_ago),
            kind="moderation",
            method="GET",
            view_name="moderation:queue",
            path=f"/moderation/?{days_ago}",
            status_code=200,
        )

    for days_ago in (800, 366, 364, 0):
        record(days_ago)

    assert prune_access_records()["access_records"] == 2
    assert sorted(AccessRecord.objects.values_list("path", flat=True)) == [
        "/moderation/?0",
        "/moderation/?364",
    ]
    assert prune_access_records()["access_records"] == 0


def test_the_access_record_admin_opens_for_administrators_only(
    client, administrator, moderator, submitted
):
    client.force_login(moderator)
    client.get(f"/moderation/reports/{submitted.pk}/")
    for url in [
        "/admin/reports/accessrecord/",
        f"/admin/reports/accessrecord/?q={submitted.pk}",
        f"/admin/reports/accessrecord/?user__id__exact={moderator.pk}",
        "/admin/reports/accessrecord/?q=moderator",
        f"/admin/reports/accessrecord/{AccessRecord.objects.get().pk}/change/",
    ]:
        client.force_login(administrator)
        assert client.get(url).status_code == 200, url
        client.force_login(moderator)
        assert client.get(url).status_code == 403, url


def test_the_admin_finds_a_reports_records_by_its_number(
    client, administrator, moderator, field_partner, file_report, submitted
):
    other = file_report(field_partner)
    services.report_submit(report=other, actor=field_partner)
    client.force_login(moderator)
    client.get(f"/moderation/reports/{submitted.pk}/")
    client.get(f"/moderation/reports/{other.pk}/")
    client.force_login(administrator)
    response = client.get(f"/admin/reports/accessrecord/?q={other.pk}")
    assert [r.report_id for r in response.context["cl"].result_list] == [other.pk]
