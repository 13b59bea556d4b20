"""Field partners' pages: their organisation's reports, the report form (moderators edit any
report with it too) and resubmission."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gazetteer.selectors import kind_paths, search_places
from reports import permissions, selectors, services
from reports.exceptions import ActionRefused, ConcurrentModification
from reports.forms import (
    FigureFormSet,
    ReportForm,
    SourceFormSet,
    apply_service_errors,
    new_submission_key,
    zawgyi_fields,
)
from reports.models import Source
from reports.services import evidence as evidence_services
from reports.workflow import Action, Status

logger = logging.getLogger(__name__)

BLANK_FIGURE_ROWS = 2
BLANK_SOURCE_ROWS = 1


def _can_file(user) -> bool:
    return permissions.is_moderator(user) or permissions.is_field_partner(user)


def partner_required(view):
    """Logged in, and a field partner of an organisation (or a moderator); others get 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not _can_file(request.user):
            raise PermissionDenied(_("Only field partners and moderators can open this page."))
        # Every look into reports with internal notes and sources is attributable.
        logger.info(
            "partner %s %s by %s", request.method, request.path, request.user.get_username()
        )
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@partner_required
@require_GET
def report_list(request):
    reports = selectors.reports_of_own_organization(request.user).prefetch_related("figures")
    status = request.GET.get("status", "")
    if status in Status.values:
        reports = reports.filter(status=status)
    else:
        status = ""
    page = Paginator(reports.order_by("-updated_at", "-id"), 25).get_page(request.GET.get("page"))
    for report in page:
        latest = selectors.moderator_messages(report).first()
        if latest and report.status in (
            Status.CHANGES_REQUESTED,
            Status.REJECTED,
            Status.RETRACTED,
        ):
            report.moderator_message = latest
    return render(
        request,
        "reports/partner/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "organization": permissions.organization_of(request.user),
        },
    )


def _own_report(request, pk):
    # 404, not 403: whether another organisation's report exists is itself sensitive.
    return get_object_or_404(selectors.reports_of_own_organization(request.user), pk=pk)


@partner_required
@require_GET
def report_detail(request, pk):
    report = _own_report(request, pk)
    history = report.history.select_related("actor").order_by("created_at", "id")
    return render(
        request,
        "reports/partner/detail.html",
        {
            "report": report,
            "admin_path": kind_paths([report.place])[report.place_id],
            "figures": report.figures.order_by("pk"),
            "sources": selectors.sources_as_seen_by(request.user, report),
            "attributing": set(report.perpetrator_sources.values_list("pk", flat=True)),
            "tags": sorted(t.name for t in report.tags.all()),
            "history": history,
            "can_edit": permissions.can_edit(request.user, report),
            "can_submit": report.status in (Status.DRAFT, Status.CHANGES_REQUESTED),
            "is_moderator": permissions.is_moderator(request.user),
            "latest_message": selectors.moderator_messages(report).first(),
        },
    )


# GET (and HEAD) draws the form, POST saves it: another method answered the page as a GET.
FORM_METHODS = ["GET", "HEAD", "POST"]


@partner_required
@require_http_methods(FORM_METHODS)
def report_new(request):
    return _report_form(request, report=None)


@partner_required
@require_http_methods(FORM_METHODS)
def report_edit(request, pk):
    report = _own_report(request, pk)
    if not permissions.can_edit(request.user, report):
        messages.error(
            request,
            _("This report is %(status)s: it can no longer be changed.")
            % {"status": report.get_status_display().lower()},
        )
        return redirect("partner:report_detail", pk=report.pk)
    return _report_form(request, report=report)


def _initial(report, user):
    if report is None:
        return {"submission_key": new_submission_key()}, [], []
    initial = {
        "title": report.title,
        "place": _place_label(report.place),
        "start_date": report.start_date.isoformat(),
        "end_date": report.end_date.isoformat() if report.end_date else "",
        "date_precision": report.date_precision,
        "latitude": report.latitude if report.latitude is not None else "",
        "longitude": report.longitude if report.longitude is not None else "",
        "location_precision": report.location_precision,
        "cause": report.cause,
        "tags": ", ".join(sorted(t.name for t in report.tags.all())),
        "public_summary": report.public_summary,
        "internal_notes": report.internal_notes,
        "submission_key": new_submission_key(),
        "version": report.version,
    }
    figures = [
        {field: getattr(f, field) for field in services.FIGURE_FIELDS}
        | {"destination": _place_label(f.destination)}
        for f in report.figures.select_related("destination").order_by("pk")
    ]
    attributing = set(report.perpetrator_sources.values_list("pk", flat=True))
    sources = [  # (in the order the report's page lists them: selectors.sources_as_seen_by)
        {"existing": seen["source"], "attributes_perpetrator": seen["source"].pk in attributing}
        for seen in selectors.sources_as_seen_by(user, report)
    ]
    initial["perpetrator"] = report.perpetrator_code
    return initial, figures, sources


def _place_label(place) -> str:
    """A place as the place boxes show it (and resolve it back): each unit of its path with its
    kind, and its P-code, as the place search labels its choices."""
    if place is None:
        return ""
    return f"{kind_paths([place])[place.pk]} ({place.pcode})"


def _with_blank_rows(data, prefix, add):
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(total + add)
    return data


def _report_form(request, *, report):
    citable = selectors.sources_citable_by(request.user)
    offered = citable
    if report is not None:
        # Sources the report already cites stay selectable (shown by their public label when
        # the person could not pick them), so saving the form as drawn drops none of them.
        offered = Source.objects.filter(
            Q(pk__in=citable.values("pk")) | Q(pk__in=report.sources.values("pk"))
        )
    citable_ids = (
        None  # a moderator may cite anything
        if permissions.is_moderator(request.user)
        else set(citable.values_list("pk", flat=True))
    )
    source_kwargs = {
        "form_kwargs": {
            "offered": offered,
            "citable_ids": citable_ids,
            "report_id": report.pk if report is not None else None,
        }
    }
    if request.method != "POST":
        initial, figure_rows, source_rows = _initial(report, request.user)
        form = ReportForm(initial=initial)
        figures = FigureFormSet(prefix="figures", initial=figure_rows + [{}] * BLANK_FIGURE_ROWS)
        figures.extra = 0
        sources = SourceFormSet(
            prefix="sources", initial=source_rows + [{}] * BLANK_SOURCE_ROWS, **source_kwargs
        )
        return _render_form(request, report, form, figures, sources)

    data = request.POST
    adding = "add_figure" in data or "add_source" in data
    if "add_figure" in data:
        data = _with_blank_rows(data, "figures", 1)
    if "add_source" in data:
        data = _with_blank_rows(data, "sources", 1)
    form = ReportForm(data)
    figures = FigureFormSet(data, prefix="figures")
    sources = SourceFormSet(data, prefix="sources", **source_kwargs)
    if adding:
        return _render_form(request, report, form, figures, sources)

    valid = form.is_valid() & figures.is_valid() & sources.is_valid()
    if valid and report is not None and form.cleaned_data.get("version") is None:
        form.add_error(None, _("This form has expired or was altered: reload the page."))
        valid = False
    if not valid:
        return _render_form(request, report, form, figures, sources, status=400)
    figure_forms = [f for f in figures if not f.is_blank()]
    source_forms = [s for s in sources if not s.is_blank()]
    new_source_forms = [s for s in source_forms if s.new_source()]
    zawgyi = zawgyi_fields(form, figure_forms, source_forms)
    if zawgyi and not form.cleaned_data.get("store_as_typed"):
        form.add_error(
            None,
            _(
                "This text looks like it was typed with the Zawgyi font, not Unicode: %(fields)s. "
                "Others will see it garbled. Please retype it with a Unicode Burmese keyboard, "
                "or tick the box below if you are sure it is right."
            )
            % {"fields": ", ".join(str(f) for f in zawgyi)},
        )
        form.show_store_as_typed = True
        return _render_form(request, report, form, figures, sources, status=400)

    try:  # evidence files: checked before anything is stored (docs/evidence.md)
        evidence = evidence_services.check_files(request.FILES.getlist("evidence"))
    except ValidationError as exc:
        form.evidence_errors = exc.messages
        return _render_form(request, report, form, figures, sources, status=400)

    submit = "submit" in data
    try:
        saved = evidence_services.report_save_with_evidence(
            files=evidence,
            actor=request.user,
            submission_key=form.cleaned_data["submission_key"],
            report=report,
            submit=submit,
            expected_version=form.cleaned_data.get("version") if report else None,
            figures=[f.service_data() for f in figure_forms],
            sources=[
                s.cleaned_data["existing"] for s in source_forms if s.cleaned_data["existing"]
            ],
            new_sources=[s.new_source() for s in new_source_forms],
            tags=form.tag_names(),
            perpetrator=form.perpetrator_code(),
            perpetrator_sources=[
                s.cleaned_data["existing"] for s in source_forms if s.attributes()
            ],
            **form.service_fields(),
        )
    except ValidationError as exc:
        apply_service_errors(exc, form, figure_forms, new_source_forms)
        if "submission_key" in exc.message_dict:
            # A key that was never valid saved nothing: the corrected form gets a new one.
            form.data = form.data.copy()
            form.data["submission_key"] = new_submission_key()
        return _render_form(request, report, form, figures, sources, status=400)
    except ConcurrentModification as exc:
        # Keep what was typed; the next save is a deliberate choice to replace the newer one.
        report.refresh_from_db()
        form.data = form.data.copy()
        form.data["version"] = str(report.version)
        form.add_error(
            None,
            _(
                "%(message)s Your changes are still below: if you save again, they replace "
                "the newer version."
            )
            % {"message": exc},
        )
        return _render_form(request, report, form, figures, sources, status=409)
    except ActionRefused as exc:
        # Refusals (the transition table, a missing figure) change nothing.
        form.add_error(None, str(exc))
        return _render_form(request, report, form, figures, sources, status=409)

    if saved.replayed:
        messages.info(
            request,
            _("This form had already been sent: report #%(id)s was saved once, not twice.")
            % {"id": saved.report.pk},
        )
    elif submit:
        messages.success(
            request,
            _("Report #%(id)s was submitted. A moderator will review it.")
            % {"id": saved.report.pk},
        )
    else:
        messages.success(
            request, _("Report #%(id)s was saved as a draft.") % {"id": saved.report.pk}
        )
    if permissions.is_moderator(request.user):
        return redirect("moderation:review", pk=saved.report.pk)
    return redirect("partner:report_detail", pk=saved.report.pk)


def _render_form(request, report, form, figures, sources, status=200):
    return render(
        request,
        "reports/partner/form.html",
        {
            "report": report,
            "form": form,
            "figures": figures,
            "sources": sources,
            "show_store_as_typed": getattr(form, "show_store_as_typed", False)
            or bool(form.data.get("store_as_typed")),
        },
        status=status,
    )


@partner_required
@require_POST
def report_submit(request, pk):
    report = _own_report(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.report_submit(report=report, actor=request.user, expected_version=version)
    except ActionRefused as exc:
        report.refresh_from_db()
        last = report.history.order_by("-created_at", "-id").first()
        if report.status == Status.SUBMITTED and last.action == Action.SUBMIT:
            # A double tap or a resent request: the first one did it.
            messages.info(request, _("Report #%(id)s was already submitted.") % {"id": report.pk})
        else:
            messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Report #%(id)s was submitted. A moderator will review it.") % {"id": report.pk},
        )
    return redirect("partner:report_detail", pk=report.pk)


@login_required
@require_GET
def place_search(request):
    """Places matching what was typed, for the place box's suggestions (JavaScript only:
    without it, the server resolves the typed name when the form is sent)."""
    matches = search_places(request.GET.get("q", ""), limit=15)
    return JsonResponse(
        {"places": [{"pcode": m.place.pcode, "label": m.label} for m in matches]},
        json_dumps_params={"ensure_ascii": False},
    )
