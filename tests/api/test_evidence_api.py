"""Evidence through the API (submit scope): one multipart request, the resumable protocol with
a resume after a refused offset, the checksum check, and the organisation boundary."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports.models import Evidence, EvidenceUpload


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    root = tmp_path / "evidence"
    settings.STORAGES = settings.STORAGES | {
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        }
    }
    return root


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def client_report(client_and_key, file_report):
    client, _key = client_and_key
    return file_report(client.user)


def test_a_file_in_one_request(api, api_with_the_key, client_report):
    data = png()
    response = api.post(
        "/api/v1/evidence/",
        {"report": client_report.pk, "file": SimpleUploadedFile("scan.png", data)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    evidence = Evidence.objects.get()
    assert body == {
        "id": evidence.pk,
        "report": client_report.pk,
        "kind": "image",
        "content_type": "image/png",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "received_at": body["received_at"],
    }
    assert evidence.channel == "api"
    assert "no-store" in response["Cache-Control"]


def test_a_file_whose_content_is_not_accepted_is_refused_naming_the_field(
    api, api_with_the_key, client_report
):
    response = api.post(
        "/api/v1/evidence/",
        {"report": client_report.pk, "file": SimpleUploadedFile("scan.png", b"PK\x03\x04" * 40)},
        format="multipart",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "file"
    assert Evidence.objects.count() == 0


def test_another_organisations_report_answers_as_missing(
    api, api_with_the_key, file_report, other_partner
):
    theirs = file_report(other_partner)
    response = api.post(
        "/api/v1/evidence/uploads/", {"report": theirs.pk, "size": 10}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == (
        f"No report #{theirs.pk} of your organisation."
    )


def test_the_resumable_protocol(api, api_with_the_key, client_report, settings):
    settings.TRACKER_EVIDENCE_CHUNK_BYTES = 50
    data = png()
    created = api.post(
        "/api/v1/evidence/uploads/",
        {"report": client_report.pk, "size": len(data), "name": "scan.png"},
        format="json",
    )
    assert created.status_code == 201
    upload = created.json()
    assert (upload["offset"], upload["size"], upload["chunk_bytes"]) == (0, len(data), 50)
    url = f"/api/v1/evidence/uploads/{upload['id']}/"

    def send(offset, piece):
        return api.generic(
            "PATCH",
            url,
            piece,
            content_type="application/offset+octet-stream",
            HTTP_UPLOAD_OFFSET=str(offset),
        )

    assert send(0, data[:50]).json()["offset"] == 50
    wrong = send(0, data[:50])
    assert wrong.status_code == 409
    assert (wrong.json()["offset"], wrong["Upload-Offset"]) == (50, "50")
    too_big = send(50, b"x" * 51)
    assert too_big.status_code == 400 and too_big.json()["errors"][0]["attr"] == "chunk"
    assert api.get(url).json()["offset"] == 50
    offset = 50
    while offset < len(data):
        offset = send(offset, data[offset : offset + 50]).json()["offset"]
    finished = api.post(
        url + "finish/", {"sha256": hashlib.sha256(data).hexdigest().upper()}, format="json"
    )
    assert finished.status_code == 201
    assert finished.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert Evidence.objects.get().channel == "api"


def test_a_mismatched_checksum_is_refused_and_nothing_is_kept(
    api, api_with_the_key, client_report, evidence_root
):
    data = png()
    upload = api.post(
        "/api/v1/evidence/uploads/", {"report": client_report.pk, "size": len(data)}, format="json"
    ).json()
    url = f"/api/v1/evidence/uploads/{upload['id']}/"
    api.generic(
        "PATCH", url, data, content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0"
    )
    response = api.post(url + "finish/", {"sha256": "b" * 64}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "sha256"
    assert Evidence.objects.count() == 0 and EvidenceUpload.objects.count() == 0
    assert not [p for p in evidence_root.rglob("*") if p.is_file()]


def test_the_endpoints_need_a_key_with_the_submit_scope(api, client_report):
    response = api.post(
        "/api/v1/evidence/uploads/", {"report": client_report.pk, "size": 10}, format="json"
    )
    assert response.status_code == 401


def test_the_schema_documents_the_evidence_endpoints(api):
    schema = api.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/evidence/"]
    assert "post" in paths["/api/v1/evidence/uploads/"]
    assert {"get", "patch"} <= set(paths["/api/v1/evidence/uploads/{upload_id}/"])
    assert "post" in paths["/api/v1/evidence/uploads/{upload_id}/finish/"]


# --- KoboToolbox attachments -----------------------------------------------------------------


def test_kobo_attachments_are_fetched_from_kobo_hosts_once(
    settings, client_and_key, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    from reports import services
    from reports.services import evidence as evidence_services
    from tests.api.test_kobo import MAPPING, SUBMISSION

    settings.TRACKER_KOBO_API_TOKEN = "kobo-token"
    form, token = services.kobo_form_create(
        actor=admin_user, name="Loikaw incident form", client=client_and_key[0], mapping=MAPPING
    )
    photo = png()
    asked = []

    def download(url, key):
        asked.append((url, key))
        return io.BytesIO(photo)

    monkeypatch.setattr(evidence_services, "_kobo_download", download)
    kobo_url = SUBMISSION["_attachments"][0]["download_url"]
    payload = SUBMISSION | {
        "_attachments": [
            *SUBMISSION["_attachments"],
            {"download_url": "https://metadata.internal/latest/", "id": 2},
            {"download_url": "http://kc.kobotoolbox.org/media/x.jpg", "id": 3},
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(f"/api/v1/ingest/kobo/{token}/", payload, format="json")
    assert response.status_code == 201
    assert asked == [(kobo_url, "kobo-token")]  # neither another host nor plain http
    evidence = Evidence.objects.get()
    assert (evidence.channel, evidence.external_id, evidence.original_name) == (
        "kobo",
        "kobo:99187231",
        "photo_1.jpg",
    )
    assert evidence.sha256 == hashlib.sha256(photo).hexdigest()
    assert evidence.uploaded_by == form.client.user
    # Resent or retried: each file is kept once.
    submission = response.json()["submission"]
    assert evidence_services.kobo_fetch_attachments(submission) == 0
    assert Evidence.objects.count() == 1
