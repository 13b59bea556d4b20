"""Evidence attachments through the pages and the services: what is checked before anything is
kept (size, type by content), the SHA-256 recorded exactly, the resumable protocol and its
resume, nothing partial stored on an error, who sees what, the cleaned public copy (no GPS),
and verify_evidence finding a tampered file."""

import hashlib
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader, PdfWriter

from reports import services
from reports.exceptions import ActionRefused
from reports.models import AccessKind, AccessRecord, Evidence, EvidenceUpload, Report
from reports.services import evidence as evidence_services

GPS_IFD = 0x8825


pytestmark = pytest.mark.usefixtures("evidence_root")


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Field Phone 7"  # Model
    exif[GPS_IFD] = {1: "N", 2: (19.0, 40.0, 27.0), 3: "E", 4: (97.0, 12.0, 35.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test's own premise
    return data


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("list.txt", "names of the displaced")
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Naw Informant", "/Producer": "Scanner SN-4411"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def report(file_report, field_partner):
    return file_report(field_partner)


@pytest.fixture
def partner_client(client, field_partner):
    client.force_login(field_partner)
    return client


def attach(report, actor, name, data):
    checked = evidence_services.check_files([upload(name, data)])
    [evidence] = evidence_services.evidence_attach(
        report=report, actor=actor, files=checked, channel="form"
    )
    return evidence


# --- attaching through the page --------------------------------------------------------------


def test_a_photo_attached_on_the_report_page_is_kept_unchanged_with_its_sha256(
    partner_client, report, field_partner, evidence_root
):
    photo = jpeg_with_gps()
    response = partner_client.post(
        f"/partner/reports/{report.pk}/evidence/", {"evidence": upload("../../ward 3.jpg", photo)}
    )
    assert response.status_code == 302
    [evidence] = Evidence.objects.all()
    assert evidence.sha256 == hashlib.sha256(photo).hexdigest()
    assert (evidence.size, evidence.content_type, evidence.kind) == (
        len(photo),
        "image/jpeg",
        "image",
    )
    assert (evidence.original_name, evidence.channel) == ("ward 3.jpg", "form")
    assert evidence.uploaded_by == field_partner and evidence.report == report
    # Stored under a random name, never the sender's, byte for byte as sent.
    [name] = stored_files(evidence_root)
    assert name.startswith("originals/") and "ward" not in name
    assert (evidence_root / name).read_bytes() == photo
    page = partner_client.get(f"/partner/reports/{report.pk}/").content.decode()
    assert evidence.sha256 in page and "ward 3.jpg" in page


def test_a_jpg_that_is_really_a_zip_is_refused_and_nothing_is_stored(
    partner_client, report, evidence_root
):
    response = partner_client.post(
        f"/partner/reports/{report.pk}/evidence/",
        {"evidence": [upload("good.jpg", jpeg_with_gps()), upload("photo.jpg", zip_bytes())]},
        follow=True,
    )
    text = response.content.decode()
    assert (
        "Evidence: “photo.jpg” is not a photo (JPEG, PNG, WebP, HEIC), PDF, audio or video" in text
    )
    # All or nothing: the good file was not kept either.
    assert Evidence.objects.count() == 0
    assert stored_files(evidence_root) == []


def test_a_file_over_the_size_limit_is_refused(partner_client, report, settings, evidence_root):
    settings.TRACKER_EVIDENCE_MAX_BYTES = 500
    photo = jpeg_with_gps()
    response = partner_client.post(
        f"/partner/reports/{report.pk}/evidence/",
        {"evidence": upload("big.jpg", photo)},
        follow=True,
    )
    expected = f"Evidence: “big.jpg” is {len(photo)} bytes; the largest file accepted is 500 bytes."
    assert expected in response.content.decode()
    assert Evidence.objects.count() == 0 and stored_files(evidence_root) == []


def test_the_report_form_takes_files_with_the_report_all_or_nothing(
    partner_client, places, evidence_root
):
    form = partner_client.get("/partner/reports/new/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="evidence"' in form
    key = form.split('name="submission_key" value="')[1].split('"')[0]
    fields = {
        "submission_key": key,
        "title": "School destroyed in Demoso",
        "place": "MMR002001701",
        "start_date": "2023-11-12",
        "date_precision": "day",
        "figures-TOTAL_FORMS": "1",
        "figures-INITIAL_FORMS": "0",
        "figures-0-metric": "schools_damaged",
        "figures-0-qualifier": "exact",
        "figures-0-value": "1",
        "figures-0-unit": "structures",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "save": "1",
    }
    refused = partner_client.post(
        "/partner/reports/new/", fields | {"evidence": upload("school.jpg", zip_bytes())}
    )
    assert refused.status_code == 400
    assert "“school.jpg” is not a photo" in refused.content.decode()
    assert not Report.objects.exists()
    assert Evidence.objects.count() == 0 and stored_files(evidence_root) == []

    photo = jpeg_with_gps()
    saved = partner_client.post(
        "/partner/reports/new/", fields | {"evidence": upload("school.jpg", photo)}
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    [evidence] = Evidence.objects.all()
    assert evidence.report.title == "School destroyed in Demoso"
    assert evidence.sha256 == hashlib.sha256(photo).hexdigest()
    # The same form sent again (a retry) saves nothing twice.
    again = partner_client.post(
        "/partner/reports/new/", fields | {"evidence": upload("school.jpg", photo)}
    )
    assert again.status_code == 302 and Evidence.objects.count() == 1


# --- the resumable protocol ------------------------------------------------------------------


def test_a_chunked_upload_resumes_from_the_servers_offset_and_checks_the_sha256(
    partner_client, report, settings, evidence_root
):
    settings.TRACKER_EVIDENCE_CHUNK_BYTES = 400
    photo = jpeg_with_gps()
    base = f"/partner/reports/{report.pk}/evidence/uploads/"
    created = partner_client.post(
        base, {"size": len(photo), "name": "ward3.jpg"}, content_type="application/json"
    )
    assert created.status_code == 201
    url = created.json()["url"]
    assert created.json()["offset"] == 0 and created.json()["chunk_bytes"] == 400

    def send(offset, data):
        return partner_client.patch(
            url,
            data,
            content_type="application/offset+octet-stream",
            HTTP_UPLOAD_OFFSET=str(offset),
        )

    assert send(0, photo[:400]).json()["offset"] == 400
    # The connection dropped after the server stored the second piece; the client, not
    # knowing, sends it again: refused with the offset to go on from, nothing stored twice.
    assert send(400, photo[400:800]).json()["offset"] == 800
    again = send(400, photo[400:800])
    assert again.status_code == 409 and again.json()["offset"] == 800
    assert partner_client.get(url).json()["offset"] == 800
    # Finishing early is refused.
    early = partner_client.post(
        url + "finish/", {"sha256": "0" * 64}, content_type="application/json"
    )
    assert early.status_code == 409
    offset = 800
    while offset < len(photo):
        offset = send(offset, photo[offset : offset + 400]).json()["offset"]
    finished = partner_client.post(
        url + "finish/",
        {"sha256": hashlib.sha256(photo).hexdigest()},
        content_type="application/json",
    )
    assert finished.status_code == 201
    assert finished.json()["sha256"] == hashlib.sha256(photo).hexdigest()
    [evidence] = Evidence.objects.all()
    assert (evidence.channel, evidence.size) == ("chunked", len(photo))
    assert (evidence_root / evidence.original.name).read_bytes() == photo
    # The pieces are gone; finishing again (a lost answer) gives the same evidence.
    assert [n for n in stored_files(evidence_root) if n.startswith("uploads/")] == []
    replay = partner_client.post(
        url + "finish/",
        {"sha256": hashlib.sha256(photo).hexdigest()},
        content_type="application/json",
    )
    assert replay.status_code == 201 and replay.json()["id"] == evidence.pk


def test_a_checksum_mismatch_keeps_nothing(partner_client, report, evidence_root):
    photo = jpeg_with_gps()
    base = f"/partner/reports/{report.pk}/evidence/uploads/"
    url = partner_client.post(base, {"size": len(photo)}, content_type="application/json").json()[
        "url"
    ]
    partner_client.patch(
        url, photo, content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0"
    )
    wrong = partner_client.post(
        url + "finish/", {"sha256": "a" * 64}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["attr"] == "sha256"
    assert Evidence.objects.count() == 0 and EvidenceUpload.objects.count() == 0
    assert stored_files(evidence_root) == []


def test_unfinished_uploads_expire_with_their_pieces(partner_client, report, evidence_root):
    base = f"/partner/reports/{report.pk}/evidence/uploads/"
    url = partner_client.post(base, {"size": 10}, content_type="application/json").json()["url"]
    partner_client.patch(
        url, b"12345", content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0"
    )
    assert len(stored_files(evidence_root)) == 1
    EvidenceUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert partner_client.get(url).status_code == 404
    assert evidence_services.expire_uploads() == 1
    assert EvidenceUpload.objects.count() == 0 and stored_files(evidence_root) == []


def test_an_announced_size_over_the_limit_is_refused_by_name(partner_client, report, settings):
    settings.TRACKER_EVIDENCE_MAX_BYTES = 100
    response = partner_client.post(
        f"/partner/reports/{report.pk}/evidence/uploads/",
        {"size": 101, "name": "film.mp4"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "size"


@pytest.mark.parametrize(
    "body",
    [
        b'{"size": 1e400}',
        b'{"size": Infinity}',
        b'{"size": NaN}',
        b'{"size": 10.5}',
        b'{"size": true}',
        b'{"size": "100"}',
        b'{"size": null}',
        b"{}",
    ],
)
def test_a_size_that_is_not_a_whole_number_is_refused_by_name(partner_client, report, body):
    response = partner_client.post(
        f"/partner/reports/{report.pk}/evidence/uploads/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"attr": "size", "detail": "The file's size in bytes, a whole number."}
    ]
    assert EvidenceUpload.objects.count() == 0


# --- who sees what ---------------------------------------------------------------------------


def test_the_organisation_downloads_the_original_and_the_download_is_recorded(
    partner_client, report, field_partner
):
    photo = jpeg_with_gps()
    evidence = attach(report, field_partner, "ward.jpg", photo)
    response = partner_client.get(f"/partner/reports/{report.pk}/evidence/{evidence.pk}/original/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == photo
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-{report.pk}-evidence-{evidence.pk}.jpg"'
    )
    record = AccessRecord.objects.filter(kind=AccessKind.DOWNLOAD).get()
    assert (record.user, record.report_id) == (field_partner, report.pk)


def test_another_organisation_and_the_public_never_see_an_original(
    client, report, field_partner, other_partner, advocate
):
    evidence = attach(report, field_partner, "ward.jpg", jpeg_with_gps())
    original = f"/partner/reports/{report.pk}/evidence/{evidence.pk}/original/"
    client.force_login(other_partner)
    assert client.get(original).status_code == 404
    assert client.get(f"/partner/reports/{report.pk}/").status_code == 404
    assert (
        client.post(
            f"/partner/reports/{report.pk}/evidence/uploads/",
            {"size": 10},
            content_type="application/json",
        ).status_code
        == 404
    )
    client.force_login(advocate)
    assert client.get(original).status_code == 403
    client.logout()
    assert client.get(original).status_code == 302  # to the sign-in page


def test_the_moderator_publishes_a_cleaned_copy_without_gps_shown_only_once_approved(
    client, moderator, report, field_partner, places
):
    evidence = attach(report, field_partner, "ward 3 by Naw.jpg", jpeg_with_gps())
    client.force_login(moderator)
    review = client.get(f"/moderation/reports/{report.pk}/").content.decode()
    assert "Publish a cleaned copy" in review and evidence.sha256 in review
    response = client.post(f"/moderation/reports/{report.pk}/evidence/{evidence.pk}/publish/")
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.is_published and evidence.published_by == moderator
    public = f"/dashboard/evidence/files/{evidence.public_id}/"
    client.logout()
    # The report is a draft: its copy answers as a file that does not exist.
    assert client.get(public).status_code == 404
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    response = client.get(public)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    disposition = response["Content-Disposition"]
    assert disposition == f'inline; filename="evidence-{evidence.public_id}.jpg"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # Revalidated each time, so a cache does not go on serving a copy that was taken down.
    assert response["Cache-Control"] == "no-cache"
    copy = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    exif = copy.getexif()
    assert dict(exif.get_ifd(GPS_IFD)) == {}
    assert len(exif) == 0 and "exif" not in copy.info
    assert copy.size == (40, 30)
    # The public evidence page links the copy, never the original's name or sender.
    page = client.get("/dashboard/evidence/?metric=newly_displaced").content.decode()
    assert public in page
    assert "ward 3 by Naw" not in page and "partner" not in page.split("<main")[-1]
    # Retracted: the copy is gone from public view.
    services.report_retract(report=report, actor=moderator, reason="Wrong town.")
    assert client.get(public).status_code == 404


def test_a_pdf_is_published_without_its_metadata(client, moderator, report, field_partner):
    evidence = attach(report, field_partner, "list.pdf", pdf_with_metadata())
    assert evidence.kind == "pdf"
    published = evidence_services.evidence_publish(evidence=evidence, actor=moderator)
    with evidence_services.evidence_storage().open(published.public_file.name, "rb") as copy:
        data = copy.read()
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert "/Author" not in (reader.metadata or {})
    assert b"Naw Informant" not in data and b"SN-4411" not in data


def pdf_with_hidden_metadata() -> bytes:
    """A page with its own XMP (naming an informant) and application data, a scanned photo
    with EXIF (GPS) and its own XMP, and a thumbnail of the page that is a JPEG with EXIF."""
    from pypdf.generic import (
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    photo = jpeg_with_gps()
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)

    def xmp(text: bytes):
        stream = DecodedStreamObject()
        stream.set_data(b"<x:xmpmeta>" + text + b"</x:xmpmeta>")
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        return writer._add_object(stream)

    def jpeg(**extra):
        stream = StreamObject()
        stream._data = photo
        stream.update(
            {
                NameObject("/Width"): NumberObject(40),
                NameObject("/Height"): NumberObject(30),
                NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Filter"): NameObject("/DCTDecode"),
                **extra,
            }
        )
        return writer._add_object(stream)

    image = jpeg(
        **{
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Metadata"): xmp(b"IMAGEXMP Saw Reporter"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): image})}
    )
    content = DecodedStreamObject()
    content.set_data(b"q 40 0 0 30 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Metadata")] = xmp(b"PAGEXMP Naw Informant")
    page[NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/Scan"): DictionaryObject({NameObject("/Private"): TextStringObject("PIECE")})}
    )
    page[NameObject("/Thumb")] = jpeg()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_is_published_without_hidden_xmp_thumbnails_or_exif(moderator, report, field_partner):
    data = pdf_with_hidden_metadata()
    for secret in (b"PAGEXMP", b"IMAGEXMP", b"PIECE", b"Exif", b"PhoneMaker"):
        assert secret in data  # the test's own premise
    evidence = attach(report, field_partner, "scan.pdf", data)
    published = evidence_services.evidence_publish(evidence=evidence, actor=moderator)
    with evidence_services.evidence_storage().open(published.public_file.name, "rb") as copy:
        cleaned = copy.read()
    for secret in (b"PAGEXMP", b"Naw Informant", b"IMAGEXMP", b"Saw Reporter", b"PIECE"):
        assert secret not in cleaned
    assert b"GPS" not in cleaned and b"Exif" not in cleaned and b"PhoneMaker" not in cleaned
    page = PdfReader(io.BytesIO(cleaned)).pages[0]
    assert "/Thumb" not in page and "/Metadata" not in page
    image = page["/Resources"]["/XObject"]["/Im0"].get_object()
    assert "/Metadata" not in image and (image["/Width"], image["/Height"]) == (40, 30)


def test_a_pdf_with_an_image_that_cannot_be_read_is_not_published(moderator, report, field_partner):
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    broken = StreamObject()
    broken._data = b"SECRET-BYTES not an image"
    broken.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(40),
            NameObject("/Height"): NumberObject(30),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/JBIG2Decode"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(broken)})}
    )
    out = io.BytesIO()
    writer.write(out)
    evidence = attach(report, field_partner, "scan.pdf", out.getvalue())
    with pytest.raises(ActionRefused) as refused:
        evidence_services.evidence_publish(evidence=evidence, actor=moderator)
    assert refused.value.message == (
        "An image in this PDF could not be read, so it could not be cleaned of its metadata: "
        "the PDF was not published."
    )
    evidence.refresh_from_db()
    assert not evidence.is_published


def test_a_photo_over_the_pixel_limit_is_refused_before_it_is_decoded(
    moderator, report, field_partner, monkeypatch
):
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(out, "PNG")
    evidence = attach(report, field_partner, "big.png", out.getvalue())
    monkeypatch.setattr(evidence_services, "MAX_PIXELS", 50_000)
    with pytest.raises(ActionRefused) as refused:
        evidence_services.evidence_publish(evidence=evidence, actor=moderator)
    assert refused.value.message == (
        "This photo is too large to clean (300 × 200 pixels; at most 0.05 megapixels): "
        "make it smaller and attach that."
    )
    evidence.refresh_from_db()
    assert not evidence.is_published
    monkeypatch.setattr(evidence_services, "MAX_PIXELS", 60_000)
    assert evidence_services.evidence_publish(evidence=evidence, actor=moderator).is_published


def test_audio_is_never_published(moderator, report, field_partner):
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 28
    evidence = attach(report, field_partner, "voice.wav", wav)
    assert (evidence.kind, evidence.content_type) == ("audio", "audio/wav")
    with pytest.raises(ActionRefused, match="Audio and video are not published"):
        evidence_services.evidence_publish(evidence=evidence, actor=moderator)
    evidence.refresh_from_db()
    assert not evidence.is_published


def test_a_partner_cannot_publish(client, report, field_partner):
    evidence = attach(report, field_partner, "ward.jpg", jpeg_with_gps())
    client.force_login(field_partner)
    response = client.post(f"/moderation/reports/{report.pk}/evidence/{evidence.pk}/publish/")
    assert response.status_code == 403
    evidence.refresh_from_db()
    assert not evidence.is_published


# --- verify_evidence -------------------------------------------------------------------------


def test_verify_evidence_finds_a_tampered_and_a_missing_file(
    report, field_partner, evidence_root, capsys
):
    first = attach(report, field_partner, "a.jpg", jpeg_with_gps())
    second = attach(report, field_partner, "b.pdf", pdf_with_metadata())
    call_command("verify_evidence")
    assert "2 evidence files checked: every SHA-256 matches." in capsys.readouterr().out
    tampered = evidence_root / first.original.name
    tampered.write_bytes(tampered.read_bytes() + b"x")
    (evidence_root / second.original.name).unlink()
    with pytest.raises(CommandError, match="2 of 2 evidence files failed the check."):
        call_command("verify_evidence", report=report.pk)
    err = capsys.readouterr().err
    found = hashlib.sha256(tampered.read_bytes()).hexdigest()
    mismatch = f"MISMATCH evidence #{first.pk} (report #{report.pk}): recorded {first.sha256}"
    assert f"{mismatch}, found {found}" in err
    assert f"MISSING evidence #{second.pk} (report #{report.pk})" in err


def test_a_published_copy_can_be_taken_down_and_the_original_stays(
    client, moderator, report, field_partner, evidence_root, django_capture_on_commit_callbacks
):
    attached = [attach(report, field_partner, f"{n}.jpg", jpeg_with_gps()) for n in ("a", "b")]
    # The message below must name the evidence, so its number must not be the report's too
    # (ids depend on what ran before in this database).
    while attached[-1].pk == report.pk:
        attached.append(attach(report, field_partner, "c.jpg", jpeg_with_gps()))
    evidence = attached[-1]
    evidence_services.evidence_publish(evidence=evidence, actor=moderator)
    evidence.refresh_from_db()
    copy_name = evidence.public_file.name
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    public = f"/dashboard/evidence/files/{evidence.public_id}/"
    assert client.get(public).status_code == 200
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/reports/{report.pk}/evidence/{evidence.pk}/withdraw/")
    assert response.status_code == 302
    # The message names the evidence, not the report.
    assert evidence.pk != report.pk
    review = client.get(response.url).content.decode()
    assert f"The published copy of evidence #{evidence.pk} was taken down." in review
    assert client.get(public).status_code == 404
    assert stored_files(evidence_root) == sorted(e.original.name for e in attached)
    assert copy_name not in stored_files(evidence_root)
