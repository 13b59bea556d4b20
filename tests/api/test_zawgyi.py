"""Burmese typed with the legacy Zawgyi font: the API refuses it (unless the client confirms it
is right as typed), a Kobo submission with it becomes a draft as usual, and the moderator's
review page warns about it, never a public page or the public API."""

import pytest
from rest_framework.test import APIClient

from reports import services
from reports.burmese import find_zawgyi, zawgyi_labels
from reports.models import Report, Source
from tests.api.test_kobo import MAPPING, submission

URL = "/api/v1/submissions/"

# "Kayah State", "Naypyitaw" and "fled because of the fighting": Unicode, and the same words
# as the Zawgyi font encodes them.
KAYAH = "ကယားပြည်နယ်"
KAYAH_ZAWGYI = "ကယားျပည္နယ္"
NAYPYITAW_ZAWGYI = "ေနျပည္ေတာ္"
FLED = "စစ်ကြောင့် ထွက်ပြေးရသည်"
FLED_ZAWGYI = "စစ္ေၾကာင့္ ထြက္ေျပးရသည္"

REFUSAL = (
    "This text looks like Burmese typed with the Zawgyi font, not Unicode: it shows garbled on "
    "Unicode devices. Convert it to Unicode (for example with Google's myanmartools or Rabbit "
    'converter) and send it again; if it is right as it is, send "store_as_typed": true.'
)
WARNING = "This text looks like it was typed with the Zawgyi font, not Unicode:"


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


def in_burmese(title, summary, tag, note, source):
    return report(
        status="submitted",
        title=title,
        public_summary=f"About 35,000 residents {summary}.",
        tags=["Operation 1111", tag],
        figures=[
            {"metric": "newly_displaced", "value": 35000, "note": note},
            {"metric": "killed", "value": 3, "note": "Three civilians."},
        ],
        new_sources=[{"source_type": "field_observation", "name": source}],
    )


def errors(response):
    return [(e["code"], e["attr"], e["detail"]) for e in response.json()["errors"]]


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def review(client, report) -> str:
    response = client.get(f"/moderation/reports/{report.pk}/")
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


# --- the partner API ---------------------------------------------------------------------------


@pytest.mark.usefixtures("api_with_the_key")
def test_the_api_refuses_zawgyi_naming_each_field_and_stores_nothing(api):
    body = in_burmese(KAYAH_ZAWGYI, FLED_ZAWGYI, NAYPYITAW_ZAWGYI, FLED_ZAWGYI, KAYAH_ZAWGYI)
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert errors(response) == [
        ("zawgyi", "title", REFUSAL),
        ("zawgyi", "public_summary", REFUSAL),
        ("zawgyi", "tags.2", REFUSAL),
        ("zawgyi", "figures.1.note", REFUSAL),
        ("zawgyi", "new_sources.1.name", REFUSAL),
    ]
    assert Report.objects.count() == 0
    assert Source.objects.count() == 0


@pytest.mark.usefixtures("api_with_the_key")
def test_unicode_burmese_is_stored_as_sent(api):
    response = api.post(URL, in_burmese(KAYAH, FLED, KAYAH, FLED, KAYAH), format="json")
    assert response.status_code == 201
    saved = Report.objects.get()
    assert (saved.title, saved.public_summary) == (KAYAH, f"About 35,000 residents {FLED}.")
    assert sorted(t.name for t in saved.tags.all()) == sorted(["Operation 1111", KAYAH])
    assert [f.note for f in saved.figures.order_by("metric")] == ["Three civilians.", FLED]
    assert [s.name for s in saved.sources.all()] == [KAYAH]


@pytest.mark.usefixtures("api_with_the_key")
def test_a_client_may_confirm_the_text_is_right_and_the_moderator_is_warned(api, moderator_client):
    body = report(title=KAYAH_ZAWGYI, store_as_typed=True)
    response = api.post(URL, body, format="json")
    assert response.status_code == 201
    saved = Report.objects.get()
    assert saved.title == KAYAH_ZAWGYI
    assert f"{WARNING} Title." in review(moderator_client, saved)


@pytest.mark.usefixtures("api_with_the_key")
def test_in_a_bulk_upload_only_the_zawgyi_report_is_refused(api):
    body = {"reports": [report(title=KAYAH), report(internal_notes=FLED_ZAWGYI)]}
    response = api.post(URL, body, format="json")
    assert response.status_code == 200
    result = response.json()
    assert (result["created"], result["failed"]) == (1, 1)
    assert result["results"][1] == {
        "index": 1,
        "result": "failed",
        "errors": [{"code": "zawgyi", "detail": REFUSAL, "attr": "internal_notes"}],
    }
    assert list(Report.objects.values_list("title", flat=True)) == [KAYAH]


# --- KoboToolbox --------------------------------------------------------------------------------


@pytest.fixture
def kobo_post(client_and_key, admin_user):
    mapping = MAPPING | {"internal_notes": "group_event/notes"}
    _form, token = services.kobo_form_create(
        actor=admin_user, name="Loikaw incident form", client=client_and_key[0], mapping=mapping
    )

    def send(payload):
        return APIClient().post(f"/api/v1/ingest/kobo/{token}/", payload, format="json")

    return send


def test_a_kobo_submission_in_zawgyi_is_stored_and_flagged_for_the_moderator_only(
    kobo_post, client_and_key, moderator, moderator_client, news_source
):
    title = f"{KAYAH_ZAWGYI} ward 3"
    payload = submission(
        **{
            "group_event/event_title": title,
            "group_event/summary": "About 1,200 people left ward 3.",
            "group_event/notes": FLED_ZAWGYI,
        }
    )
    response = kobo_post(payload)
    assert response.status_code == 201
    assert response.json()["status"] == "mapped"
    stored = Report.objects.get()
    assert (stored.status, stored.title, stored.internal_notes) == ("draft", title, FLED_ZAWGYI)

    assert f"{WARNING} Title, Internal notes." in review(moderator_client, stored)

    # Through to publication: the warning stays in the moderation area.
    partner = client_and_key[0].user
    stored = services.report_update(report=stored, actor=partner, sources=[news_source])
    stored = services.report_submit(report=stored, actor=partner)
    services.report_approve(report=stored, actor=moderator)
    assert f"{WARNING} Title, Internal notes." in review(moderator_client, stored)
    anonymous = APIClient()
    public = [
        anonymous.get(f"/api/v1/reports/{stored.pk}/"),
        anonymous.get("/dashboard/evidence/?start=2023-11-01&end=2023-12-31&metric=killed"),
    ]
    for page in public:
        assert page.status_code == 200
        text = page.content.decode()
        assert title in text
        assert "Zawgyi" not in text and "zawgyi" not in text


def test_the_warning_goes_once_the_text_is_unicode(kobo_post, moderator_client, client_and_key):
    kobo_post(submission(**{"group_event/event_title": KAYAH_ZAWGYI}))
    stored = Report.objects.get()
    assert WARNING in review(moderator_client, stored)
    services.report_update(report=stored, actor=client_and_key[0].user, title=KAYAH)
    assert "Zawgyi" not in review(moderator_client, stored)


def test_a_unicode_kobo_submission_has_no_warning(kobo_post, moderator_client):
    payload = submission(**{"group_event/event_title": KAYAH, "group_event/notes": FLED})
    assert kobo_post(payload).status_code == 201
    assert "Zawgyi" not in review(moderator_client, Report.objects.get())


# --- the detector over a report's fields --------------------------------------------------------


def test_every_text_field_a_person_reads_is_checked_and_named():
    found = find_zawgyi(
        {"title": KAYAH, "public_summary": FLED_ZAWGYI, "internal_notes": "", "cause": "arson"},
        figures=[{"note": None}, {"note": KAYAH_ZAWGYI}],
        sources=[{"name": "Ward 3 monitor", "title": NAYPYITAW_ZAWGYI}],
        tags=[KAYAH_ZAWGYI, "Loikaw", KAYAH_ZAWGYI],
    )
    assert found == [
        "public_summary",
        "tags.1",
        "tags.3",
        "figures.2.note",
        "sources.1.title",
    ]
    assert zawgyi_labels(found) == [
        "Public summary",
        "Tags",
        "Figure 2: note",
        "Source 1: title",
    ]
