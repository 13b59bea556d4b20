"""Server-rendered pages. Each view asks a selector what the person may see."""

from django.db.models import Count
from django.shortcuts import redirect, render
from django.templatetags.static import static

from gazetteer.models import Place
from reports import publication, selectors


def home(request):
    reports = selectors.public_reports().order_by("-start_date", "-id")[:20]
    context = {
        "reports": [
            {
                "report": report,
                "sources": [
                    shown["label"]
                    for shown in publication.sources_data(report.sources.all(), reader=True)
                ],
            }
            for report in reports
        ],
        "approved_count": selectors.public_reports().count(),
        "places_by_level": dict(
            Place.objects.values_list("admin_level").annotate(n=Count("id")).order_by()
        ),
    }
    return render(request, "reports/home.html", context)


def favicon(request):
    """Browsers ask /favicon.ico of every page that names no icon (the admin, the API's
    pages): the site's icon, not a 404 in every log."""
    return redirect(static("favicon.svg"), permanent=True)
