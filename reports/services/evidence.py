"""Evidence files: who may attach, see and publish them (the one place that decides), checking
what arrives (size, type by content, SHA-256), storing originals unchanged, chunked uploads
that survive a dropped connection, publishing a cleaned copy, and verifying the originals.
docs/evidence.md says what each rule protects."""

import hashlib
import io
import logging
import re
import tempfile
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..exceptions import ActionRefused, NotPermitted
from ..models import Evidence, EvidenceChannel, EvidenceKind, EvidenceUpload, Report
from ..models.evidence import evidence_storage
from ..types import Actor, Viewer
from ..workflow import Status
from .data_version import data_version_bump

# What a content type detected from the bytes counts as. Anything else is refused.
ACCEPTED = {
    "image/jpeg": EvidenceKind.IMAGE,
    "image/png": EvidenceKind.IMAGE,
    "image/webp": EvidenceKind.IMAGE,
    "image/heif": EvidenceKind.IMAGE,
    "image/heic": EvidenceKind.IMAGE,
    "application/pdf": EvidenceKind.PDF,
    "audio/mpeg": EvidenceKind.AUDIO,
    "audio/mp4": EvidenceKind.AUDIO,
    "audio/wav": EvidenceKind.AUDIO,
    "audio/ogg": EvidenceKind.AUDIO,
    "audio/aac": EvidenceKind.AUDIO,
    "audio/amr": EvidenceKind.AUDIO,
    "audio/flac": EvidenceKind.AUDIO,
    "video/mp4": EvidenceKind.VIDEO,
    "video/quicktime": EvidenceKind.VIDEO,
    "video/webm": EvidenceKind.VIDEO,
    "video/3gpp": EvidenceKind.VIDEO,
    "video/x-matroska": EvidenceKind.VIDEO,
}
# The names puremagic gives some of those types.
ALIASES = {
    "audio/wave": "audio/wav",
    "audio/x-wav": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "application/ogg": "audio/ogg",
    "audio/x-m4a": "audio/mp4",
    "audio/x-flac": "audio/flac",
    "audio/x-aac": "audio/aac",
    "application/x-matroska": "video/x-matroska",
    "image/pjpeg": "image/jpeg",
}
# Kinds a moderator can publish: each has a cleaner that drops location and device metadata.
# Audio and video have none in a pure-Python library, so they stay private (docs/evidence.md).
PUBLISHABLE = {EvidenceKind.IMAGE, EvidenceKind.PDF}
# Statuses in which the submitting organisation may still add evidence (moderators: any).
PARTNER_ATTACHABLE = {Status.DRAFT, Status.CHANGES_REQUESTED, Status.SUBMITTED}
logger = logging.getLogger(__name__)
SHA256 = re.compile(r"^[0-9a-f]{64}$")
READ = 64 * 1024


# --- who may do what ---------------------------------------------------------------------------


def can_attach(user: Viewer, report: Report) -> bool:
    if permissions.is_moderator(user):
        return True
    return report.status in PARTNER_ATTACHABLE and permissions.can_submit_for(
        user, report.organization
    )


def evidence_visible_to(user: Viewer) -> QuerySet[Evidence]:
    """Originals: moderators see all, a field partner their own organisation's, no one else
    any (the public sees published copies only: public_evidence). A text kept by the intake
    screen is the moderators' alone: it may be another partner's account, whatever
    organisation its drafts were filed for."""
    everything = Evidence.objects.select_related("report")
    if permissions.is_moderator(user):
        return everything
    organization = permissions.organization_of(user)
    if organization is None or not permissions.is_field_partner(user):
        return everything.none()
    return everything.filter(report__organization=organization).exclude(kind=EvidenceKind.TEXT)


def evidence_of(user: Viewer, report: Report) -> QuerySet[Evidence]:
    return evidence_visible_to(user).filter(report=report).order_by("received_at", "id")


def public_evidence() -> QuerySet[Evidence]:
    """Published copies of approved reports: what anyone may fetch. A copy of a report that is
    later retracted is answered as one that does not exist."""
    return Evidence.objects.filter(public_id__isnull=False, report__status=Status.APPROVED)


# --- checking what arrives -------------------------------------------------------------------


@dataclass
class CheckedFile:
    file: IO[bytes]
    size: int
    sha256: str
    content_type: str
    kind: str
    name: str


def max_bytes() -> int:
    return int(settings.TRACKER_EVIDENCE_MAX_BYTES)


def _megabytes(size: int) -> str:
    return str(filesizeformat(size)).replace("\xa0", " ")


def clean_name(name: str) -> str:
    """The sender's file name as text to show moderators: no path, no control characters,
    at most 255 characters. Never used to store or serve a file."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name.strip()[:255]


def detect(stream: IO[bytes]) -> str:
    """The file's content type from its bytes (puremagic: signatures at its start and end),
    or "" when it is not one of the accepted types."""
    stream.seek(0)
    try:
        matches = puremagic.magic_stream(stream)
    except (puremagic.PureError, ValueError, OSError):
        matches = []
    finally:
        stream.seek(0)
    for match in matches:
        mime = ALIASES.get(match.mime_type, match.mime_type)
        if mime:
            # The most confident named type decides: a ZIP named .jpg is a ZIP.
            return mime if mime in ACCEPTED else ""
    return ""


def _refuse_type(field: str, name: str) -> ValidationError:
    return ValidationError(
        {
            field: _(
                "“%(name)s” is not a photo (JPEG, PNG, WebP, HEIC), PDF, audio or video "
                "file, judging by its content: it was not attached."
            )
            % {"name": name or _("the file")}
        }
    )


def _refuse_size(field: str, name: str, size: int) -> ValidationError:
    if size == 0:
        return ValidationError({field: _("“%(name)s” is empty.") % {"name": name}})
    return ValidationError(
        {
            field: _("“%(name)s” is %(size)s; the largest file accepted is %(max)s.")
            % {"name": name, "size": _megabytes(size), "max": _megabytes(max_bytes())}
        }
    )


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while block := stream.read(READ):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    return digest.hexdigest(), size


def check_file(file: Any, *, name: str = "", field: str = "evidence") -> CheckedFile:
    """A file about to be attached, checked before anything is stored: size, SHA-256 and its
    type by content. Raises ValidationError naming `field`."""
    name = clean_name(name or getattr(file, "name", "") or "")
    declared = getattr(file, "size", None)
    if declared is not None and not 0 < declared <= max_bytes():
        raise _refuse_size(field, name, declared)
    sha256, size = _digest(file)
    if not 0 < size <= max_bytes():
        raise _refuse_size(field, name, size)
    content_type = detect(file)
    if not content_type:
        raise _refuse_type(field, name)
    return CheckedFile(file, size, sha256, content_type, ACCEPTED[content_type], name)


def check_files(files: Iterable[Any], *, field: str = "evidence") -> list[CheckedFile]:
    """Every file checked, or a ValidationError listing each refused one (nothing is kept)."""
    checked, problems = [], []
    for file in files:
        try:
            checked.append(check_file(file, field=field))
        except ValidationError as exc:
            problems.extend(exc.message_dict[field])
    if problems:
        raise ValidationError({field: problems})
    return checked


# --- storing originals -----------------------------------------------------------------------


def _store(
    report: Report, actor: Actor, checked: CheckedFile, channel: str, external_id: str = ""
) -> Evidence:
    storage = evidence_storage()
    stored = storage.save(f"originals/{uuid.uuid4().hex}", File(checked.file))
    try:
        return Evidence.objects.create(
            report=report,
            kind=checked.kind,
            content_type=checked.content_type,
            original=stored,
            sha256=checked.sha256,
            size=checked.size,
            original_name=checked.name,
            channel=channel,
            uploaded_by=actor,
            external_id=external_id,
        )
    except Exception:
        storage.delete(stored)
        raise


def evidence_attach(
    *,
    report: Report,
    actor: Actor,
    files: Iterable[CheckedFile],
    channel: str,
    external_id: str = "",
) -> list[Evidence]:
    """Attach checked files to a report, all or none: a failure deletes what was stored."""
    if not can_attach(actor, report):
        raise NotPermitted(_("You cannot add evidence to report #%(id)s.") % {"id": report.pk})
    made: list[Evidence] = []
    try:
        with transaction.atomic():
            for checked in files:
                made.append(_store(report, actor, checked, channel, external_id))
    except Exception:
        for evidence in made:
            evidence_storage().delete(evidence.original.name)
        raise
    return made


def report_save_with_evidence(*, files: list[CheckedFile], **kwargs: Any) -> Any:
    """The report form's save (services.report_save) and its checked files, in one
    transaction: the report is not saved without its files, nor the files without it. A
    replayed submission key attaches nothing (the first send did)."""
    from .reports import report_save

    with transaction.atomic():
        saved = report_save(**kwargs)
        if files and not saved.replayed:
            evidence_attach(report=saved.report, actor=kwargs["actor"], files=files, channel="form")
    return saved


# --- chunked uploads -------------------------------------------------------------------------


class OffsetMismatch(ActionRefused):
    """A chunk sent for another offset than the server has: the client resumes from `offset`."""

    code = "offset_mismatch"

    def __init__(self, offset: int):
        super().__init__(
            _("The upload is at byte %(offset)s: send from there.") % {"offset": offset}
        )
        self.offset = offset


def expire_uploads(now: datetime | None = None) -> int:
    """Delete the uploads past their expiry, with their pieces. Runs at each new upload."""
    now = now or timezone.now()
    gone = 0
    for upload in EvidenceUpload.objects.filter(expires_at__lte=now):
        _delete_chunks(upload)
        upload.delete()
        gone += 1
    return gone


def _delete_chunks(upload: EvidenceUpload) -> None:
    storage = evidence_storage()
    for index in range(upload.chunks + 1):  # +1: a piece stored by a request that then failed
        if storage.exists(upload.chunk_name(index)):
            storage.delete(upload.chunk_name(index))


def upload_start(
    *, report: Report, actor: Actor, size: Any, name: str = "", channel: str
) -> EvidenceUpload:
    if not can_attach(actor, report):
        raise NotPermitted(_("You cannot add evidence to report #%(id)s.") % {"id": report.pk})
    # A JSON number only: not a string, a float (1e400 is infinity), nor true/false.
    if type(size) is not int:
        raise ValidationError({"size": _("The file's size in bytes, a whole number.")})
    name = clean_name(name)
    if not 0 < size <= max_bytes():
        raise ValidationError({"size": _refuse_size("size", name, size).message_dict["size"]})
    expire_uploads()
    hours = settings.TRACKER_EVIDENCE_UPLOAD_HOURS
    return EvidenceUpload.objects.create(
        report=report,
        created_by=actor,
        channel=channel,
        size=size,
        original_name=name,
        expires_at=timezone.now() + timedelta(hours=hours),
    )


def upload_of(actor: Actor, upload_id: Any) -> EvidenceUpload | None:
    """The actor's own upload that has not expired (anyone else's answers as missing)."""
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        return None
    return EvidenceUpload.objects.filter(
        pk=key, created_by=actor, expires_at__gt=timezone.now()
    ).first()


def _locked(actor: Actor, upload: EvidenceUpload) -> EvidenceUpload:
    locked = (
        EvidenceUpload.objects.select_for_update()
        .filter(pk=upload.pk, created_by=actor, expires_at__gt=timezone.now())
        .first()
    )
    if locked is None:
        raise ActionRefused(_("This upload has expired: start again."))
    return locked


def upload_append(*, upload: EvidenceUpload, actor: Actor, offset: Any, data: bytes) -> int:
    """Store the next piece; returns the new offset. A piece for another offset than the
    server's changes nothing (OffsetMismatch carries the offset to resume from)."""
    try:
        offset = int(offset)
    except (TypeError, ValueError):
        raise ValidationError({"offset": _("The byte offset, a whole number.")}) from None
    with transaction.atomic():
        locked = _locked(actor, upload)
        if locked.evidence_id is not None:
            raise ActionRefused(_("This upload is finished."))
        if offset != locked.received:
            raise OffsetMismatch(locked.received)
        if not data:
            raise ValidationError({"chunk": _("The piece is empty.")})
        if len(data) > settings.TRACKER_EVIDENCE_CHUNK_BYTES:
            raise ValidationError(
                {
                    "chunk": _("Send at most %(n)s bytes at a time.")
                    % {"n": settings.TRACKER_EVIDENCE_CHUNK_BYTES}
                }
            )
        if locked.received + len(data) > locked.size:
            raise ValidationError(
                {
                    "chunk": _("This piece goes past the %(size)s bytes announced.")
                    % {"size": locked.size}
                }
            )
        storage = evidence_storage()
        name = locked.chunk_name(locked.chunks)
        if storage.exists(name):  # left by an earlier attempt that failed after storing it
            storage.delete(name)
        storage.save(name, ContentFile(data))
        locked.received += len(data)
        locked.chunks += 1
        locked.save(update_fields=["received", "chunks"])
        return locked.received


def _pieces(upload: EvidenceUpload) -> Iterator[bytes]:
    storage = evidence_storage()
    for index in range(upload.chunks):
        with storage.open(upload.chunk_name(index), "rb") as piece:
            while block := piece.read(READ):
                yield block


def upload_finish(*, upload: EvidenceUpload, actor: Actor, sha256: Any) -> Evidence:
    """Check that every byte arrived and that their SHA-256 is the one the sender computed,
    check the type by content, and keep the file as evidence. A mismatch or a refused type
    deletes the upload (nothing partial is kept); finishing twice gives the same evidence."""
    sha256 = str(sha256 or "").strip().lower()
    if not SHA256.match(sha256):
        raise ValidationError({"sha256": _("The file's SHA-256, as 64 hexadecimal digits.")})
    refused: ValidationError | None = None
    with transaction.atomic():
        locked = _locked(actor, upload)
        if locked.evidence_id is not None:
            return Evidence.objects.get(pk=locked.evidence_id)
        if locked.received != locked.size:
            raise ActionRefused(
                _("Only %(received)s of %(size)s bytes have arrived: send the rest first.")
                % {"received": locked.received, "size": locked.size}
            )
        report = Report.objects.get(pk=locked.report_id)
        with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as whole:
            for block in _pieces(locked):
                whole.write(block)
            try:
                checked = check_file(whole, name=locked.original_name, field="file")
            except ValidationError as exc:
                refused = exc
            else:
                if checked.sha256 != sha256:
                    refused = ValidationError(
                        {
                            "sha256": _(
                                "The file that arrived has SHA-256 %(arrived)s, not "
                                "%(sent)s: it was changed on the way and was not kept. "
                                "Send it again."
                            )
                            % {"arrived": checked.sha256, "sent": sha256}
                        }
                    )
                else:
                    [evidence] = evidence_attach(
                        report=report, actor=actor, files=[checked], channel=locked.channel
                    )
                    locked.evidence = evidence
                    locked.save(update_fields=["evidence"])
    if refused is not None:
        # Nothing partial is kept: the pieces go, and the sender starts again.
        _delete_chunks(upload)
        EvidenceUpload.objects.filter(pk=upload.pk).delete()
        raise refused
    _delete_chunks(locked)
    return evidence


# --- publishing a cleaned copy ---------------------------------------------------------------


# The largest photo a moderator can publish, in pixels (a 50-megapixel RGBA decode is 200 MB).
MAX_PIXELS = 50_000_000


def _clean_image(evidence: Evidence) -> tuple[bytes, str]:
    from PIL import Image, ImageOps

    if evidence.content_type not in ("image/jpeg", "image/png", "image/webp"):
        raise ActionRefused(
            _(
                "This photo's format (%(type)s) cannot be cleaned of its metadata here: "
                "convert it to JPEG and attach that."
            )
            % {"type": evidence.content_type}
        )
    try:
        with (
            evidence_storage().open(evidence.original.name, "rb") as original,
            Image.open(original) as image,
        ):
            # The header's size, before any pixel is decoded: a huge photo is refused, not
            # decoded into the server's memory.
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ActionRefused(
                    _(
                        "This photo is too large to clean (%(width)s × %(height)s pixels; "
                        "at most %(most)s megapixels): make it smaller and attach that."
                    )
                    % {"width": width, "height": height, "most": f"{MAX_PIXELS / 1e6:g}"}
                )
            image.load()
            # Turned the way the camera meant, since the orientation tag goes with the rest.
            upright = ImageOps.exif_transpose(image) or image
            mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") else "RGB"
            # Only the pixels are copied: no EXIF (GPS, camera, serial numbers), XMP, ICC or
            # text chunks.
            pixels = Image.frombytes(mode, upright.size, upright.convert(mode).tobytes())
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ActionRefused(
            _("This photo could not be read, so no cleaned copy was made.")
        ) from exc
    out = io.BytesIO()
    if evidence.content_type == "image/png":
        pixels.save(out, "PNG")
        return out.getvalue(), "image/png"
    if evidence.content_type == "image/webp":
        pixels.save(out, "WEBP", quality=90)
        return out.getvalue(), "image/webp"
    pixels.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue(), "image/jpeg"


def _strip_pdf_metadata(writer: Any) -> None:
    """Remove /Metadata (XMP), /PieceInfo (application data) and /Thumb from every
    dictionary reachable from the document's root: fonts, images, forms, pages."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[int] = set()
    pending: list[Any] = [writer.root_object]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in ("/Metadata", "/PieceInfo", "/Thumb"):
                if key in item:
                    del item[key]
            pending.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _clean_pdf(evidence: Evidence) -> tuple[bytes, str]:
    from PIL import Image
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import DependencyError, PyPdfError

    refused = _("This PDF could not be cleaned of its metadata, so it was not published.")
    unreadable = _(
        "An image in this PDF could not be read, so it could not be cleaned of its metadata: "
        "the PDF was not published."
    )
    try:
        with evidence_storage().open(evidence.original.name, "rb") as original:
            reader = PdfReader(io.BytesIO(original.read()))
            if reader.is_encrypted:
                raise ActionRefused(_("This PDF is encrypted: it cannot be cleaned."))
            writer = PdfWriter()
            for page in reader.pages:
                writer.add_page(page)
            for page in writer.pages:
                # Annotations carry their authors' names, actions can run scripts, and a
                # thumbnail is a second, uncleaned copy of a scanned photo.
                for key in ("/Metadata", "/PieceInfo", "/LastModified", "/Annots", "/AA", "/Thumb"):
                    if key in page:
                        del page[key]
                # Scanned pages are photos: their EXIF (GPS, camera) goes too.
                images = page.images
                for index in range(len(images)):
                    try:
                        picture = images[index]
                        source = picture.image
                    except (PyPdfError, DependencyError, OSError, ValueError, KeyError):
                        source = None
                    if source is None:
                        # Kept as it is, it would keep whatever it carries.
                        raise ActionRefused(unreadable)
                    mode = "RGB" if source.mode not in ("L", "1") else "L"
                    plain = Image.frombytes(mode, source.size, source.convert(mode).tobytes())
                    picture.replace(plain, quality=90)
            for key in ("/Metadata", "/PieceInfo", "/OpenAction", "/AA", "/AcroForm", "/Names"):
                if key in writer.root_object:
                    del writer.root_object[key]
            writer.metadata = None
            _strip_pdf_metadata(writer)
            # What was cut off above (a page's XMP, a replaced image's XMP, a thumbnail) is
            # still among the writer's objects: drop everything no longer referenced.
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
            out = io.BytesIO()
            writer.write(out)
    except (PyPdfError, DependencyError, OSError, ValueError, KeyError, TypeError) as exc:
        raise ActionRefused(refused) from exc
    return out.getvalue(), "application/pdf"


def _shown(evidence: Evidence) -> bool:
    """Whether the public sees the evidence's published copy: only once its report is approved
    (its approval moves the data version on then). Moving it for a copy nobody sees would tell
    that moderators are at work on something not yet public (the mirror file and the pages
    kept under the version are made again)."""
    return evidence.report.status == Status.APPROVED


def evidence_publish(*, evidence: Evidence, actor: Actor) -> Evidence:
    """Publish a cleaned copy of an original (moderators only). The original is untouched;
    the public sees the copy once the report is approved."""
    if not permissions.is_moderator(actor):
        raise NotPermitted(_("Only a moderator can publish evidence."))
    if evidence.kind not in PUBLISHABLE:
        raise ActionRefused(
            _(
                "Audio and video are not published: the tracker has no cleaner that removes "
                "their location and device metadata. Describe what they show in the public "
                "summary instead."
            )
        )
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.is_published:
            raise ActionRefused(_("A cleaned copy of this file is already published."))
        data, content_type = (
            _clean_image(locked) if locked.kind == EvidenceKind.IMAGE else _clean_pdf(locked)
        )
        public_id = uuid.uuid4()
        extension = {"image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}.get(
            content_type, "jpg"
        )
        storage = evidence_storage()
        stored = storage.save(f"public/{uuid.uuid4().hex}.{extension}", ContentFile(data))
        try:
            locked.public_id = public_id
            locked.public_file = stored
            locked.public_content_type = content_type
            locked.published_by = actor
            locked.published_at = timezone.now()
            locked.save(
                update_fields=[
                    "public_id",
                    "public_file",
                    "public_content_type",
                    "published_by",
                    "published_at",
                ]
            )
            if _shown(locked):
                data_version_bump()  # the evidence page links the published copies
        except Exception:
            storage.delete(stored)
            raise
    return locked


def evidence_withdraw(*, evidence: Evidence, actor: Actor) -> Evidence:
    """Take a published copy down (moderators only); the original stays."""
    if not permissions.is_moderator(actor):
        raise NotPermitted(_("Only a moderator can withdraw published evidence."))
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if not locked.is_published:
            raise ActionRefused(_("No copy of this file is published."))
        old = locked.public_file.name
        locked.public_id = None
        locked.public_file = ""
        locked.public_content_type = ""
        locked.published_by = None
        locked.published_at = None
        locked.save()
        if _shown(locked):
            data_version_bump()  # a kept evidence page must stop linking the copy at once
        transaction.on_commit(lambda: evidence_storage().delete(old))
    return locked


# --- KoboToolbox attachments ----------------------------------------------------------------


def kobo_attachments(payload: Any) -> list[dict[str, str]]:
    """The files a Kobo submission lists (`_attachments`, each with its `download_url`), as
    {"id", "url", "name"}; anything malformed is left out."""
    listed = payload.get("_attachments") if isinstance(payload, dict) else None
    found = []
    for item in listed if isinstance(listed, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("download_url"), str):
            continue
        ident = str(item.get("uid") or item.get("id") or item["download_url"])[:180]
        name = item.get("media_file_basename") or item.get("filename") or ""
        found.append({"id": ident, "url": item["download_url"], "name": str(name)})
    return found


def _kobo_port(parts: Any) -> int:
    try:
        return parts.port or 443
    except ValueError:
        return -1


def _kobo_host_allowed(url: str) -> bool:
    """https, on TRACKER_KOBO_ATTACHMENT_HOSTS."""
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and parts.hostname in set(settings.TRACKER_KOBO_ATTACHMENT_HOSTS)
        and _kobo_port(parts) > 0
    )


def kobo_attachment_belongs(url: str, *, form: Any, payload: Any) -> bool:
    """Whether a listed download address is one of THIS submission's files, of the Kobo form
    this link was made for. The token can read every project its Kobo account can see, so an
    address for another project's file (a partner can list any address) must not be fetched.
    Accepted: the KPI address /api/v2/assets/<the form's Kobo id>/data/<the submission's
    _id>/attachments/<id>/, and, when the form's formhub/uuid is set too, the KoBoCAT address
    /media/(original|small|medium|large)?media_file=<owner>/attachments/<formhub/uuid>/<the
    submission's _uuid>/<file name>."""
    asset = getattr(form, "kobo_asset_uid", "")
    if not asset or not isinstance(payload, dict) or not _kobo_host_allowed(url):
        return False
    parts = urlsplit(url)
    submission_id = payload.get("_id")
    if type(submission_id) is int or (isinstance(submission_id, str) and submission_id.isdigit()):
        pattern = (
            rf"/api/v2/assets/{re.escape(asset)}/data/{int(submission_id)}/attachments/[^/]+/?"
        )
        if re.fullmatch(pattern, parts.path) and not parts.query:
            return True
    formhub, instance = getattr(form, "kobo_form_uuid", ""), payload.get("_uuid")
    if not formhub or not isinstance(instance, str) or not instance:
        return False
    if not re.fullmatch(r"/media/(original|small|medium|large)", parts.path):
        return False
    query = parse_qs(parts.query, strict_parsing=False)
    files = query.get("media_file", [])
    if len(files) != 1 or set(query) != {"media_file"}:
        return False
    pattern = rf"[^/]+/attachments/{re.escape(formhub)}/{re.escape(instance)}/[^/]+"
    return re.fullmatch(pattern, files[0]) is not None and ".." not in files[0]


class _KoboRedirects(urllib.request.HTTPRedirectHandler):
    """Kobo sends files from its storage by redirecting: follow only to https addresses on
    TRACKER_KOBO_ATTACHMENT_HOSTS, and carry the Kobo token only to the same host and port."""

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        if not _kobo_host_allowed(newurl):
            return None
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        old_parts, new_parts = urlsplit(req.full_url), urlsplit(newurl)
        if new is not None and (
            new_parts.hostname != old_parts.hostname
            or _kobo_port(new_parts) != _kobo_port(old_parts)
        ):
            new.remove_header("Authorization")
        return new


def _kobo_download(url: str, token: str) -> IO[bytes]:
    """The file at a Kobo attachment address, up to the evidence size limit. The caller has
    checked that the address is https on a Kobo host; redirects stay on https."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})  # noqa: S310
    opener = urllib.request.build_opener(_KoboRedirects)
    # Returned open: the caller reads it and closes it (a `with` block).
    whole = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    try:
        with opener.open(request, timeout=60) as response:  # noqa: S310 - https only, see above
            while block := response.read(READ):
                whole.write(block)
                if whole.tell() > max_bytes():
                    raise ValidationError({"_attachments": _("Larger than the evidence limit.")})
    except BaseException:
        whole.close()
        raise
    whole.seek(0)
    return whole


def kobo_fetch_attachments(
    submission_id: int, *, download: Callable[[str, str], IO[bytes]] | None = None
) -> int:
    """Fetch the files a mapped Kobo submission lists and keep them as evidence of its report
    (reports.tasks.fetch_kobo_attachments, after the submission is stored). Only addresses
    of this submission's own files (kobo_attachment_belongs) on TRACKER_KOBO_ATTACHMENT_HOSTS
    are fetched, with TRACKER_KOBO_API_TOKEN, and only for a form with its Kobo id; each file
    once. Returns how many were kept; a refused or failed file is logged and skipped."""
    from ..models import KoboSubmission

    token = settings.TRACKER_KOBO_API_TOKEN
    submission = (
        KoboSubmission.objects.select_related("form__client__user", "report")
        .filter(pk=submission_id)
        .first()
    )
    if not token or submission is None or submission.report is None:
        return 0
    if not submission.form.kobo_asset_uid:
        # Nothing says which Kobo project this form is: no address can be checked as its own.
        logger.warning(
            "Kobo attachments not fetched: the form %s has no Kobo form id", submission.form_id
        )
        return 0
    download = download or _kobo_download
    kept = 0
    for item in kobo_attachments(submission.payload):
        external_id = f"kobo:{item['id']}"
        if not kobo_attachment_belongs(
            item["url"], form=submission.form, payload=submission.payload
        ):
            logger.warning(
                "Kobo attachment %s not fetched: not a file of this submission on a Kobo host",
                item["id"],
            )
            continue
        if Evidence.objects.filter(report=submission.report, external_id=external_id).exists():
            continue
        try:
            with download(item["url"], token) as file:
                checked = check_file(file, name=item["name"], field="_attachments")
                evidence_attach(
                    report=submission.report,
                    actor=submission.form.client.user,
                    files=[checked],
                    channel=EvidenceChannel.KOBO,
                    external_id=external_id,
                )
        except ValidationError as exc:
            logger.warning("Kobo attachment %s refused: %s", item["id"], " ".join(exc.messages))
            continue
        except (OSError, ValueError) as exc:
            # Unreachable, cut off, refused by Kobo (HTTPError is an OSError): the others are
            # still fetched; evidence_attach stores all of a file or none of it.
            logger.warning("Kobo attachment %s not fetched: %s", item["id"], exc)
            continue
        kept += 1
    return kept


# --- verifying originals ---------------------------------------------------------------------


@dataclass
class Finding:
    evidence: Evidence
    problem: str  # "missing" or "mismatch"
    found: str = ""


def verify(evidence: Iterable[Evidence]) -> Iterator[Finding]:
    """Recompute each original's SHA-256; yield the missing files and the mismatches."""
    storage = evidence_storage()
    for item in evidence:
        if not storage.exists(item.original.name):
            yield Finding(item, "missing")
            continue
        with storage.open(item.original.name, "rb") as original:
            found, _size = _digest(original)
        if found != item.sha256:
            yield Finding(item, "mismatch", found)
