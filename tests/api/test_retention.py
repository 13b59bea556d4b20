"""reports.tasks.prune_partner_api_records: idempotency records and the payloads of mapped
Kobo submissions are kept only as long as the settings say, and what stops a resent report
or Kobo submission from being duplicated outlives them."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from rest_framework.test import APIClient

from reports import services, tasks
from reports.models import ApiIdempotencyKey, KoboSubmission, Report, Source
from tests.api.test_kobo import MAPPING, SUBMISSION, submission
from tests.api.test_write import URL, report

UNMAPPABLE = {"group_event/place_pcode": "MMR002999"}


pytestmark = pytest.mark.usefixtures("api_with_the_key")


@pytest.fixture
def send_kobo(client_and_key, admin_user):
    _, token = services.kobo_form_create(
        actor=admin_user, name="Loikaw incident form", client=client_and_key[0], mapping=MAPPING
    )

    def send(payload):
        return APIClient().post(f"/api/v1/ingest/kobo/{token}/", payload, format="json")

    return send


def days_ago(days, *, hours=0):
    return timezone.now() - timedelta(days=days, hours=hours)


def age_keys(key, days, **extra):
    assert ApiIdempotencyKey.objects.filter(key=key).update(created_at=days_ago(days, **extra))


def age_submission(uuid, days, **extra):
    when = days_ago(days, **extra)
    assert KoboSubmission.objects.filter(uuid=uuid).update(received_at=when, updated_at=when)


def test_the_defaults_and_the_daily_schedule():
    assert (
        django_settings.TRACKER_API_IDEMPOTENCY_DAYS,
        django_settings.TRACKER_KOBO_PAYLOAD_DAYS,
    ) == (30, 90)
    assert django_settings.CELERY_BEAT_SCHEDULE["partner-api-retention"] == {
        "task": "reports.tasks.prune_partner_api_records",
        "schedule": 24 * 3600,
    }


def test_idempotency_records_older_than_the_retention_are_deleted(api):
    api.post(URL, report(title="Old header"), format="json", headers={"Idempotency-Key": "old-1"})
    api.post(URL, report(title="New header"), format="json", headers={"Idempotency-Key": "new-1"})
    added = [{"source_type": "field_observation", "name": "Ward monitor", "is_confidential": True}]
    old = report(client_id="old-client-id", new_sources=added)
    first = api.post(URL, old, format="json").json()
    api.post(URL, report(client_id="new-client-id", title="Kept"), format="json")
    age_keys("old-1", 30, hours=1)
    age_keys("client_id: old-client-id", 45)
    age_keys("new-1", 29, hours=23)
    assert tasks.prune_partner_api_records() == {
        "idempotency_records_deleted": 2,
        "kobo_payloads_emptied": 0,
    }
    assert sorted(ApiIdempotencyKey.objects.values_list("key", flat=True)) == [
        "client_id: new-client-id",
        "new-1",
    ]
    assert Report.objects.count() == 4
    # Run again (a retried or doubled beat): nothing more goes.
    assert tasks.prune_partner_api_records.delay().get() == {
        "idempotency_records_deleted": 0,
        "kobo_payloads_emptied": 0,
    }
    # The old client_id's report is still the one a resend gets back, with the id of the
    # source it added (kept with the report's submission key, not with the pruned record).
    again = api.post(URL, old, format="json")
    assert (again.status_code, again.json()) == (200, first | {"replayed": True})
    assert first["new_sources"] == [Source.objects.get(name="Ward monitor").public_id]
    assert Report.objects.count() == 4


def test_the_idempotency_retention_follows_its_setting(api, settings):
    settings.TRACKER_API_IDEMPOTENCY_DAYS = 7
    api.post(URL, report(), format="json", headers={"Idempotency-Key": "week-old"})
    api.post(URL, report(title="Other"), format="json", headers={"Idempotency-Key": "days-old"})
    age_keys("week-old", 7, hours=1)
    age_keys("days-old", 6)
    assert tasks.prune_partner_api_records()["idempotency_records_deleted"] == 1
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["days-old"]


def test_only_old_mapped_kobo_payloads_are_emptied(send_kobo):
    old_mapped = submission(_uuid="11111111-0000-4000-8000-000000000001")
    new_mapped = submission(_uuid="11111111-0000-4000-8000-000000000002")
    old_unmapped = submission(_uuid="11111111-0000-4000-8000-000000000003", **UNMAPPABLE)
    assert [send_kobo(p).status_code for p in (old_mapped, new_mapped, old_unmapped)] == [
        201,
        201,
        202,
    ]
    age_submission(old_mapped["_uuid"], 90, hours=1)
    age_submission(new_mapped["_uuid"], 89, hours=23)
    age_submission(old_unmapped["_uuid"], 400)
    assert tasks.prune_partner_api_records() == {
        "idempotency_records_deleted": 0,
        "kobo_payloads_emptied": 1,
    }
    kept = {s.uuid: s for s in KoboSubmission.objects.all()}
    assert kept[old_mapped["_uuid"]].payload == {}
    assert kept[new_mapped["_uuid"]].payload == new_mapped
    assert kept[old_unmapped["_uuid"]].payload == old_unmapped
    # The emptied row keeps everything but the payload.
    emptied = kept[old_mapped["_uuid"]]
    assert (emptied.status, emptied.kobo_id, emptied.submitted_at) == (
        "mapped",
        SUBMISSION["_id"],
        SUBMISSION["_submission_time"],
    )
    assert emptied.report.title == SUBMISSION["group_event/event_title"]
    assert tasks.prune_partner_api_records()["kobo_payloads_emptied"] == 0


def test_a_kobo_submission_mapped_recently_keeps_its_payload_however_old(send_kobo, places):
    # Received long ago, kept unmapped, then mapped again yesterday: its 90 days start now.
    late = submission(_uuid="22222222-0000-4000-8000-000000000001", **UNMAPPABLE)
    send_kobo(late)
    age_submission(late["_uuid"], 200)
    fixed = submission(_uuid=late["_uuid"])
    assert send_kobo(fixed).status_code == 201
    assert tasks.prune_partner_api_records()["kobo_payloads_emptied"] == 0
    assert KoboSubmission.objects.get().payload == fixed


def test_a_resent_kobo_submission_after_pruning_is_not_duplicated(send_kobo):
    first = send_kobo(SUBMISSION)
    age_submission(SUBMISSION["_uuid"], 120)
    assert tasks.prune_partner_api_records()["kobo_payloads_emptied"] == 1
    again = send_kobo(submission(_id=318640999))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Report.objects.count() == 1
    assert KoboSubmission.objects.get().payload == {}


def test_the_payload_retention_follows_its_setting(send_kobo, settings):
    settings.TRACKER_KOBO_PAYLOAD_DAYS = 10
    send_kobo(SUBMISSION)
    age_submission(SUBMISSION["_uuid"], 10, hours=1)
    assert tasks.prune_partner_api_records()["kobo_payloads_emptied"] == 1
