# ruff: noqa: E501  (tables of cases read best one a line)
"""POST /api/v1/intake/extract/: API clients with the submit scope get the candidates, as JSON
text or an uploaded file; everyone else is turned away; bad input is a 400 naming the field;
nothing is stored; the operation is in the OpenAPI schema."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from reports import services
from reports.models import Report, Source

from .test_reading import PNG, blank_pdf, text_pdf

URL = "/api/v1/intake/extract/"
ACCOUNT = (
    "On Tuesday, junta airstrikes killed at least 5 civilians in Demoso Township, the KNDF said."
)


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x-secret-pass-1")


def _key(admin_user, organizations, **scopes) -> str:
    return services.api_client_create(
        actor=admin_user, name=f"client {scopes}", organization=organizations["monitors"], **scopes
    )[1]


@pytest.fixture
def submitter(api, admin_user, organizations, gazetteer, parties):
    api.credentials(
        HTTP_AUTHORIZATION=f"Api-Key {_key(admin_user, organizations, can_submit=True)}"
    )
    return api


def errors(response) -> list[tuple[str | None, str]]:
    return [(error["attr"], error["detail"]) for error in response.json()["errors"]]


def test_the_candidates_as_extract_figures_prints_them(submitter):
    response = submitter.post(
        URL,
        {"text": ACCOUNT, "published": "2023-11-30", "publisher": "Kantarawaddy Times"},
        format="json",
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == [
        {
            "metric": "killed",
            "value": 5,
            "low": None,
            "high": None,
            "qualifier": "at_least",
            "unit": "people",
            "place_pcode": "MMR002002",
            "place_text": "Demoso Township",
            "start_date": "2023-11-28",
            "end_date": "2023-11-28",
            "date_precision": "day",
            "cause": "airstrike",
            "perpetrator": "Myanmar military",
            "source_name": "KNDF",
            "source_type": "party_to_conflict",
            "sentence": ACCOUNT,
            "excluded_reason": None,
            "sentence_start": 0,
            "sentence_end": len(ACCOUNT),
            "figure_start": ACCOUNT.index("at least 5"),
            "figure_end": ACCOUNT.index("at least 5") + len("at least 5"),
        }
    ]


def test_burmese_and_an_explicit_language(submitter):
    text = "အရပ်သား ၅ ဦး သေဆုံးသည်။"
    response = submitter.post(URL, {"text": text, "language": "my"}, format="json")
    assert [(c["metric"], c["value"], c["start_date"]) for c in response.json()] == [
        ("killed", 5, None)
    ]


def test_an_uploaded_file(submitter):
    pdf = SimpleUploadedFile("report.pdf", text_pdf("At least 5 civilians were killed in Loikaw."))
    response = submitter.post(URL, {"file": pdf, "published": "2023-11-30"}, format="multipart")
    assert response.status_code == 200
    assert [(c["metric"], c["value"], c["place_pcode"]) for c in response.json()] == [
        ("killed", 5, "MMR002001701")
    ]


def test_nothing_is_stored(submitter):
    before = (Report.objects.count(), Source.objects.count())
    assert submitter.post(URL, {"text": ACCOUNT}, format="json").status_code == 200
    assert (Report.objects.count(), Source.objects.count()) == before


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        ({"text": ""}, "json", [("text", "There is no text to read.")]),
        ({}, "json", [("text", "There is no text to read.")]),
        ({"text": ACCOUNT, "published": "30/11/2023"}, "json", [("published", "Enter a date as YYYY-MM-DD.")]),
        # Read as American (11 December, not 12 November) and as a compact date, before.
        ({"text": ACCOUNT, "published": "12/11/2023"}, "json", [("published", "Enter a date as YYYY-MM-DD.")]),
        ({"text": ACCOUNT, "published": "20231130"}, "json", [("published", "Enter a date as YYYY-MM-DD.")]),
        ({"text": ACCOUNT, "language": "fr"}, "json", [("language", '"fr" is not a valid choice.')]),
        ({"text": "Trois civils ont été tués à Loikaw mardi selon les habitants du village voisin."}, "json", [("language", "Only English and Burmese are supported yet.")]),
        ({"text": "ေနျပည္ေတာ္ စစ္ေၾကာင့္ ထြက္ေျပးရသည္"}, "json", [("text", "This Burmese text is in the Zawgyi encoding. Convert it to Unicode (for example with the Rabbit converter) and send it again.")]),
        ({"url": "https://www.irrawaddy.com/news/x.html"}, "json", [("url", "This server does not fetch web addresses. Paste the article's text instead.")]),
        ({"file": SimpleUploadedFile("a.txt", PNG)}, "multipart", [("file", "This file is not text, HTML or PDF.")]),
        ({"file": SimpleUploadedFile("scan.pdf", blank_pdf())}, "multipart", [("file", "This PDF has no text layer (it is a scan or a photo). Paste its text, or run it through text recognition first.")]),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(submitter, body, kind, expected):
    response = submitter.post(URL, body, format=kind)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert errors(response) == expected


def test_private_addresses_are_refused_when_fetching_is_on(submitter, settings):
    settings.TRACKER_INTAKE_FETCH_URLS = True
    response = submitter.post(URL, {"url": "http://169.254.169.254/latest/"}, format="json")
    assert (response.status_code, errors(response)) == (
        400,
        [("url", "This address cannot be fetched.")],
    )


def test_text_over_the_limit(submitter, settings):
    settings.TRACKER_INTAKE_MAX_CHARS = 50
    response = submitter.post(URL, {"text": "x" * 51}, format="json")
    assert errors(response) == [
        ("text", "The text is 51 characters long; at most 50 can be read at once.")
    ]


def test_without_a_key(api, db):
    response = api.post(URL, {"text": ACCOUNT}, format="json")
    assert response.status_code == 401
    assert errors(response) == [(None, "Send an API key: 'Authorization: Api-Key <key>'.")]


def test_a_read_only_key_is_refused(api, admin_user, organizations):
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {_key(admin_user, organizations)}")
    response = api.post(URL, {"text": ACCOUNT}, format="json")
    assert response.status_code == 403
    assert errors(response) == [(None, "This API key does not have the 'submit' scope.")]


def test_a_signed_in_account_without_a_key_is_refused(api, moderator):
    api.force_authenticate(moderator)
    response = api.post(URL, {"text": ACCOUNT}, format="json")
    assert response.status_code == 403
    assert errors(response) == [(None, "Only an API client's key can submit through the API.")]


def test_throttled_like_every_call_of_the_client(submitter, settings):
    settings.TRACKER_API_CLIENT_RATE = "2/hour"
    codes = [submitter.post(URL, {"text": ACCOUNT}, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_in_the_openapi_schema(api, db):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"][URL]["post"]
    assert operation["operationId"] == "intake_extract"
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"200", "400", "403"} <= set(operation["responses"])
    candidate = schema["components"]["schemas"]["CandidateOut"]
    assert list(candidate["properties"]) == [
        "metric", "value", "low", "high", "qualifier", "unit", "place_pcode", "place_text",
        "start_date", "end_date", "date_precision", "cause", "perpetrator", "source_name",
        "source_type", "sentence", "excluded_reason", "sentence_start", "sentence_end",
        "figure_start", "figure_end",
    ]  # fmt: skip
