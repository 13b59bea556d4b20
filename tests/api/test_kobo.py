"""KoboToolbox REST Services: realistic submissions become draft reports through a form's
mapping; resent ones are not duplicated; unmappable ones are kept for moderators."""

import copy
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from gazetteer.models import Place
from reports import services
from reports.api import kobo
from reports.exceptions import NotPermitted
from reports.kobo import clean_mapping
from reports.models import ApiUsage, KoboForm, KoboSubmission, Report

MAPPING = {
    "title": "group_event/event_title",
    "place_pcode": "group_event/place_pcode",
    "start_date": "group_event/date_start",
    "end_date": "group_event/date_end",
    "cause": "group_event/cause",
    "public_summary": "group_event/summary",
    "geolocation": True,
    "figures": {
        "newly_displaced": {"path": "group_figures/people_displaced", "qualifier": "approximately"},
        "killed": "group_figures/civilians_killed",
        "injured": "group_figures/civilians_injured",
    },
    "tags": ["KoboToolbox"],
}

# As KoboToolbox's REST Services post it: groups flattened into slash paths, numbers as
# text, metadata under underscores.
SUBMISSION = {
    "_id": 318640521,
    "formhub/uuid": "4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0",
    "start": "2023-11-13T14:45:12.123+06:30",
    "end": "2023-11-13T14:52:40.551+06:30",
    "today": "2023-11-13",
    "deviceid": "collect:Xy7ZqP2mK9aB3cD4",
    "group_event/event_title": "Families flee shelling in Loikaw ward 3",
    "group_event/place_pcode": "MMR002001701",
    "group_event/date_start": "2023-11-11",
    "group_event/date_end": "2023-11-13",
    "group_event/cause": "artillery",
    "group_event/summary": "About 1,200 people left ward 3 after shelling; three were killed.",
    "group_figures/people_displaced": "1200",
    "group_figures/civilians_killed": "3",
    "group_figures/civilians_injured": "",
    "__version__": "vQmT8wZ3pK9hR2sX4yL6nB",
    "meta/instanceID": "uuid:7c9a1c2e-4b1d-4f0e-9a3b-2d6e8f1a5c47",
    "_xform_id_string": "aXk3JHpQ9sV2mN8bR4tL7c",
    "_uuid": "7c9a1c2e-4b1d-4f0e-9a3b-2d6e8f1a5c47",
    "_attachments": [
        {
            "download_url": "https://kc.kobotoolbox.org/media/original?media_file=monitor3%2Fattachments%2Fphoto_1.jpg",
            "mimetype": "image/jpeg",
            "filename": "monitor3/attachments/4c3a1e2b/7c9a1c2e/photo_1.jpg",
            "instance": 318640521,
            "xform": 1021937,
            "id": 99187231,
        }
    ],
    "_status": "submitted_via_web",
    "_geolocation": [19.67424, 97.20993],
    "_submission_time": "2023-11-13T08:21:07",
    "_tags": [],
    "_notes": [],
    "_validation_status": {},
    "_submitted_by": "loikaw_monitor_3",
}


def submission(**changes):
    data = copy.deepcopy(SUBMISSION)
    data.update(changes)
    return data


@pytest.fixture
def form_and_token(client_and_key, admin_user):
    return services.kobo_form_create(
        actor=admin_user, name="Loikaw incident form", client=client_and_key[0], mapping=MAPPING
    )


@pytest.fixture
def post(form_and_token):
    def send(payload, token=None):
        url = f"/api/v1/ingest/kobo/{token or form_and_token[1]}/"
        return APIClient().post(url, payload, format="json")

    return send


def test_a_submission_becomes_a_draft_report(post, form_and_token, organizations):
    response = post(SUBMISSION)
    assert response.status_code == 201
    kept = KoboSubmission.objects.get()
    report = Report.objects.get()
    assert response.json() == {
        "submission": kept.pk,
        "status": "mapped",
        "report": report.pk,
        "reason": "",
    }
    assert (kept.uuid, kept.kobo_id, kept.submitted_at) == (
        "7c9a1c2e-4b1d-4f0e-9a3b-2d6e8f1a5c47",
        318640521,
        "2023-11-13T08:21:07",
    )
    assert kept.payload == SUBMISSION
    assert report.status == "draft"
    assert report.organization == organizations["monitors"]
    assert report.submitted_by == form_and_token[0].client.user
    assert report.title == "Families flee shelling in Loikaw ward 3"
    assert report.place.pcode == "MMR002001701"
    assert (str(report.start_date), str(report.end_date), report.cause) == (
        "2023-11-11",
        "2023-11-13",
        "artillery",
    )
    assert (str(report.latitude), str(report.longitude), report.location_precision) == (
        "19.674240",
        "97.209930",
        "approximate",
    )
    assert sorted((f.metric, f.qualifier, f.value) for f in report.figures.all()) == [
        ("killed", "exact", 3),
        ("newly_displaced", "approximately", 1200),
    ]
    assert [t.name for t in report.tags.all()] == ["KoboToolbox"]
    assert list(ApiUsage.objects.values_list("client", "requests")) == [
        (form_and_token[0].client_id, 1)
    ]


def test_nested_groups_and_no_geopoint_are_read_too(post):
    nested = {key: value for key, value in SUBMISSION.items() if not key.startswith("group_")} | {
        "group_event": {
            "event_title": "Arson in Demoso",
            "place_pcode": "MMR002002",
            "date_start": "2023-11-20T00:00:00.000+06:30",
            "cause": "arson",
        },
        "group_figures": {"civilians_killed": 0},
        "_geolocation": [None, None],
        "_uuid": "0d6e1f2a-3b4c-4d5e-8f9a-0b1c2d3e4f5a",
    }
    assert post(nested).status_code == 201
    report = Report.objects.get()
    assert (report.title, report.place.pcode, str(report.start_date)) == (
        "Arson in Demoso",
        "MMR002002",
        "2023-11-20",
    )
    assert report.latitude is None
    assert [(f.metric, f.value) for f in report.figures.all()] == [("killed", 0)]


def test_any_uuid_makes_its_own_report(post):
    # ODK's "uuid:" prefix and long _uuids alike at the start (the key was the _uuid cut to its
    # first characters: the second was refused, or taken for the first).
    long = "x" * 90
    for uuid in ("uuid:7c9a1c2e-4b1d-4f0e", "ကယား-1", long + "a", long + "b"):
        response = post(submission(_uuid=uuid))
        assert (response.status_code, response.json()["status"]) == (201, "mapped")
    assert Report.objects.count() == 4
    assert post(submission(_uuid=long + "b")).status_code == 200
    assert Report.objects.count() == 4


def test_a_resent_submission_returns_the_first_report(post):
    first = post(SUBMISSION)
    again = post(submission(_id=318640999))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["report"] == first.json()["report"]
    assert Report.objects.count() == 1
    assert KoboSubmission.objects.count() == 1


@pytest.mark.parametrize(
    "changes, reason",
    [
        (
            {"group_event/place_pcode": "MMR002999"},
            "Unknown P-code 'MMR002999' in 'group_event/place_pcode'.",
        ),
        ({"group_event/place_pcode": ""}, "No P-code in 'group_event/place_pcode'."),
        (
            {"group_figures/civilians_killed": "about 40"},
            "group_figures/civilians_killed: Figure 2: Enter a whole number.",
        ),
        (
            {"group_event/date_start": "2099-01-01"},
            "group_event/date_start: Cannot be in the future. "
            "group_event/date_end: The end date is before the start date.",
        ),
        (
            {"group_event/date_start": "0001-01-01"},
            "group_event/date_start: Enter a date from 1 January 1900 on.",
        ),
        ({"group_event/cause": "bombing"}, "Unknown cause 'bombing' in 'group_event/cause'."),
        # Only a date or a datetime's date: not the first ten characters of anything.
        (
            {"group_event/date_start": "2023-11-11 or the day after"},
            "group_event/date_start: Enter a date as YYYY-MM-DD.",
        ),
        (
            {"group_event/date_start": "11/12/2023"},
            "group_event/date_start: Enter a date as YYYY-MM-DD.",
        ),
    ],
)
def test_an_unmappable_submission_is_kept_and_answered_202(post, changes, reason):
    response = post(submission(**changes))
    assert response.status_code == 202
    kept = KoboSubmission.objects.get()
    assert response.json() == {
        "submission": kept.pk,
        "status": "unmapped",
        "report": None,
        "reason": reason,
    }
    assert (kept.status, kept.reason, kept.report) == ("unmapped", reason, None)
    assert kept.payload["_uuid"] == SUBMISSION["_uuid"]
    assert Report.objects.count() == 0
    # Kobo may resend it: still one kept submission, still no report.
    assert post(submission(**changes)).status_code == 202
    assert KoboSubmission.objects.count() == 1
    assert Report.objects.count() == 0


def test_a_kept_submission_is_mapped_again_once_the_place_exists(post, moderator, places):
    post(submission(**{"group_event/place_pcode": "MMR002001702"}))
    Place.objects.create(
        pcode="MMR002001702",
        admin_level=4,
        name_en="Ward 3",
        parent=places["loikaw"],
        path=places["loikaw"].path + "MMR002001702/",
    )
    browser = APIClient()
    browser.force_login(moderator)
    page = browser.get("/admin/reports/kobosubmission/?status__exact=unmapped")
    assert page.status_code == 200
    assert "Unknown P-code &#x27;MMR002001702&#x27;" in page.content.decode()
    kept = KoboSubmission.objects.get()
    browser.post(
        "/admin/reports/kobosubmission/",
        {"action": "remap_submissions", "_selected_action": [kept.pk]},
    )
    kept.refresh_from_db()
    assert (kept.status, kept.reason) == ("mapped", "")
    assert kept.report.place.pcode == "MMR002001702"
    assert post(SUBMISSION | {"_uuid": kept.uuid}).status_code == 200


@pytest.mark.parametrize("how", ["wrong secret", "garbage", "inactive form", "revoked client"])
def test_a_bad_or_revoked_link_is_404(post, form_and_token, admin_user, how):
    form, token = form_and_token
    if how == "wrong secret":
        token = token.split(".")[0] + ".not-the-secret"
    elif how == "garbage":
        token = "nothing-here"
    elif how == "inactive form":
        KoboForm.objects.filter(pk=form.pk).update(is_active=False)
    else:
        services.api_client_revoke(actor=admin_user, client=form.client)
    response = post(SUBMISSION, token=token)
    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "Unknown or revoked Kobo ingest link."
    assert KoboSubmission.objects.count() == 0
    assert Report.objects.count() == 0


def test_a_new_token_retires_the_old_link(post, form_and_token, admin_user):
    form, old = form_and_token
    new = services.kobo_form_new_token(actor=admin_user, form=form)
    assert post(SUBMISSION, token=old).status_code == 404
    assert post(SUBMISSION, token=new).status_code == 201


def test_malformed_bodies_are_400_and_nothing_is_kept(form_and_token):
    url = f"/api/v1/ingest/kobo/{form_and_token[1]}/"
    client = APIClient()
    broken = client.post(url, '{"_uuid": "abc"', content_type="application/json")
    assert broken.status_code == 400
    no_uuid = client.post(url, {"group_event/event_title": "x"}, format="json")
    assert no_uuid.status_code == 400
    assert no_uuid.json()["errors"][0]["detail"] == (
        "A Kobo submission is a JSON object with its _uuid."
    )
    listed = client.post(url, [SUBMISSION], format="json")
    assert listed.status_code == 400
    assert KoboSubmission.objects.count() == 0


def test_a_body_nested_too_deep_is_400_and_nothing_is_kept(form_and_token):
    url = f"/api/v1/ingest/kobo/{form_and_token[1]}/"
    body = '{"_uuid": "abc", "group_event/event_title": ' + "[" * 5000 + "]" * 5000 + "}"
    response = APIClient().post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == (
        "JSON parse error - lists and objects are nested more than 32 levels deep."
    )
    assert KoboSubmission.objects.count() == 0


@pytest.mark.parametrize(
    "body, where",
    [
        ('{"_uuid": "abc\\ud800", "group_event/event_title": "Raid"}', "_uuid"),
        ('{"_uuid": "abc", "unmapped/\\udc00": "x"}', "a field's name"),
    ],
)
def test_a_lone_surrogate_is_400_and_nothing_is_kept(form_and_token, body, where):
    # Kept, it could not be written out again: the admin's page of the payload answered 500.
    url = f"/api/v1/ingest/kobo/{form_and_token[1]}/"
    response = APIClient().post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert f"in {where}: send the whole character" in response.json()["errors"][0]["detail"]
    assert KoboSubmission.objects.count() == 0


def test_mapping_is_validated_with_every_problem_named():
    with pytest.raises(ValidationError) as caught:
        clean_mapping(
            {
                "title": "",
                "start_date": "group/date",
                "colour": "x",
                "figures": {"displaced": "group/n", "killed": {"path": "g/k", "qualifier": "many"}},
            }
        )
    assert caught.value.messages == [
        "Unknown key 'colour'; the keys are: title, place_pcode, start_date, end_date, cause, "
        "public_summary, perpetrator, internal_notes, geolocation, figures, tags.",
        "'place_pcode' is required: which Kobo field holds it?",
        "'title' must be a Kobo field path such as \"group_event/title\".",
        "Unknown metric 'displaced'; the metrics are: newly_displaced, currently_displaced, "
        "returned, killed, injured, detained, homes_destroyed, religious_buildings_damaged, "
        "health_facilities_damaged, schools_damaged.",
        "The figure for 'killed' has an unknown qualifier; use one of exact, approximately, "
        "at_least, at_most.",
    ]


def test_moderator_defines_a_form_in_the_admin_and_sees_the_link_once(moderator, client_and_key):
    browser = APIClient()
    browser.force_login(moderator)
    refused = browser.post(
        "/admin/reports/koboform/add/",
        {
            "name": "Ward form",
            "client": client_and_key[0].pk,
            "mapping": '{"title": "t"}',
            "is_active": "on",
        },
    )
    assert refused.status_code == 200
    assert "&#x27;place_pcode&#x27; is required" in refused.content.decode()
    assert KoboForm.objects.count() == 0
    response = browser.post(
        "/admin/reports/koboform/add/",
        {
            "name": "Ward form",
            "client": client_and_key[0].pk,
            "mapping": '{"title": "t", "place_pcode": "p", "start_date": "d"}',
            "is_active": "on",
        },
        follow=True,
    )
    form = KoboForm.objects.get()
    shown = " ".join(str(m) for m in response.context["messages"])
    link = shown.split("endpoint: ")[1].split(" ")[0]
    assert link.startswith("http://testserver/api/v1/ingest/kobo/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert kobo.find_form(token) == form
    payload = {"_uuid": "a1b2c3d4-0000", "t": "Raid in ward 3", "p": "MMR002001", "d": "2023-11-02"}
    assert APIClient().post(link, payload, format="json").status_code == 201


def test_nul_characters_are_refused_and_a_nul_token_is_404(post, form_and_token):
    response = post(submission(**{"group_event/summary": "ward\x003"}))
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "group_event/summary"
    assert post(SUBMISSION, token="abcdef01%00.x").status_code == 404
    assert KoboSubmission.objects.count() == 0


kobo_values = st.none() | st.booleans() | st.integers() | st.text() | st.lists(st.integers())


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "group_event/event_title",
                "group_event/place_pcode",
                "group_event/date_start",
                "group_event/date_end",
                "group_event/cause",
                "group_figures/people_displaced",
                "group_figures/civilians_killed",
                "_geolocation",
                "_id",
                "_submission_time",
                "group_event",
            ]
        ),
        kobo_values,
    ),
    uuid=st.text(min_size=1, max_size=120),
)
def test_no_submission_makes_a_server_error(post, fields, uuid):
    response = post(submission(**fields, _uuid=uuid))
    assert response.status_code in (200, 201, 202, 400), response.content


def test_an_oversized_submission_is_413(post, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1500
    response = post(submission(**{"group_event/summary": "x" * 2000}))
    assert response.status_code == 413
    assert KoboSubmission.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_sent_twice_at_once_makes_one_report(form_and_token):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL.")
    url = f"/api/v1/ingest/kobo/{form_and_token[1]}/"
    barrier = threading.Barrier(2)
    codes = []

    def send():
        from django.db import connection as thread_connection

        barrier.wait()
        codes.append(APIClient().post(url, SUBMISSION, format="json").status_code)
        thread_connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 201]
    assert Report.objects.count() == 1
    assert KoboSubmission.objects.get().report == Report.objects.get()


def test_a_form_link_is_throttled_at_the_client_rate(post, settings):
    settings.TRACKER_API_CLIENT_RATE = "1/hour"
    assert post(SUBMISSION).status_code == 201
    response = post(submission(_uuid="second-0000-1111"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert KoboSubmission.objects.count() == 1


# --- which Kobo form may use a link ------------------------------------------------------------

KARENNI_FORM_UUID = SUBMISSION["formhub/uuid"]
KARENNI_ASSET_UID = SUBMISSION["_xform_id_string"]
# A submission of another project (a camp registration form) whose REST Service was given the
# incident form's link by mistake: its own fields, its own ids.
OTHER_FORM_SUBMISSION = {
    "_id": 318702214,
    "formhub/uuid": "0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a",
    "_xform_id_string": "aHq2W8nLp4Zt6Yc9Vb3Rm5",
    "__version__": "vB4nP8kT2mQ6rW9yX3zL5s",
    "start": "2023-11-14T09:02:11.410+06:30",
    "end": "2023-11-14T09:06:58.002+06:30",
    "group_household/head_name": "Daw Mu Paw",
    "group_household/members": "6",
    "group_household/origin_pcode": "MMR002001701",
    "group_event/place_pcode": "MMR002001701",
    "meta/instanceID": "uuid:5d0b8e21-7f3a-4c6d-9e1b-3a2f4c5d6e7f",
    "_uuid": "5d0b8e21-7f3a-4c6d-9e1b-3a2f4c5d6e7f",
    "_attachments": [],
    "_status": "submitted_via_web",
    "_geolocation": [19.52108, 97.18845],
    "_submission_time": "2023-11-14T02:37:01",
    "_tags": [],
    "_notes": [],
    "_validation_status": {},
    "_submitted_by": "demoso_camp_desk",
}


@pytest.fixture
def identified_form(client_and_key, admin_user):
    return services.kobo_form_create(
        actor=admin_user,
        name="Loikaw incident form",
        client=client_and_key[0],
        mapping=MAPPING,
        kobo_asset_uid=KARENNI_ASSET_UID,
        kobo_form_uuid=KARENNI_FORM_UUID,
    )


def send(token, payload):
    return APIClient().post(f"/api/v1/ingest/kobo/{token}/", payload, format="json")


def test_a_submission_of_the_expected_form_becomes_a_draft(identified_form):
    form, token = identified_form
    response = send(token, SUBMISSION)
    assert response.status_code == 201
    report = Report.objects.get()
    assert (report.status, report.title, report.place.pcode) == (
        "draft",
        "Families flee shelling in Loikaw ward 3",
        "MMR002001701",
    )
    assert KoboSubmission.objects.get().status == "mapped"


def test_another_forms_submission_is_kept_unmapped_with_the_reason(identified_form):
    form, token = identified_form
    response = send(token, OTHER_FORM_SUBMISSION)
    assert response.status_code == 202
    kept = KoboSubmission.objects.get()
    reason = (
        "Not from the Kobo form 'Loikaw incident form': its _xform_id_string is "
        "'aHq2W8nLp4Zt6Yc9Vb3Rm5', not 'aXk3JHpQ9sV2mN8bR4tL7c'; its formhub/uuid is "
        "'0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a', not '4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0'. Check "
        "which Kobo project's REST Services use this link; if the form itself changed, "
        "correct its Kobo ids and map the submission again."
    )
    assert response.json() == {
        "submission": kept.pk,
        "status": "unmapped",
        "report": None,
        "reason": reason,
    }
    assert (kept.form, kept.uuid, kept.status, kept.reason, kept.report) == (
        form,
        "5d0b8e21-7f3a-4c6d-9e1b-3a2f4c5d6e7f",
        "unmapped",
        reason,
        None,
    )
    assert kept.payload == OTHER_FORM_SUBMISSION
    assert Report.objects.count() == 0


def test_a_mapped_looking_submission_with_the_wrong_formhub_uuid_makes_no_report(
    identified_form,
):
    # Same questions (a copy of the project, say), another deployed form: still refused.
    copy_of_form = submission(**{"formhub/uuid": "0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a"})
    response = send(identified_form[1], copy_of_form)
    assert response.status_code == 202
    assert response.json()["reason"] == (
        "Not from the Kobo form 'Loikaw incident form': its formhub/uuid is "
        "'0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a', not '4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0'. Check "
        "which Kobo project's REST Services use this link; if the form itself changed, "
        "correct its Kobo ids and map the submission again."
    )
    assert Report.objects.count() == 0


def test_a_submission_without_the_expected_ids_is_refused_too(identified_form):
    bare = {k: v for k, v in SUBMISSION.items() if k not in ("formhub/uuid", "_xform_id_string")}
    response = send(identified_form[1], bare)
    assert response.status_code == 202
    assert response.json()["reason"].startswith(
        "Not from the Kobo form 'Loikaw incident form': it has no _xform_id_string (expected "
        "'aXk3JHpQ9sV2mN8bR4tL7c'); it has no formhub/uuid (expected "
        "'4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0')."
    )
    assert Report.objects.count() == 0


def test_a_nested_formhub_group_is_read_too(identified_form):
    nested = {k: v for k, v in SUBMISSION.items() if k != "formhub/uuid"}
    nested["formhub"] = {"uuid": KARENNI_FORM_UUID}
    assert send(identified_form[1], nested).status_code == 201


@pytest.mark.parametrize("blank", ["both blank", "asset uid blank"])
def test_blank_expected_ids_accept_any_form(client_and_key, blank, admin_user):
    """Forms registered before the check, or whose ids the moderator left blank."""
    form, token = services.kobo_form_create(
        actor=admin_user,
        name="Loikaw incident form",
        client=client_and_key[0],
        mapping=MAPPING,
        kobo_form_uuid="" if blank == "both blank" else KARENNI_FORM_UUID,
    )
    other = submission(**{"_xform_id_string": "aHq2W8nLp4Zt6Yc9Vb3Rm5"})
    assert send(token, other).status_code == 201
    assert Report.objects.get().title == "Families flee shelling in Loikaw ward 3"


def test_a_refused_submission_resent_is_kept_once_and_mapped_once_the_ids_are_fixed(
    identified_form, moderator
):
    form, token = identified_form
    copy_of_form = submission(**{"formhub/uuid": "0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a"})
    first = send(token, copy_of_form)
    again = send(token, copy_of_form)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["submission"] == first.json()["submission"]
    assert KoboSubmission.objects.count() == 1
    assert Report.objects.count() == 0
    # The project was really redeployed as a copy: the moderator records its new uuid and
    # maps the kept submission again; Kobo resending it afterwards changes nothing.
    browser = APIClient()
    browser.force_login(moderator)
    page = browser.get(f"/admin/reports/koboform/{form.pk}/change/")
    assert "<code>0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a</code>: 1 submission(s)" in (
        page.content.decode()
    )
    KoboForm.objects.filter(pk=form.pk).update(kobo_form_uuid="0b5d2e7f6a1c4d3e9f8a7b6c5d4e3f2a")
    kept = KoboSubmission.objects.get()
    browser.post(
        "/admin/reports/kobosubmission/",
        {"action": "remap_submissions", "_selected_action": [kept.pk]},
    )
    kept.refresh_from_db()
    assert (kept.status, kept.reason) == ("mapped", "")
    assert send(token, copy_of_form).status_code == 200
    assert (KoboSubmission.objects.count(), Report.objects.count()) == (1, 1)


def test_the_kobo_ids_are_checked_when_a_form_is_defined(moderator, client_and_key):
    with pytest.raises(ValidationError) as caught:
        services.kobo_form_create(
            actor=moderator,
            name="Ward form",
            client=client_and_key[0],
            mapping=MAPPING,
            kobo_asset_uid="aXk3 JHpQ",
            kobo_form_uuid="4C3A1E2B-9F0D",
        )
    assert caught.value.message_dict == {
        "kobo_asset_uid": ["Letters, digits, _ and - only, as in the form's Kobo address."],
        "kobo_form_uuid": ["32 characters 0-9 and a-f, as in a submission's formhub/uuid."],
    }
    browser = APIClient()
    browser.force_login(moderator)
    browser.post(
        "/admin/reports/koboform/add/",
        {
            "name": "Ward form",
            "client": client_and_key[0].pk,
            "kobo_asset_uid": " aXk3JHpQ9sV2mN8bR4tL7c ",
            "kobo_form_uuid": "4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0",
            "mapping": '{"title": "t", "place_pcode": "p", "start_date": "d"}',
            "is_active": "on",
        },
    )
    form = KoboForm.objects.get()
    assert (form.kobo_asset_uid, form.kobo_form_uuid) == (KARENNI_ASSET_UID, KARENNI_FORM_UUID)


def test_a_client_without_the_submit_scope_keeps_submissions_unmapped(
    post, form_and_token, admin_user
):
    services.api_client_set_scopes(
        actor=admin_user, client=form_and_token[0].client, can_read=True, can_submit=False
    )
    response = post(SUBMISSION)
    assert response.status_code == 202
    assert response.json()["reason"] == "You cannot file reports for Loikaw monitors."
    assert Report.objects.count() == 0


def test_moderator_switches_a_form_off_in_the_admin_and_its_link_stays(moderator, form_and_token):
    form, token = form_and_token
    browser = APIClient()
    browser.force_login(moderator)
    response = browser.post(
        f"/admin/reports/koboform/{form.pk}/change/",
        {
            "name": "Loikaw incident form (retired)",
            "client": form.client.pk,
            "kobo_asset_uid": "",
            "kobo_form_uuid": "",
            "mapping": json.dumps(MAPPING),
        },
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert (form.name, form.is_active) == ("Loikaw incident form (retired)", False)
    assert kobo.find_form(token) is None


def test_only_moderators_define_forms_and_only_for_a_client_that_may_submit(
    field_partner, admin_user, client_and_key, organizations
):
    with pytest.raises(NotPermitted):
        services.kobo_form_create(
            actor=field_partner, name="Ward form", client=client_and_key[0], mapping=MAPPING
        )
    reader, _ = services.api_client_create(
        actor=admin_user, name="Dashboard mirror", organization=organizations["monitors"]
    )
    with pytest.raises(ValidationError) as refused:
        services.kobo_form_create(
            actor=admin_user, name="Ward form", client=reader, mapping=MAPPING
        )
    assert refused.value.message_dict == {
        "client": ["Choose an API client with the submit scope, not revoked."]
    }
    assert KoboForm.objects.count() == 0
