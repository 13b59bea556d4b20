"""Evidence pages: adding files to a report (a plain file form, and the resumable chunked
protocol static/js/evidence-upload.js speaks), downloading an original (its organisation and
moderators; recorded), publishing a cleaned copy (moderators), and the published copies the
public may fetch. Who may do what is decided in reports.services.evidence."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports import selectors
from reports.exceptions import ActionRefused, NotPermitted
from reports.models import EvidenceChannel, Report
from reports.models.evidence import evidence_storage
from reports.services import evidence as services
from reports.views.moderation import moderator_required
from reports.views.partner import partner_required


def _report(request, pk) -> Report:
    """A report the person may see the evidence of: moderators any, a partner their own
    organisation's; any other id answers as one that does not exist."""
    return get_object_or_404(selectors.reports_of_own_organization(request.user), pk=pk)


def _errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"attr": f, "detail": m} for f, ms in exc.message_dict.items() for m in ms]
    return [{"attr": None, "detail": m} for m in exc.messages]


def _json_error(status: int, errors: list[dict], **extra) -> JsonResponse:
    return JsonResponse(
        {"errors": errors, **extra}, status=status, json_dumps_params={"ensure_ascii": False}
    )


# --- the plain form (no JavaScript) ------------------------------------------------------------


@partner_required
@require_POST
def attach(request, pk):
    """The file box on the report's page: every chosen file is checked, then all are kept or
    none."""
    report = _report(request, pk)
    files = request.FILES.getlist("evidence")
    if not files:
        messages.error(request, _("Evidence: choose at least one file."))
        return redirect("partner:report_detail", pk=report.pk)
    try:
        checked = services.check_files(files)
        made = services.evidence_attach(
            report=report, actor=request.user, files=checked, channel=EvidenceChannel.FORM
        )
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, _("Evidence: %(problem)s") % {"problem": problem})
    except NotPermitted as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Evidence: %(n)s file(s) kept, each with its SHA-256 checksum.") % {"n": len(made)},
        )
    return redirect(reverse("partner:report_detail", args=[report.pk]) + "#evidence")


# --- the chunked protocol (docs/evidence.md) ---------------------------------------------------


def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"body": _("Send a JSON object.")}) from None
    if not isinstance(data, dict):
        raise ValidationError({"body": _("Send a JSON object.")})
    return data


def upload_state(upload) -> dict:
    return {
        "id": str(upload.pk),
        "offset": upload.received,
        "size": upload.size,
        "expires_at": upload.expires_at.isoformat(),
    }


def evidence_state(evidence) -> dict:
    return {
        "id": evidence.pk,
        "report": evidence.report_id,
        "kind": evidence.kind,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "received_at": evidence.received_at.isoformat(),
    }


@partner_required
@require_POST
def upload_create(request, pk):
    report = _report(request, pk)
    try:
        data = _body(request)
        upload = services.upload_start(
            report=report,
            actor=request.user,
            size=data.get("size"),
            name=str(data.get("name") or ""),
            channel=EvidenceChannel.CHUNKED,
        )
    except ValidationError as exc:
        return _json_error(400, _errors(exc))
    except NotPermitted as exc:
        return _json_error(403, [{"attr": None, "detail": exc.message}])
    state = upload_state(upload) | {
        "url": reverse("partner:evidence_upload", args=[report.pk, upload.pk]),
        "chunk_bytes": settings.TRACKER_EVIDENCE_CHUNK_BYTES,
    }
    return JsonResponse(state, status=201)


@partner_required
@require_http_methods(["GET", "PATCH"])
def upload(request, pk, upload_id):
    """GET: how many bytes arrived (resume from there). PATCH: the next piece, raw bytes, with
    its offset in the Upload-Offset header; 409 with the server's offset when they differ."""
    _report(request, pk)
    found = services.upload_of(request.user, upload_id)
    if found is None or found.report_id != pk:
        raise Http404("No such upload.")
    if request.method == "GET":
        return JsonResponse(upload_state(found))
    try:
        offset = services.upload_append(
            upload=found,
            actor=request.user,
            offset=request.headers.get("Upload-Offset"),
            data=request.body,
        )
    except services.OffsetMismatch as exc:
        return _json_error(409, [{"attr": "offset", "detail": exc.message}], offset=exc.offset)
    except ValidationError as exc:
        return _json_error(400, _errors(exc))
    except ActionRefused as exc:
        return _json_error(409, [{"attr": None, "detail": exc.message}])
    return JsonResponse({"id": str(found.pk), "offset": offset, "size": found.size})


@partner_required
@require_POST
def upload_finish(request, pk, upload_id):
    _report(request, pk)
    found = services.upload_of(request.user, upload_id)
    if found is None or found.report_id != pk:
        raise Http404("No such upload.")
    try:
        evidence = services.upload_finish(
            upload=found, actor=request.user, sha256=_body(request).get("sha256")
        )
    except ValidationError as exc:
        return _json_error(400, _errors(exc))
    except ActionRefused as exc:
        return _json_error(409, [{"attr": None, "detail": exc.message}])
    return JsonResponse(evidence_state(evidence), status=201)


# --- originals and published copies ----------------------------------------------------------


@partner_required
@require_GET
def original(request, pk, evidence_id):
    """The original as it arrived, for its organisation and moderators: a download, so the
    access record keeps who fetched which file of which report."""
    report = _report(request, pk)
    evidence = get_object_or_404(services.evidence_of(request.user, report), pk=evidence_id)
    response = FileResponse(
        evidence_storage().open(evidence.original.name, "rb"),
        as_attachment=True,
        filename=f"report-{report.pk}-evidence-{evidence.pk}.{evidence.extension}",
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _moderated(request, pk, evidence_id):
    report = get_object_or_404(selectors.moderation_reports(), pk=pk)
    return get_object_or_404(services.evidence_of(request.user, report), pk=evidence_id)


@moderator_required
@require_POST
def publish(request, pk, evidence_id):
    evidence = _moderated(request, pk, evidence_id)
    try:
        services.evidence_publish(evidence=evidence, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, _("Evidence #%(id)s: %(why)s") % {"id": evidence.pk, "why": exc})
    else:
        messages.success(
            request,
            _(
                "A cleaned copy of evidence #%(id)s is published, without location or device "
                "metadata; the public sees it while the report is approved."
            )
            % {"id": evidence.pk},
        )
    return redirect(reverse("moderation:review", args=[pk]) + "#evidence")


@moderator_required
@require_POST
def withdraw(request, pk, evidence_id):
    evidence = _moderated(request, pk, evidence_id)
    try:
        services.evidence_withdraw(evidence=evidence, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, _("Evidence #%(id)s: %(why)s") % {"id": evidence.pk, "why": exc})
    else:
        messages.success(
            request,
            _("The published copy of evidence #%(id)s was taken down.") % {"id": evidence.pk},
        )
    return redirect(reverse("moderation:review", args=[pk]) + "#evidence")


@require_GET
def public_file(request, public_id):
    """A published, cleaned copy of an approved report's evidence. Its name is its random id:
    nothing of the original's name, its sender or its checksum."""
    evidence = services.public_evidence().filter(public_id=public_id).first()
    if evidence is None:
        raise Http404("No such file.")
    extension = evidence.public_file.name.rsplit(".", 1)[-1]
    # A photo opens in the browser; a PDF is downloaded, never run as a page of this site.
    response = FileResponse(
        evidence_storage().open(evidence.public_file.name, "rb"),
        as_attachment=evidence.public_content_type == "application/pdf",
        filename=f"evidence-{evidence.public_id}.{extension}",
        content_type=evidence.public_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # A copy can be taken down at any time: caches must ask again before serving it.
    response["Cache-Control"] = "no-cache"
    return response
