"""The WSGI app `manage.py bench_api` serves with gunicorn: the tracker's URLs plus two bare Django
views serving the API's first page of reports without DRF. Never part of the tracker's URLs."""

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

from reports.models import Figure, PublicReport, Report  # noqa: E402 - after Django is set up

FIGURE_FIELDS = ("id", "report_id", "metric", "qualifier", "value", "count_low", "count_best",
                 "count_high")  # fmt: skip


def _first_page():
    return PublicReport.objects.order_by("changed_at", "report_id")[:100]


def bare_documents(request):
    """The first page of the API's order, as the stored JSON documents (the documents
    reports.publication keeps), one query: the baseline."""
    documents = list(_first_page().values_list("document", flat=True))
    body = '{"results":[' + ",".join(documents) + "]}"
    return HttpResponse(body.encode(), content_type="application/json")


def bare_reports(request):
    """The same reports with figures, sources and tags, built now from the base tables (four
    queries with .values(), plain dicts, json.dumps): the first measurement's baseline."""
    ids = list(_first_page().values_list("report_id", flat=True))
    found = {
        r["id"]: r
        for r in Report.objects.filter(pk__in=ids).values(
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
        )  # fmt: skip
    }
    reports = [found[pk] for pk in ids]
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
    path("bench/bare-documents/", bare_documents),
    path("bench/bare-reports/", bare_reports),
    path("", include("tracker.urls")),
]
