"""Evidence through the API (submit scope): one multipart request, the resumable protocol with
a resume after a refused offset, the checksum check, and the organisation boundary."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports.models import Evidence, EvidenceUpload

pytestmark = pytest.mark.usefixtures("evidence_root")


def png(colour=(10, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), colour).save(out, "PNG")
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


@pytest.mark.parametrize(
    ("size", "attr"),
    # Infinity and NaN are not JSON: the whole body is refused.
    [
        (b"1e400", "size"),
        (b"10.5", "size"),
        (b'"ten"', "size"),
        (b"Infinity", None),
        (b"NaN", None),
    ],
)
def test_a_size_that_is_not_a_whole_number_is_refused_by_name(
    api, api_with_the_key, client_report, size, attr
):
    body = b'{"report": %d, "size": %s}' % (client_report.pk, size)
    response = api.post("/api/v1/evidence/uploads/", body, content_type="application/json")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [attr]
    assert EvidenceUpload.objects.count() == 0


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


KOBO_ASSET = "aXk3JHpQ9sV2mN8bR4tL7c"
KOBO_FORMHUB = "4c3a1e2b9f0d4f7aa2c1d5e6f7a8b9c0"
KOBO_UUID = "7c9a1c2e-4b1d-4f0e-9a3b-2d6e8f1a5c47"
KPI = "https://kf.kobotoolbox.org/api/v2/assets"
KC = "https://kc.kobotoolbox.org/media/original?media_file="


@pytest.fixture
def kobo_form(settings, client_and_key, admin_user):
    from reports import services
    from tests.api.test_kobo import MAPPING

    settings.TRACKER_KOBO_API_TOKEN = "kobo-token"

    def make(**ids):
        return services.kobo_form_create(
            actor=admin_user,
            name="Loikaw incident form",
            client=client_and_key[0],
            mapping=MAPPING,
            **ids,
        )

    return make


@pytest.fixture
def kobo_downloads(monkeypatch):
    """The files Kobo would send, by address; an address missing here fails as a network
    error would."""
    from reports.services import evidence as evidence_services

    asked, files = [], {}

    def download(url, key):
        asked.append((url, key))
        if url not in files:
            raise OSError("Connection reset by peer")
        return io.BytesIO(files[url])

    monkeypatch.setattr(evidence_services, "_kobo_download", download)
    return asked, files


def send_kobo(token, attachments, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    from tests.api.test_kobo import SUBMISSION

    payload = SUBMISSION | {"_attachments": attachments}
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(f"/api/v1/ingest/kobo/{token}/", payload, format="json")
    assert response.status_code == 201
    return response.json()["submission"]


def test_kobo_attachments_are_fetched_only_for_this_submission_once(
    kobo_form, kobo_downloads, django_capture_on_commit_callbacks
):
    from reports.services import evidence as evidence_services

    form, token = kobo_form(kobo_asset_uid=KOBO_ASSET, kobo_form_uuid=KOBO_FORMHUB)
    asked, files = kobo_downloads
    kpi = f"{KPI}/{KOBO_ASSET}/data/318640521/attachments/99187231/"
    kc = f"{KC}monitor3%2Fattachments%2F{KOBO_FORMHUB}%2F{KOBO_UUID}%2Fphoto_2.jpg"
    broken = f"{KPI}/{KOBO_ASSET}/data/318640521/attachments/99187233/"
    photo, other_photo = png(), png((200, 10, 10))
    files[kpi], files[kc] = photo, other_photo
    listed = [
        {"download_url": kpi, "id": 99187231, "filename": "monitor3/attachments/a/b/photo_1.jpg"},
        {"download_url": broken, "id": 99187233, "filename": "photo_3.jpg"},
        {"download_url": kc, "id": 99187232, "filename": "photo_2.jpg"},
        # Another project's file, readable with the same token, must not become evidence here.
        {"download_url": f"{KPI}/aOTHERORGASSET/data/1234/attachments/555/", "id": 4},
        {"download_url": f"{KPI}/{KOBO_ASSET}/data/1234/attachments/555/", "id": 5},
        {"download_url": f"{KC}other%2Fattachments%2F{KOBO_FORMHUB}%2Fx-y%2Fa.jpg", "id": 6},
        {"download_url": f"{KC}other%2Fattachments%2Fffff%2F{KOBO_UUID}%2Fa.jpg", "id": 7},
        {"download_url": f"{KPI}/{KOBO_ASSET}/data/318640521/attachments/1/?x=/", "id": 8},
        {"download_url": "https://metadata.internal/latest/", "id": 2},
        {"download_url": "http://kc.kobotoolbox.org/media/x.jpg", "id": 3},
    ]
    submission = send_kobo(token, listed, django_capture_on_commit_callbacks)
    # Only this submission's own files, and the one that fails does not stop the next.
    assert asked == [(kpi, "kobo-token"), (broken, "kobo-token"), (kc, "kobo-token")]
    kept = Evidence.objects.order_by("external_id")
    assert [(e.channel, e.external_id, e.original_name) for e in kept] == [
        ("kobo", "kobo:99187231", "photo_1.jpg"),
        ("kobo", "kobo:99187232", "photo_2.jpg"),
    ]
    assert kept[0].sha256 == hashlib.sha256(photo).hexdigest()
    assert kept[0].uploaded_by == form.client.user
    # Resent or retried: each file is kept once; the failed one is tried again.
    asked.clear()
    assert evidence_services.kobo_fetch_attachments(submission) == 0
    assert asked == [(broken, "kobo-token")]
    assert Evidence.objects.count() == 2


def test_kobo_attachments_are_not_fetched_for_a_form_without_its_kobo_id(
    kobo_form, kobo_downloads, django_capture_on_commit_callbacks
):
    _form, token = kobo_form()
    asked, files = kobo_downloads
    kpi = f"{KPI}/{KOBO_ASSET}/data/318640521/attachments/99187231/"
    files[kpi] = png()
    send_kobo(token, [{"download_url": kpi, "id": 1}], django_capture_on_commit_callbacks)
    assert asked == []
    assert Evidence.objects.count() == 0


def test_kobo_redirects_stay_on_kobo_hosts_and_the_token_on_its_host_and_port():
    import urllib.request

    from reports.services.evidence import _KoboRedirects

    handler = _KoboRedirects()

    def follow(to):
        request = urllib.request.Request(
            "https://kf.kobotoolbox.org/a", headers={"Authorization": "Token t"}
        )
        new = handler.redirect_request(request, None, 302, "Found", {}, to)
        return "not followed" if new is None else new.get_header("Authorization")

    assert follow("https://kf.kobotoolbox.org/b") == "Token t"
    assert follow("https://kf.kobotoolbox.org:443/b") == "Token t"
    assert follow("https://kc.kobotoolbox.org/b") is None  # another host: no token
    assert follow("https://kf.kobotoolbox.org:8443/b") is None  # another port: no token
    assert follow("http://kf.kobotoolbox.org/b") == "not followed"  # not https
    assert follow("https://s3.amazonaws.com/b") == "not followed"  # not a Kobo host
