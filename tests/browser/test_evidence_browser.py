"""Evidence on a bad connection, in a real browser: a field partner attaches a photo with GPS
in its EXIF over a throttled connection that drops in the middle (Chromium's network
emulation); the resumable uploader carries on from the server's offset and the server checks
the SHA-256 the page computed. A moderator publishes a cleaned copy; once the report is
approved, the public copy has no GPS tag."""

import hashlib
import io
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from reports import services
from reports.models import Evidence

PASSWORD = "x-secret-pass-1"
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    root = tmp_path / "evidence"
    settings.STORAGES = settings.STORAGES | {
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        }
    }
    # Small pieces, so that a 60 KB photo travels in several and a drop falls between them.
    settings.TRACKER_EVIDENCE_CHUNK_BYTES = 8 * 1024
    return root


def photo_with_gps() -> bytes:
    noise = Image.frombytes("RGB", (160, 120), os.urandom(160 * 120 * 3))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Field Phone 7"
    exif[GPS_IFD] = {1: "N", 2: (19.0, 40.0, 27.0), 3: "E", 4: (97.0, 12.0, 35.0)}
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_throttled_upload_resumes_verifies_and_publishes_without_gps(
    page, live_server, login, screenshot, field_partner, moderator, file_report, places
):
    report = file_report(field_partner)
    photo = photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)
    sha256 = hashlib.sha256(photo).hexdigest()

    login(page, "partner", PASSWORD)
    page.goto(f"/partner/reports/{report.pk}/")
    page.set_input_files(
        "#evidence-file", files=[{"name": "ward3.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    # A slow 3G-like link: 200 ms each way, about 16 KB/s up.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    slow = {"latency": 200, "downloadThroughput": 32 * 1024, "uploadThroughput": 16 * 1024}
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **slow})
    page.get_by_role("button", name="Attach").click()
    progress = page.locator(".evidence-progress")
    expect(progress).to_contain_text(re.compile(r"ward3\.jpg: [1-9]\d?%"), timeout=30_000)
    # The network drops for a while, then comes back: the upload resumes where it stopped.
    cdp.send("Network.emulateNetworkConditions", {"offline": True, **slow})
    expect(progress).to_contain_text("Connection lost; resuming", timeout=30_000)
    screenshot(page, "evidence-01-connection-lost")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **slow})
    expect(progress).to_contain_text(f"checksum verified (SHA-256): {sha256}", timeout=60_000)
    screenshot(page, "evidence-02-uploaded")

    evidence = Evidence.objects.get()
    assert (evidence.sha256, evidence.size, evidence.channel) == (sha256, len(photo), "chunked")
    assert evidence.original_name == "ward3.jpg"
    services.report_submit(report=report, actor=field_partner)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()

    # The moderator sees it on the review page and publishes a cleaned copy.
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    login(page, "moderator", PASSWORD)
    page.goto(f"/moderation/reports/{report.pk}/")
    section = page.locator("section#evidence")
    expect(section).to_contain_text(sha256)
    expect(section).to_contain_text("ward3.jpg")
    section.get_by_role("button", name="Publish a cleaned copy").click()
    expect(page.locator(".messages")).to_contain_text("A cleaned copy of evidence")
    screenshot(page, "evidence-03-published")
    services.report_approve(report=report, actor=moderator)

    evidence.refresh_from_db()
    public = page.request.get(f"/dashboard/evidence/files/{evidence.public_id}/")
    assert public.status == 200
    copy = Image.open(io.BytesIO(public.body()))
    assert dict(copy.getexif().get_ifd(GPS_IFD)) == {}
    assert len(copy.getexif()) == 0
    assert copy.size == (160, 120)
