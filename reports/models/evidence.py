"""Evidence attached to a report: each original as received (kept unchanged, with its SHA-256),
the cleaned copy a moderator may publish, and chunked uploads still arriving
(docs/evidence.md)."""

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def evidence_storage() -> Storage:
    """The private storage of originals, published copies and unfinished uploads (settings:
    STORAGES["evidence"]); never served directly. The code always asks for it here rather
    than through a file field's `storage`, which Django fixes once when models load."""
    return storages["evidence"]


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("photo")
    PDF = "pdf", _("PDF document")
    AUDIO = "audio", _("audio recording")
    VIDEO = "video", _("video")
    # An article or account as the intake screen received it (pasted text, .txt or .html):
    # kept as evidence with the drafts made from it; never published (no cleaner for it).
    TEXT = "text", _("text or web page")


class EvidenceChannel(models.TextChoices):
    FORM = "form", _("report form")
    CHUNKED = "chunked", _("resumable upload")
    API = "api", _("API")
    KOBO = "kobo", _("KoboToolbox")


class Evidence(models.Model):
    """One file as it arrived. `original` is stored under a random name (never the name the
    sender gave, which is kept only as untrusted text for moderators) and never rewritten."""

    report = models.ForeignKey("reports.Report", on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    # Detected from the bytes, not from the name or the sender's Content-Type.
    content_type = models.CharField(max_length=100)
    original = models.FileField(storage=evidence_storage, max_length=200, upload_to="originals/")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    channel = models.CharField(max_length=8, choices=EvidenceChannel.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    # Where it came from outside, when it did ("kobo:<attachment uid>"): fetched once.
    external_id = models.CharField(max_length=200, blank=True)
    # The cleaned copy (no location or device metadata) the public may see once the report is
    # approved; its address is a random id that says nothing of the original or its sender.
    public_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    public_file = models.FileField(
        storage=evidence_storage, max_length=200, upload_to="public/", blank=True
    )
    public_content_type = models.CharField(max_length=100, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "received_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "external_id"],
                condition=~Q(external_id=""),
                name="evidence_fetched_once",
            ),
            models.CheckConstraint(
                condition=Q(public_id__isnull=True, published_at__isnull=True)
                | Q(public_id__isnull=False, published_at__isnull=False),
                name="evidence_published_has_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence #{self.pk} of report #{self.report_id}"

    @property
    def is_published(self) -> bool:
        return self.public_id is not None

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")


# The file extension each accepted type is given in a download's name.
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heif": "heif",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/wav": "wav",
    "audio/ogg": "ogg",
    "audio/aac": "aac",
    "audio/amr": "amr",
    "audio/flac": "flac",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/3gpp": "3gp",
    "video/x-matroska": "mkv",
    "text/plain": "txt",
    "text/html": "html",
}


class EvidenceUpload(models.Model):
    """A chunked upload still arriving: its pieces are stored as they come, `received` bytes
    so far; finishing checks the size and SHA-256 and makes the Evidence. Expires unfinished."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="evidence_uploads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=EvidenceChannel.choices)
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    original_name = models.CharField(max_length=255, blank=True)
    # Set when finished, so that finishing again (a lost answer) gives the same evidence.
    evidence = models.ForeignKey(
        Evidence, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received__lte=models.F("size")), name="evidence_upload_within_size"
            ),
        ]

    def __str__(self) -> str:
        return f"Upload {self.id} for report #{self.report_id}: {self.received}/{self.size}"

    def chunk_name(self, index: int) -> str:
        return f"uploads/{self.id.hex}/{index:06d}"
