"""The approved reports' public records (reports.publication): one per approved report, exactly
what the API serves, rebuilt by everything that changes what they show (services, admin
pages, the gazetteer import), and their updated_at moving only when the public shape moved."""

import json
import threading
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from taggit.models import Tag

from reports import publication, services
from reports.exceptions import NotPermitted
from reports.models import PublicReport, Source
from tests import dashboard_data


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
            # The place's other names (an inline of the change form), left as they are.
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
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


def test_paging_after_a_rename_that_touched_many_reports_neither_repeats_nor_loops(
    api, client, field_partner, moderator, file_report, news_source, monkeypatch
):
    from reports.api import pagination

    reports = [
        dashboard_data._approved(
            file_report(field_partner, title=f"Report {n}"), field_partner, moderator
        )
        for n in range(5)
    ]
    # DRF's cursor handles records sharing one time with an offset it caps (1,000); a rename
    # writes all its records in one go. A cap of 2 shows with five what 2,000 would do.
    monkeypatch.setattr(pagination.StableCursorPagination, "offset_cutoff", 2)
    client.force_login(moderator)
    response = client.post(
        f"/admin/reports/source/{news_source.pk}/change/",
        {
            "source_type": "news_media",
            "name": "The Irrawaddy (English)",
            "title": news_source.title,
            "url": news_source.url,
            "published_on": str(news_source.published_on),
            "language": "en",
        },
    )
    assert response.status_code == 302
    seen, url, pages = [], "/api/v1/reports/?page_size=1", 0
    while url and pages < 20:
        data = api.get(url).json()
        seen += [r["id"] for r in data["results"]]
        url, pages = data["next"], pages + 1
    assert seen == [r.pk for r in reports]
    assert len(set(PublicReport.objects.values_list("changed_at", flat=True))) == 5


def test_an_indent_asked_for_in_accept_still_gives_valid_json(api, approved):
    response = api.get("/api/v1/reports/", HTTP_ACCEPT="application/json; indent=4")
    assert response.status_code == 200
    assert [r["id"] for r in json.loads(response.content)["results"]] == [approved.pk]
    one = api.get(f"/api/v1/reports/{approved.pk}/", HTTP_ACCEPT="application/json; indent=4")
    assert json.loads(one.content)["id"] == approved.pk


def _in_thread(target, barrier, errors):
    from django.db import connection

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; the race needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_source_made_confidential_while_its_reports_are_approved_is_never_left_public(
    field_partner, moderator, file_report, news_source
):
    """The admin's sequence (lock the citing reports, save the source, follow it) against
    approvals of reports citing it, released together, several rounds."""
    for round_ in range(4):
        news_source.is_confidential = False
        news_source.save()
        pending = [file_report(field_partner, title=f"Round {round_}, {n}") for n in range(3)]
        for report in pending:
            services.report_submit(report=report, actor=field_partner)

        def make_confidential():
            with transaction.atomic():
                publication.lock_reports_citing(news_source)
                Source.objects.filter(pk=news_source.pk).update(is_confidential=True)
                publication.follow_source(Source.objects.get(pk=news_source.pk))
                # Still uncommitted: an approval now must wait, not read the old source.
                time.sleep(0.3)

        def approve(report):
            return lambda: services.report_approve(report=report, actor=moderator)

        barrier, errors = threading.Barrier(4, timeout=30), []
        threads = [_in_thread(make_confidential, barrier, errors)] + [
            _in_thread(approve(report), barrier, errors) for report in pending
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        body = "".join(PublicReport.objects.values_list("document", flat=True))
        assert news_source.name not in body and news_source.url not in body
        assert publication.verify() == []


# --- the services the admin calls to correct sources, events and tags ----------------------


def test_correcting_a_source_through_the_service_reaches_the_public_record(
    api, approved, moderator, news_source
):
    services.source_update(
        actor=moderator,
        source=news_source,
        source_type="news_media",
        name="The Irrawaddy (English edition)",
        title=news_source.title,
        url=news_source.url,
        published_on=news_source.published_on,
        language="en",
        is_confidential=False,
    )
    assert served(api, approved)["sources"][0]["name"] == "The Irrawaddy (English edition)"
    assert publication.verify() == []


def test_only_a_moderator_corrects_a_source_and_a_refused_correction_changes_nothing(
    api, approved, field_partner, moderator, news_source
):
    before = served(api, approved)
    fields = {
        "source_type": "news_media",
        "name": "Renamed",
        "title": "",
        "url": "",
        "published_on": None,
        "language": "en",
        "is_confidential": False,
    }
    with pytest.raises(NotPermitted):
        services.source_update(actor=field_partner, source=news_source, **fields)
    with pytest.raises(ValidationError) as refused:
        services.source_update(
            actor=moderator, source=news_source, **fields | {"url": "ftp://example.org/list"}
        )
    assert set(refused.value.message_dict) == {"url"}
    assert Source.objects.get(pk=news_source.pk).name == news_source.name
    assert served(api, approved) == before


def test_renaming_an_event_through_the_service_reaches_its_reports(api, approved, moderator):
    event = services.event_create(actor=moderator, name="Loikaw shelling")
    services.report_link_event(report=approved, event=event, actor=moderator)
    services.event_update(
        actor=moderator, event=event, name="Loikaw shelling, 12 November", description=""
    )
    assert served(api, approved)["event"]["name"] == "Loikaw shelling, 12 November"
    with pytest.raises(ValidationError) as refused:
        services.event_update(actor=moderator, event=event, name="  ", description="")
    assert refused.value.message_dict == {"name": ["Name the event."]}
    assert served(api, approved)["event"]["name"] == "Loikaw shelling, 12 November"
    assert publication.verify() == []


def test_renaming_a_tag_through_the_service_reaches_its_reports(api, approved, moderator):
    tag = Tag.objects.get(name="Operation 1111")
    services.tag_update(actor=moderator, tag=tag, name="Operation 1111 (Karenni)", slug="op-1111")
    assert served(api, approved)["tags"] == ["Operation 1111 (Karenni)"]
    assert publication.verify() == []


def test_the_report_serializer_only_ever_gives_the_public_shape(approved, moderator):
    from reports.api.serializers import ReportSerializer

    services.report_update(
        report=approved, actor=moderator, latitude="19.6741", longitude="97.2093"
    )
    approved.refresh_from_db()
    shown = ReportSerializer(approved).data
    assert shown == publication.report_data(approved)
    assert (shown["latitude"], shown["longitude"], shown["location_precision"]) == (
        float(approved.place.latitude),
        float(approved.place.longitude),
        "place",
    )


def test_undated_sources_come_after_dated_ones_on_every_database(
    api, field_partner, moderator, file_report, news_source
):
    """Newest first and undated last, on SQLite and PostgreSQL alike (PostgreSQL's descending
    order would put an undated source first), so a mirror sees the same order whatever serves
    it."""
    undated = services.source_create(
        actor=moderator, source_type="news_media", name="Aaa Weekly", url="", published_on=None
    )
    older = services.source_create(
        actor=moderator, source_type="news_media", name="Zz Daily", published_on="2023-11-01"
    )
    report = file_report(field_partner, sources=[undated, older, news_source])
    dashboard_data._approved(report, field_partner, moderator)

    names = [source["name"] for source in served(api, report)["sources"]]

    assert names == ["The Irrawaddy", "Zz Daily", "Aaa Weekly"]
    assert publication.verify() == []
