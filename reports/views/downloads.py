"""The dashboard's downloads (docs/exports.md): a small file streams at once; the reports behind
the numbers, past TRACKER_EXPORT_STREAM_MAX_ROWS (an XLSX: TRACKER_EXPORT_XLSX_MAX_ROWS), are
made by a background export job, followed on a progress page that refreshes itself without
JavaScript and is polled with it. A job is seen only by whoever asked
(reports.selectors.exports)."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports import aggregates, exports
from reports.exports import files
from reports.models import ExportStatus
from reports.selectors import exports as export_selectors
from reports.services import exports as export_services
from reports.views.dashboard_shaping import ask, cleaned_params, metric_info, query_string, url_for
from reports.vocabulary import Metric

# Seconds between refreshes of the progress page (without JavaScript) and polls (with it).
REFRESH_SECONDS = 3


def formats(request):
    """What each download column holds, and its HXL tag (from the same column definitions)."""
    context = {
        "area_columns": exports.area_columns("N"),
        "period_columns": exports.period_columns("N"),
        "metric_columns": exports.metric_columns([Metric.KILLED]),
        "stock_columns": exports.metric_columns([Metric.CURRENTLY_DISPLACED])[-3:],
        "spanning_columns": exports.SPANNING_COLUMNS,
        "metrics": [{**metric_info(m), "hxl": exports.HXL_METRIC[m]} for m in Metric.values],
        "report_columns": exports.REPORT_COLUMNS,
    }
    return render(request, "reports/dashboard/formats.html", context)


def _not_made(errors: dict[str, str]) -> HttpResponseBadRequest:
    message = _("The download was not made: ") + "; ".join(
        f"{field}: {text}" for field, text in sorted(errors.items())
    )
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _row_limit(name: str) -> int:
    if name.endswith(".xlsx"):
        return settings.TRACKER_EXPORT_XLSX_MAX_ROWS
    return settings.TRACKER_EXPORT_STREAM_MAX_ROWS


def download(request, name: str):
    """A download by name: streamed, or (the reports behind the numbers, when there are more
    than the limit) a page offering to make it in the background."""
    if name not in exports.DOWNLOADS:
        raise Http404("No such download.")
    asked = ask(cleaned_params(request.GET))
    if asked.errors:
        return _not_made(asked.errors)
    url = request.build_absolute_uri(url_for("index", asked.question, sort=asked.sort))
    # Files are data for other tools and for the record: in English whatever page they were
    # taken from, never a page's words mixed with English column names and About sheet.
    with translation.override("en"):
        if name not in files.JOB_DOWNLOADS:
            answer = aggregates.answer(asked.question)
            return exports.download(name, answer, url, sort=asked.sort)
        # The reports behind the numbers: counted while streaming (the header leaves at once),
        # or, past the limit, by a job; the decision rests on a quick upper bound.
        answer = exports.reports_answer(asked.question)
        rows = exports.estimated_rows(asked.question, answer.area)
        if rows <= _row_limit(name):
            return exports.download(name, answer, url, sort=asked.sort)
    context = {
        "name": name,
        "what": exports.DOWNLOADS[name][1],
        "format": exports.DOWNLOADS[name][0],
        "reports": rows,
        "limit": _row_limit(name),
        "question": query_string(asked.question),
        "back": url_for("index", asked.question, sort=asked.sort),
        "jobs_url": reverse("dashboard:exports"),
    }
    return render(request, "reports/exports/large.html", context)


@require_POST
def export_start(request):
    """Start (or find) the export job of a download: the question is checked again here, so
    an invalid one is refused before any job exists."""
    name = request.POST.get("name", "")
    if name not in files.JOB_DOWNLOADS:
        return _not_made({"name": _("Unknown download %(name)r.") % {"name": name[:40]}})
    asked = ask(cleaned_params(QueryDict(request.POST.get("question", ""))))
    if asked.errors:
        return _not_made(asked.errors)
    job = export_services.request_export(
        asker=export_selectors.asker_of(request),
        name=name,
        question=query_string(asked.question),
        address=request.build_absolute_uri(url_for("index", asked.question)),
    )
    return redirect("dashboard:export", job_id=job.pk)


def _job_or_404(request, job_id):
    asker = export_selectors.existing_asker(request)
    job = export_selectors.visible_job(asker, job_id) if asker is not None else None
    if job is None:
        raise Http404("No such export.")
    return job


def _private(response):
    """An export is one person's: never kept by a shared cache."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _status(job) -> dict:
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": str(ExportStatus(job.status).label),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "error": _(job.error) if job.error else "",
        "file_url": reverse("dashboard:export_file", args=[job.pk])
        if job.status == ExportStatus.DONE
        else None,
        "size": job.size,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
    }


@require_GET
def export_page(request, job_id):
    job = _job_or_404(request, job_id)
    context = {
        "job": job,
        "what": exports.DOWNLOADS.get(job.name, (job.name, job.name))[1],
        "error": _(job.error) if job.error else "",
        "refresh": REFRESH_SECONDS,
        "status_url": reverse("dashboard:export_status", args=[job.pk]),
    }
    return _private(render(request, "reports/exports/job.html", context))


@require_GET
def export_status(request, job_id):
    """The job's state as JSON, for the progress page's script."""
    return _private(JsonResponse(_status(_job_or_404(request, job_id))))


@require_GET
def export_file(request, job_id):
    job = _job_or_404(request, job_id)
    path = export_services.export_root() / job.file_path
    if job.status != ExportStatus.DONE or not job.file_path or not path.is_file():
        raise Http404("This export has no file (not ready, failed or expired).")
    content_type = {
        ".csv": "text/csv; charset=utf-8",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".jsonl": "application/jsonl; charset=utf-8",
    }.get(path.suffix, "application/octet-stream")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=job.file_name, content_type=content_type
    )
    return _private(response)


@require_POST
def export_retry(request, job_id):
    export_services.retry(_job_or_404(request, job_id))
    return redirect("dashboard:export", job_id=job_id)


@require_GET
def export_list(request):
    """The asker's own export jobs, newest first: somewhere to come back to."""
    asker = export_selectors.existing_asker(request)
    jobs = export_selectors.jobs_of(asker)[:50] if asker is not None else []
    rows = [
        {"job": job, "what": exports.DOWNLOADS.get(job.name, (job.name, job.name))[1]}
        for job in jobs
    ]
    return _private(render(request, "reports/exports/list.html", {"rows": rows}))
