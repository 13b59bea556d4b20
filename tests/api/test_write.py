"""POST /api/v1/submissions/: single and bulk reports from an API client, validated by the
services with the web form's messages, replayable under an Idempotency-Key."""

import json
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from reports import services
from reports.models import ApiIdempotencyKey, Report, Source
from reports.workflow import Status

URL = "/api/v1/submissions/"


pytestmark = pytest.mark.usefixtures("api_with_the_key")


def report(**overrides):
    data = {
        "title": "Residents flee Loikaw",
        "place": "MMR002001701",
        "start_date": "2023-11-11",
        "end_date": "2023-11-13",
        "cause": "ground_assault",
        "public_summary": "About 35,000 residents left the town.",
        "internal_notes": "Contact in ward 3.",
        "tags": ["Operation 1111"],
        "figures": [{"metric": "newly_displaced", "qualifier": "approximately", "value": 35000}],
    }
    data.update(overrides)
    return data


def details(response):
    return [(e["attr"], e["detail"]) for e in response.json()["errors"]]


def test_a_draft_is_filed_for_the_clients_organisation(api, client_and_key, organizations):
    response = api.post(URL, report(), format="json")
    assert response.status_code == 201
    saved = Report.objects.get()
    assert response.json() == {
        "id": saved.pk,
        "status": "draft",
        "replayed": False,
        "new_sources": [],
    }
    assert saved.organization == organizations["monitors"]
    assert saved.submitted_by == client_and_key[0].user
    assert (saved.title, saved.place.pcode, saved.start_date, saved.end_date) == (
        "Residents flee Loikaw",
        "MMR002001701",
        date(2023, 11, 11),
        date(2023, 11, 13),
    )
    assert [(f.metric, f.qualifier, f.value) for f in saved.figures.all()] == [
        ("newly_displaced", "approximately", 35000)
    ]
    assert [t.name for t in saved.tags.all()] == ["Operation 1111"]
    assert [h.action for h in saved.history.all()] == ["create"]


def test_a_submitted_report_with_cited_and_new_sources(api, news_source):
    body = report(
        status="submitted",
        sources=[news_source.public_id],
        new_sources=[
            {"source_type": "field_observation", "name": "Ward 3 monitor", "is_confidential": True}
        ],
    )
    response = api.post(URL, body, format="json")
    assert response.status_code == 201
    saved = Report.objects.get()
    assert response.json()["status"] == saved.status == Status.SUBMITTED
    assert sorted(s.name for s in saved.sources.all()) == ["The Irrawaddy", "Ward 3 monitor"]
    assert Source.objects.get(name="Ward 3 monitor").is_confidential is True


def test_the_answer_gives_the_new_sources_ids_to_cite_them_by_again(api, news_source):
    """A confidential informant added with one report is cited by the id the answer gives in
    the next; the same report sent again under its client_id answers with the same ids."""
    new_sources = [
        {"source_type": "field_observation", "name": "Ward 3 monitor", "is_confidential": True},
        {"source_type": "local_cso", "name": "Camp committee"},
    ]
    body = report(client_id="ward-3-0001", sources=[news_source.public_id], new_sources=new_sources)
    first = api.post(URL, body, format="json")
    monitor, committee = (Source.objects.get(name=s["name"]) for s in new_sources)
    assert first.status_code == 201
    assert first.json() == {
        "id": Report.objects.get().pk,
        "status": "draft",
        "replayed": False,
        "new_sources": [monitor.public_id, committee.public_id],
    }
    again = api.post(URL, body, format="json")
    assert (again.status_code, again.json()) == (200, first.json() | {"replayed": True})
    assert Source.objects.count() == 3

    later = api.post(URL, report(title="Second report", sources=[monitor.public_id]), format="json")
    assert later.status_code == 201 and later.json()["new_sources"] == []
    assert list(Report.objects.get(title="Second report").sources.all()) == [monitor]


def test_errors_are_the_web_forms_messages_all_at_once_and_nothing_is_stored(api):
    body = report(
        title="",
        place="MMR999",
        start_date="11/11/2023",
        figures=[{"metric": "newly_displaced", "value": "lots"}],
    )
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert sorted(details(response)) == [
        ("figures.1.value", "Figure 1: Enter a whole number."),
        ("place", "Unknown P-code 'MMR999': give the P-code of a place in the gazetteer."),
        ("start_date", "Enter a date as YYYY-MM-DD."),
        ("title", "Give the report a short title."),
    ]
    assert Report.objects.count() == 0


def test_numbers_are_read_as_people_write_them(api):
    figures = [
        {"metric": "newly_displaced", "qualifier": "approximately", "value": "35,000"},
        {"metric": "killed", "qualifier": "range", "value_min": "၁၂", "value_max": "1,200"},
    ]
    assert api.post(URL, report(figures=figures), format="json").status_code == 201
    saved = Report.objects.get().figures.order_by("pk")
    assert [(f.value, f.value_min, f.value_max) for f in saved] == [
        (35000, None, None),
        (None, 12, 1200),
    ]
    refused = api.post(URL, report(figures=[{"metric": "killed", "value": "3,50"}]), format="json")
    assert refused.status_code == 400
    assert details(refused) == [("figures.1.value", "Figure 1: Enter a whole number.")]


@pytest.mark.parametrize("typed", ["20231111", "2023-W45", "2023-11-11T10:00", "11/11/2023"])
def test_a_date_is_read_only_as_year_month_day(api, typed):
    response = api.post(URL, report(start_date=typed, end_date=None), format="json")
    assert response.status_code == 400
    assert details(response) == [("start_date", "Enter a date as YYYY-MM-DD.")]


def test_a_date_before_1900_is_refused_naming_its_field(api):
    # Year 1 was stored, then the moderator's review page and the public briefing, which count
    # back from a report's date, answered 500 (found by this session's bad-input check).
    response = api.post(URL, report(start_date="0001-01-01", end_date=None), format="json")
    assert response.status_code == 400
    assert details(response) == [("start_date", "Enter a date from 1 January 1900 on.")]
    assert Report.objects.count() == 0


def test_submitting_without_a_source_is_refused_with_422(api):
    response = api.post(URL, report(status="submitted"), format="json")
    assert response.status_code == 422
    assert details(response) == [
        (
            None,
            "Cite at least one source before submitting (your own observation counts: add a "
            "source of type 'Direct observation by a field partner').",
        )
    ]
    assert Report.objects.count() == 0


def test_submitting_without_a_source_beside_other_errors_says_all_of_it_at_once(api):
    # A client on a connection that drops learns in one answer what else submitting needs.
    response = api.post(URL, report(status="submitted", place="MMR999", figures=[]), format="json")
    assert response.status_code == 400
    assert sorted(details(response)) == [
        ("figures", "Add at least one figure before submitting."),
        ("place", "Unknown P-code 'MMR999': give the P-code of a place in the gazetteer."),
        (
            "sources",
            "Cite at least one source before submitting (your own observation counts: add a "
            "source of type 'Direct observation by a field partner').",
        ),
    ]
    # A draft needs neither yet.
    draft = api.post(URL, report(place="MMR999", figures=[]), format="json")
    assert details(draft) == [
        ("place", "Unknown P-code 'MMR999': give the P-code of a place in the gazetteer.")
    ]
    assert Report.objects.count() == 0


def test_another_organisations_confidential_source_and_a_missing_one_read_the_same(
    api, other_partner, parties
):
    secret = services.source_create(
        actor=other_partner, source_type="local_cso", name="Relief contact", is_confidential=True
    )
    answers = {}
    for source_id in (secret.public_id, secret.public_id + 1000):
        for status in ("draft", "submitted"):  # submitted, it leaves the report no source
            response = api.post(URL, report(sources=[source_id], status=status), format="json")
            assert response.status_code == 400
            assert details(response) == [("sources", f"You cannot cite source #{source_id}.")]
        # Beside other mistakes too, and as the source attributing the harm.
        others = report(
            sources=[source_id],
            perpetrator="sac",
            perpetrator_sources=[source_id],
            place="MMR999",
            figures=[{"metric": "killed", "value": "many"}],
        )
        response = api.post(URL, others, format="json")
        assert response.status_code == 400
        answers[source_id] = sorted(
            (attr, detail.replace(f"#{source_id}", "#N")) for attr, detail in details(response)
        )
    assert answers[secret.public_id] == answers[secret.public_id + 1000]
    assert [attr for attr, _detail in answers[secret.public_id]] == [
        "figures.1.value", "perpetrator_sources", "place", "sources"
    ]  # fmt: skip
    assert Report.objects.count() == 0


def test_a_source_is_cited_by_its_public_id_never_by_its_database_id(api, news_source):
    """The database's ids count up and never leave the moderation area (their gaps would
    count the confidential sources): the write API takes the public id only."""
    response = api.post(URL, report(sources=[news_source.pk]), format="json")
    assert response.status_code == 400
    assert details(response) == [("sources", f"You cannot cite source #{news_source.pk}.")]
    response = api.post(URL, report(sources=[news_source.public_id]), format="json")
    assert response.status_code == 201, response.content
    assert list(Report.objects.get().sources.all()) == [news_source]


@pytest.mark.parametrize(
    "body, expected",
    [
        (report(title=["a", "list"]), [("title", "Not a valid string.")]),
        (report(figures={"metric": "killed"}), None),
        (
            report(figures=[{"metric": "killed", "value": True}]),
            [("figures.1.value", "Enter a number (a JSON number or a string of digits).")],
        ),
        (report(sources=["one"]), [("sources.1", "A valid integer is required.")]),
        (report(colour="red"), [("colour", "Unknown field 'colour'.")]),
        (report(status="approved"), [("status", '"approved" is not a valid choice.')]),
        ([1, 2], [(None, 'Send a JSON object: one report, or {"reports": [...]}.')]),
        ("text", [(None, 'Send a JSON object: one report, or {"reports": [...]}.')]),
    ],
)
def test_wrong_types_are_400_with_the_field_named(api, body, expected):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    if expected is not None:
        assert details(response) == expected
    else:
        assert details(response)[0][0] == "figures"
    assert Report.objects.count() == 0


def test_malformed_json_is_400(api):
    response = api.post(URL, '{"title": "x",', content_type="application/json")
    assert response.status_code == 400
    assert (
        response.json()["type"] == "client_error" or response.json()["type"] == "validation_error"
    )
    assert Report.objects.count() == 0


@pytest.mark.parametrize("depth", [33, 100_000])
def test_json_nested_too_deep_is_400_naming_the_problem(api, depth):
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = api.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == (
        "JSON parse error - lists and objects are nested more than 32 levels deep."
    )
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "body, retry_key, where",
    [
        ('{"title": "Raid \\ud800"}', "a-retry-key-1", "title"),
        ('{"title": "Raid", "\\ud800": 1}', "", "a field's name"),
        (
            '{"reports": [{"title": "Raid", "figures": [{"\\udfff": 1}]}]}',
            "",
            "a field's name in reports.0.figures.0",
        ),
        ('"\\ud800"', "", "the body"),
    ],
)
def test_a_lone_surrogate_is_400_naming_where(api, body, retry_key, where):
    # Half a character: Python's decoder takes it in, and writing it out again (the field's name
    # in an error, the body's hash for the retry key) failed with a 500.
    headers = {"HTTP_IDEMPOTENCY_KEY": retry_key} if retry_key else {}
    response = api.post(URL, body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == (
        "JSON parse error - a lone surrogate escape (\\ud800 to \\udfff), half of a character, "
        f"in {where}: send the whole character, or valid UTF-8."
    )
    assert Report.objects.count() == 0
    # A whole character written as two escapes (a surrogate pair) is one character.
    pair = api.post(URL, report(title="Raid \U0001f525"), format="json")
    assert pair.status_code == 201


def test_an_unknown_place_is_named_cut_short(api):
    response = api.post(URL, report(place="MMR" + "9" * 100_000), format="json")
    assert response.status_code == 400
    assert details(response) == [
        (
            "place",
            f"Unknown P-code 'MMR{'9' * 37}…': give the P-code of a place in the gazetteer.",
        )
    ]


def test_only_json_is_accepted(api):
    response = api.post(URL, {"title": "Raid"}, format="multipart")
    assert response.status_code == 415
    assert Report.objects.count() == 0


def test_an_oversized_body_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = api.post(URL, report(public_summary="x" * 3000), format="json")
    assert response.status_code == 413
    assert details(response) == [(None, "The request body is larger than 2,000 bytes.")]
    assert Report.objects.count() == 0


def test_bulk_stores_the_good_reports_and_reports_the_bad_ones(api):
    body = {
        "reports": [
            report(title="Good one"),
            report(title="", place="nowhere"),
            report(title="Good two", figures=[{"metric": "killed", "value": 3}]),
            "not an object",
            report(title="Good but refused", status="submitted"),
        ]
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 200
    data = response.json()
    one, two = Report.objects.get(title="Good one"), Report.objects.get(title="Good two")
    assert (data["created"], data["existing"], data["failed"]) == (2, 0, 3)
    results = data["results"]
    assert results[0] == {
        "index": 0,
        "result": "created",
        "id": one.pk,
        "status": "draft",
        "replayed": False,
        "new_sources": [],
    }
    assert results[2]["id"] == two.pk
    assert results[1]["result"] == "failed"
    assert sorted((e["attr"], e["detail"]) for e in results[1]["errors"]) == [
        ("place", "Unknown P-code 'nowhere': give the P-code of a place in the gazetteer."),
        ("title", "Give the report a short title."),
    ]
    assert results[3]["errors"][0]["detail"] == "Invalid data. Expected a dictionary, but got str."
    assert results[4]["errors"][0]["detail"].startswith("Cite at least one source")
    assert Report.objects.count() == 2
    assert sorted(Report.objects.values_list("title", flat=True)) == ["Good one", "Good two"]


def test_bulk_limits(api):
    too_many = api.post(URL, {"reports": [report()] * 501}, format="json")
    assert too_many.status_code == 400
    assert details(too_many) == [("reports", "Ensure this field has no more than 500 elements.")]
    empty = api.post(URL, {"reports": []}, format="json")
    assert empty.status_code == 400
    assert Report.objects.count() == 0


def test_a_client_id_makes_a_resent_report_return_the_first_one(api):
    first = api.post(URL, report(client_id="kobo-4411-ward3"), format="json")
    # The same content: keys in another order, and "draft" said rather than left out.
    same = json.dumps(dict(reversed(list(report(client_id="kobo-4411-ward3").items()))))
    again = api.post(
        URL, same.replace('"title"', '"status": "draft", "title"'), content_type="application/json"
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {
        "id": first.json()["id"],
        "status": "draft",
        "replayed": True,
        "new_sources": [],
    }
    assert Report.objects.count() == 1


def conflict(client_id, record):
    return {
        "code": "idempotency_conflict",
        "detail": f"The client_id {client_id!r} was already used on "
        f"{record.created_at:%Y-%m-%d %H:%M} UTC for a report with different content. Use a "
        "new client_id for a new report; send the first content unchanged to get its answer "
        "again.",
        "attr": "client_id",
    }


def test_a_client_id_with_changed_content_is_409_and_nothing_is_stored(api, client_and_key):
    first = api.post(URL, report(client_id="ward3-2023-11-13"), format="json")
    record = ApiIdempotencyKey.objects.get()
    assert (record.client, record.key, record.status_code, record.response) == (
        client_and_key[0],
        "client_id: ward3-2023-11-13",
        201,
        first.json(),
    )
    changed = report(client_id="ward3-2023-11-13", status="submitted", title="Loikaw, revised")
    response = api.post(URL, changed, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [conflict("ward3-2023-11-13", record)],
    }
    saved = Report.objects.get()
    assert (saved.pk, saved.title, saved.status) == (
        first.json()["id"],
        "Residents flee Loikaw",
        Status.DRAFT,
    )
    assert [h.action for h in saved.history.all()] == ["create"]
    assert list(ApiIdempotencyKey.objects.values_list("key", "status_code")) == [
        ("client_id: ward3-2023-11-13", 201)
    ]
    # The first content is still answered with the first report.
    again = api.post(URL, report(client_id="ward3-2023-11-13"), format="json")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_a_refused_client_id_leaves_no_fingerprint_behind(api):
    refused = api.post(URL, report(client_id="ward3-retry-01", title=""), format="json")
    assert refused.status_code == 400
    assert ApiIdempotencyKey.objects.count() == 0
    fixed = api.post(URL, report(client_id="ward3-retry-01"), format="json")
    assert fixed.status_code == 201
    assert Report.objects.get().pk == fixed.json()["id"]


def test_a_conflicting_client_id_in_bulk_fails_only_its_own_item(api):
    first = api.post(URL, report(client_id="bulk-item-0001"), format="json")
    body = {
        "reports": [
            report(client_id="bulk-item-0001"),
            report(client_id="bulk-item-0001", title="Changed"),
            report(client_id="bulk-item-0002", title="New one"),
            report(title="No client id"),
        ]
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 200
    record = ApiIdempotencyKey.objects.get(key="client_id: bulk-item-0001")
    new_one, no_id = Report.objects.get(title="New one"), Report.objects.get(title="No client id")
    assert response.json() == {
        "created": 2,
        "existing": 1,
        "failed": 1,
        "results": [
            {
                "index": 0,
                "result": "existing",
                "id": first.json()["id"],
                "status": "draft",
                "replayed": True,
                "new_sources": [],
            },
            {"index": 1, "result": "failed", "errors": [conflict("bulk-item-0001", record)]},
            {
                "index": 2,
                "result": "created",
                "id": new_one.pk,
                "status": "draft",
                "replayed": False,
                "new_sources": [],
            },
            {
                "index": 3,
                "result": "created",
                "id": no_id.pk,
                "status": "draft",
                "replayed": False,
                "new_sources": [],
            },
        ],
    }
    assert Report.objects.count() == 3
    assert not Report.objects.filter(title="Changed").exists()
    assert sorted(ApiIdempotencyKey.objects.values_list("key", flat=True)) == [
        "client_id: bulk-item-0001",
        "client_id: bulk-item-0002",
    ]


def test_one_client_id_twice_in_one_bulk_request(api):
    body = {
        "reports": [
            report(client_id="twice-in-bulk"),
            report(client_id="twice-in-bulk"),
            report(client_id="twice-in-bulk", title="Other"),
        ]
    }
    results = api.post(URL, body, format="json").json()["results"]
    report_id = Report.objects.get().pk
    assert [(r["result"], r.get("id")) for r in results] == [
        ("created", report_id),
        ("existing", report_id),
        ("failed", None),
    ]
    assert results[2]["errors"][0]["code"] == "idempotency_conflict"


def test_client_ids_belong_to_one_client(api, admin_user, organizations):
    _, other_key = services.api_client_create(
        actor=admin_user, name="Relief", organization=organizations["relief"], can_submit=True
    )
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {other_key}")
    mine = api.post(URL, report(client_id="shared-client-id"), format="json")
    theirs = other.post(
        URL, report(client_id="shared-client-id", title="Relief's report"), format="json"
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert sorted(Report.objects.values_list("title", "organization__name")) == [
        ("Relief's report", "Demoso relief"),
        ("Residents flee Loikaw", "Loikaw monitors"),
    ]
    # Each client's own content is what its client_id is compared with.
    assert other.post(URL, report(client_id="shared-client-id"), format="json").status_code == 409
    assert api.post(URL, report(client_id="shared-client-id"), format="json").status_code == 200
    assert Report.objects.count() == 2


def test_a_client_id_conflict_under_an_idempotency_key_is_replayed_as_a_409(api):
    api.post(URL, report(client_id="under-a-header"), format="json")
    headers = {"Idempotency-Key": "changed-body-1"}
    changed = report(client_id="under-a-header", title="Changed")
    first = api.post(URL, changed, format="json", headers=headers)
    again = api.post(URL, changed, format="json", headers=headers)
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_a_client_id_from_before_fingerprints_still_returns_its_report(api, client_and_key):
    # A report filed under a client_id whose fingerprint is gone (pruned after
    # TRACKER_API_IDEMPOTENCY_DAYS, or filed before fingerprints were kept): resent, with any
    # content, it is still the one report, and that content becomes the fingerprint.
    first = api.post(URL, report(client_id="old-client-id"), format="json")
    ApiIdempotencyKey.objects.all().delete()
    again = api.post(URL, report(client_id="old-client-id", title="Changed"), format="json")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert list(Report.objects.values_list("title", flat=True)) == ["Residents flee Loikaw"]
    assert ApiIdempotencyKey.objects.get().status_code == 200
    changed = api.post(URL, report(client_id="old-client-id", title="Again"), format="json")
    assert changed.status_code == 409


def test_idempotency_key_replays_the_same_answer(api, client_and_key):
    headers = {"Idempotency-Key": "9b2f5c1e-upload-17"}
    first = api.post(URL, report(), format="json", headers=headers)
    # The same JSON with its keys in another order and other spacing is the same body.
    same = json.dumps(dict(reversed(list(report().items()))), indent=2)
    again = api.post(URL, same, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1
    stored = ApiIdempotencyKey.objects.get()
    assert (stored.key, stored.status_code) == ("9b2f5c1e-upload-17", 201)


def test_idempotency_key_with_another_body_is_409_and_nothing_changes(api):
    headers = {"Idempotency-Key": "batch-2023-11-13"}
    api.post(URL, report(), format="json", headers=headers)
    response = api.post(URL, report(title="Something else"), format="json", headers=headers)
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_conflict"
    assert "already used on" in response.json()["errors"][0]["detail"]
    assert list(Report.objects.values_list("title", flat=True)) == ["Residents flee Loikaw"]


def test_a_refused_answer_is_replayed_too(api):
    headers = {"Idempotency-Key": "k-400"}
    first = api.post(URL, report(title=""), format="json", headers=headers)
    again = api.post(URL, report(title=""), format="json", headers=headers)
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json()


def test_idempotency_keys_belong_to_one_client(api, admin_user, organizations):
    _, other_key = services.api_client_create(
        actor=admin_user, name="Relief", organization=organizations["relief"], can_submit=True
    )
    headers = {"Idempotency-Key": "shared-key-1"}
    api.post(URL, report(), format="json", headers=headers)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {other_key}")
    response = other.post(URL, report(title="Relief's report"), format="json", headers=headers)
    assert response.status_code == 201
    assert Report.objects.count() == 2


def test_a_bad_idempotency_key_is_400(api):
    response = api.post(URL, report(), format="json", headers={"Idempotency-Key": "has space"})
    assert response.status_code == 400
    assert details(response) == [("Idempotency-Key", "1 to 255 printable characters, no spaces.")]
    assert Report.objects.count() == 0


def at_once(key, *sends):
    """Each `send(client)` in a thread of its own, with a client sending `key`, all let go at
    the same moment (PostgreSQL: each thread its own connection, closed after)."""
    barrier = threading.Barrier(len(sends))

    def run(send):
        from django.db import connection as thread_connection

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        barrier.wait()
        try:
            send(client)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(send,)) for send in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_report(client_and_key):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks.")
    answers = []

    def send(client):
        response = client.post(URL, report(), format="json", headers={"Idempotency-Key": "race-1"})
        answers.append((response.status_code, response.json()))

    at_once(client_and_key[1], send, send)
    assert Report.objects.count() == 1
    report_id = Report.objects.get().pk
    assert sorted(a[0] for a in answers) == [201, 201]
    assert [a[1] for a in answers] == [
        {"id": report_id, "status": "draft", "replayed": False, "new_sources": []}
    ] * 2


@pytest.mark.django_db(transaction=True)
def test_one_client_id_with_two_contents_at_once_makes_one_report(client_and_key):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks.")
    answers = {}

    def sending(title):
        def send(client):
            body = report(client_id="race-client-id", title=title)
            answers[title] = client.post(URL, body, format="json").status_code

        return send

    at_once(client_and_key[1], sending("First"), sending("Second"))
    saved = Report.objects.get()
    assert sorted(answers.values()) == [201, 409]
    assert answers[saved.title] == 201
    assert ApiIdempotencyKey.objects.get().response == {
        "id": saved.pk,
        "status": "draft",
        "replayed": False,
        "new_sources": [],
    }


@pytest.mark.django_db(transaction=True)
def test_one_client_id_sent_twice_at_once_with_a_new_source_adds_it_once(client_and_key):
    """A phone whose connection dropped sends its queued report again while the first send is
    still being written: one report, one new source, and both answers give its id."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks.")
    answers = []
    body = report(
        client_id="race-new-source",
        new_sources=[{"source_type": "local_cso", "name": "Ward 3", "is_confidential": True}],
    )

    def send(client):
        response = client.post(URL, body, format="json")
        answers.append((response.status_code, response.json()))

    at_once(client_and_key[1], send, send)
    saved = Report.objects.get()
    added = Source.objects.get(name="Ward 3")
    assert list(saved.sources.all()) == [added]
    assert sorted((code, a["id"], a["new_sources"], a["replayed"]) for code, a in answers) == [
        (200, saved.pk, [added.public_id], True),
        (201, saved.pk, [added.public_id], False),
    ]


def test_nul_characters_are_400_not_a_database_error(api):
    response = api.post(URL, report(title="Loikaw\x00"), format="json")
    assert response.status_code == 400
    assert details(response) == [("title", "Null characters are not allowed.")]
    assert Report.objects.count() == 0
    bulk = api.post(
        URL,
        {"reports": [report(), report(figures=[{"note\x00": 1}]), "\x00"]},
        format="json",
        headers={"Idempotency-Key": "with-nul-1"},
    )
    assert bulk.status_code == 200
    failed = [(r["index"], r["errors"]) for r in bulk.json()["results"] if r["result"] == "failed"]
    assert failed == [
        (
            1,
            [
                {
                    "code": "invalid",
                    "detail": "Null characters are not allowed.",
                    "attr": "figures.1.note\ufffd",
                }
            ],
        ),
        (2, [{"code": "invalid", "detail": "Null characters are not allowed.", "attr": None}]),
    ]
    assert Report.objects.count() == 1
    envelope = api.post(URL, {"reports": [report()], "x\x00": 1}, format="json")
    assert envelope.status_code == 400
    assert Report.objects.count() == 1


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
field_values = st.fixed_dictionaries(
    {},
    optional={
        name: json_values
        for name in (
            "title",
            "place",
            "start_date",
            "end_date",
            "latitude",
            "longitude",
            "cause",
            "figures",
            "sources",
            "new_sources",
            "tags",
            "status",
            "client_id",
        )
    },
)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=field_values
    | json_values
    | st.fixed_dictionaries({"reports": st.lists(field_values, max_size=3)})
)
def test_no_body_makes_a_server_error(api, body):
    # Under a fresh Idempotency-Key, so that every answer is also stored for replay.
    response = api.post(URL, body, format="json", headers={"Idempotency-Key": uuid.uuid4().hex})
    # 409: a client_id an earlier example saved, sent again with other content.
    assert response.status_code in (200, 201, 400, 403, 409, 413, 422), response.content


def test_the_documented_example_is_accepted(api, news_source):
    text = (Path(__file__).resolve().parents[2] / "docs" / "submissions.md").read_text()
    example = json.loads(text.split("```json\n")[1].split("```")[0])
    example["sources"] = [news_source.public_id]
    response = api.post(URL, example, format="json")
    assert response.status_code == 201, response.content
    saved = Report.objects.get()
    assert saved.status == Status.SUBMITTED
    assert sorted((f.metric, f.count_low, f.count_high) for f in saved.figures.all()) == [
        ("homes_destroyed", 20, 30),
        ("newly_displaced", 35000, 35000),
    ]
