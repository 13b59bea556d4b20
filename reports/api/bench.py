"""For `manage.py bench_api` only: the tracker's URLs plus a bare Django view that serves the
same page of reports as /api/v1/reports/ without DRF (the same four queries, rows as dicts,
json.dumps), so the API's own cost can be measured beside it. Served by gunicorn with
`reports.api.bench:application`; never part of the tracker's own URLs."""

import json
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import include, path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_wsgi_application()
# Only in the benchmark's own gunicorn: these URLs instead of the tracker's.
settings.ROOT_URLCONF = __name__

from reports.models import Figure, Report  # noqa: E402 - after Django is set up
from reports.workflow import Status  # noqa: E402

FIGURE_FIELDS = ("id", "report_id", "metric", "qualifier", "value", "count_low", "count_best",
                 "count_high")  # fmt: skip


def bare_reports(request):
    """The first page (100 by updated_at, id) of approved reports with figures, sources and
    tags, as plain rows."""
    reports = list(
        Report.objects.filter(status=Status.APPROVED)
        .order_by("updated_at", "id")
        .values(
            "id",
            "title",
            "start_date",
            "end_date",
            "place__pcode",
            "place__name_en",
            "public_summary",
            "cause",
            "event_id",
            "updated_at",
        )[:100]  # fmt: skip
    )
    ids = [r["id"] for r in reports]
    figures, sources, tags = {}, {}, {}
    for f in Figure.objects.filter(report_id__in=ids).values(*FIGURE_FIELDS):
        figures.setdefault(f["report_id"], []).append(f)
    through = Report.sources.through
    for s in through.objects.filter(report_id__in=ids).values(
        "report_id", "source__name", "source__source_type", "source__is_confidential"
    ):
        sources.setdefault(s["report_id"], []).append(s)
    tagged = Report.tags.through
    for t in tagged.objects.filter(object_id__in=ids, content_type__model="report").values(
        "object_id", "tag__name"
    ):
        tags.setdefault(t["object_id"], []).append(t["tag__name"])
    for r in reports:
        r["figures"] = figures.get(r["id"], [])
        r["sources"] = sources.get(r["id"], [])
        r["tags"] = tags.get(r["id"], [])
    body = json.dumps({"results": reports}, default=str)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/bare-reports/", bare_reports),
    path("", include("tracker.urls")),
]
