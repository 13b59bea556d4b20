"""The approved reports' public records (reports.publication): one per approved report, exactly
what the API serves, rebuilt by everything that changes what they show (services, admin
pages, the gazetteer import), and their updated_at moving only when the public shape moved."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from reports import publication, services
from reports.models import PublicReport
from tests import dashboard_data


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def approved(field_partner, moderator, file_report):
    report = file_report(field_partner)
    return dashboard_data._approved(report, field_partner, moderator)


def served(api, report) -> dict:
    response = api.get(f"/api/v1/reports/{report.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def changed_at(report):
    return PublicReport.objects.get(pk=report.pk).changed_at


def backdate(report, minutes=10):
    """Pretend the record was written a while ago, so a new write shows in updated_since."""
    record = PublicReport.objects.get(pk=report.pk)
    earlier = record.changed_at - timedelta(minutes=minutes)
    data = json.loads(record.document)
    del data["updated_at"]
    record.changed_at, record.document = earlier, publication.render(data, earlier)
    record.save()
    return earlier


def since(api, moment) -> list[int]:
    response = api.get("/api/v1/reports/", {"updated_since": moment.isoformat()})
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def test_approval_writes_the_record_and_retraction_removes_it(
    api, field_partner, moderator, file_report
):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    assert not PublicReport.objects.exists()
    services.report_approve(report=report, actor=moderator)

    record = PublicReport.objects.get()
    assert record.pk == report.pk
    assert served(api, report) == json.loads(record.document)
    assert served(api, report)["updated_at"] == timezone.localtime(record.changed_at).isoformat()

    services.report_retract(report=report, actor=moderator, reason="Duplicate of #1")
    assert not PublicReport.objects.exists()
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert publication.verify() == []


def test_an_edit_the_public_cannot_see_leaves_updated_at_alone(api, approved, moderator):
    earlier = backdate(approved)
    services.report_update(report=approved, actor=moderator, internal_notes="Called the camp.")
    assert changed_at(approved) == earlier
    assert since(api, earlier + timedelta(seconds=1)) == []

    services.report_update(report=approved, actor=moderator, title="Residents flee Loikaw town")
    assert changed_at(approved) > earlier
    assert since(api, earlier + timedelta(seconds=1)) == [approved.pk]
    assert served(api, approved)["title"] == "Residents flee Loikaw town"


def test_renaming_a_source_in_the_admin_changes_the_reports_that_cite_it(
    api, client, approved, moderator, news_source
):
    earlier = backdate(approved)
    client.force_login(moderator)
    response = client.post(
        f"/admin/reports/source/{news_source.pk}/change/",
        {
            "source_type": "news_media",
            "name": "The Irrawaddy (English edition)",
            "title": news_source.title,
            "url": news_source.url,
            "published_on": str(news_source.published_on or ""),
            "language": "en",
        },
    )
    assert response.status_code == 302
    assert since(api, earlier + timedelta(seconds=1)) == [approved.pk]
    assert served(api, approved)["sources"][0]["name"] == "The Irrawaddy (English edition)"
    assert publication.verify() == []


def test_a_source_made_confidential_in_the_admin_disappears_from_public_records_at_once(
    api, client, approved, moderator, news_source
):
    client.force_login(moderator)
    response = client.post(
        f"/admin/reports/source/{news_source.pk}/change/",
        {
            "source_type": "news_media",
            "name": news_source.name,
            "title": news_source.title,
            "url": news_source.url,
            "published_on": str(news_source.published_on or ""),
            "language": "en",
            "is_confidential": "on",
        },
    )
    assert response.status_code == 302
    body = api.get("/api/v1/reports/").content.decode()
    assert news_source.name not in body and news_source.url not in body
    assert served(api, approved)["sources"] == [
        {
            "id": None,
            "source_type": "news_media",
            "label": "confidential media source",
            "is_confidential": True,
            "conflict_of_interest": False,
            "name": None,
            "title": None,
            "url": None,
            "published_on": None,
            "language": None,
        }
    ]


def test_a_source_cited_by_a_report_cannot_be_deleted_in_the_admin(
    client, approved, moderator, news_source
):
    client.force_login(moderator)
    response = client.post(f"/admin/reports/source/{news_source.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert approved.sources.get() == news_source


def test_renaming_an_event_or_a_tag_in_the_admin_changes_its_reports(
    api, client, approved, moderator
):
    event = services.event_create_linking(
        actor=moderator, name="Loikaw", reports=[(approved, None)]
    )
    earlier = backdate(approved)
    client.force_login(moderator)
    response = client.post(
        f"/admin/reports/event/{event.pk}/change/",
        {
            "name": "Fall of Loikaw, November 2023",
            "description": "",
            "reports-TOTAL_FORMS": "1",
            "reports-INITIAL_FORMS": "1",
            "reports-MIN_NUM_FORMS": "0",
            "reports-MAX_NUM_FORMS": "1000",
            "reports-0-id": approved.pk,
            "reports-0-event": event.pk,
            "reference_figures-TOTAL_FORMS": "0",
            "reference_figures-INITIAL_FORMS": "0",
            "reference_figures-MIN_NUM_FORMS": "0",
            "reference_figures-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert served(api, approved)["event"] == {
        "id": event.pk,
        "name": "Fall of Loikaw, November 2023",
    }
    assert since(api, earlier + timedelta(seconds=1)) == [approved.pk]

    tag = approved.tags.get()
    response = client.post(
        f"/admin/taggit/tag/{tag.pk}/change/",
        {
            "name": "Operation 1111 (Karenni)",
            "slug": tag.slug,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert served(api, approved)["tags"] == ["Operation 1111 (Karenni)"]
    assert publication.verify() == []


def test_renaming_a_place_in_the_admin_changes_the_reports_placed_there(
    api, admin_client, approved, places
):
    town = places["loikaw_town"]
    response = admin_client.post(
        f"/admin/gazetteer/place/{town.pk}/change/",
        {
            "name_en": "Loikaw",
            "name_local": town.name_local,
            "kind": town.kind,
            "latitude": str(town.latitude or ""),
            "longitude": str(town.longitude or ""),
            "household_size": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert served(api, approved)["place"]["name"] == "Loikaw"
    assert publication.verify() == []


def test_a_gazetteer_import_that_renames_a_place_changes_the_reports_placed_there(
    api, approved, places, tmp_path: Path
):
    town = places["loikaw_town"]
    earlier = backdate(approved)
    towns = tmp_path / "towns.csv"
    towns.write_text(
        "SR_Pcode,SR_Name_Eng,District/SAZ_Pcode,District/SAZ_Name_Eng,Tsp_Pcode,"
        "Township_Name_Eng,Town_Pcode,Town_Name_Eng,Town_Name_MMR,Longitude,Latitude\n"
        f"MMR002,Kayah,MMR002D001,Loikaw,MMR002001,Loikaw,{town.pcode},Loikaw (town),"
        f"လွိုင်ကော်,97.20993,19.67424\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_gazetteer", str(towns), stdout=out)
    assert "1 public records of approved reports updated" in out.getvalue()
    assert served(api, approved)["place"]["name"] == "Loikaw (town)"
    assert since(api, earlier + timedelta(seconds=1)) == [approved.pk]
    assert publication.verify() == []


def test_check_command_finds_a_stale_record_and_rebuild_fixes_only_that_one(
    api, approved, field_partner, moderator, file_report
):
    other = dashboard_data._approved(
        file_report(field_partner, title="Shelling in Demoso"), field_partner, moderator
    )
    untouched = changed_at(other)
    PublicReport.objects.filter(pk=approved.pk).update(document='{"id":0}')
    with pytest.raises(CommandError, match="1 public records differ"):
        call_command("rebuild_public_records", "--check", stdout=StringIO())
    call_command("rebuild_public_records", stdout=StringIO())
    assert publication.verify() == []
    assert served(api, approved)["title"] == "Residents flee Loikaw"
    assert changed_at(other) == untouched


def test_labels_are_the_same_whatever_language_the_reader_asks_for(api, approved):
    english = served(api, approved)
    burmese = api.get(f"/api/v1/reports/{approved.pk}/", HTTP_ACCEPT_LANGUAGE="my").json()
    assert burmese == english
    assert english["figures"][0]["metric_name"] == "People newly displaced"
