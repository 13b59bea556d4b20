"""Offline-first filing (docs/offline.md): the service worker that keeps the report form, the
outbox page and the place list on the phone, the form's shell it caches, and the two small
JSON answers the phone's outbox needs (who is signed in with a fresh CSRF token; the places
of the partner's area)."""

import hashlib
import json

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from gazetteer.models import Place
from gazetteer.selectors import kind_paths
from reports import selectors
from reports.forms import FigureFormSet, ReportForm, SourceFormSet

from .partner import BLANK_FIGURE_ROWS, BLANK_SOURCE_ROWS, _can_file, partner_required

# The area whose places a partner's phone keeps for the place box offline: a P-code, everything
# beneath it (Kayah State by default) and its ancestors. Nothing of where the organisation has
# reported from: the list sits unencrypted in the worker's cache, and a phone can be seized.
DEFAULT_PLACES_ROOT = "MMR002"
# The worker's own answers are compressed (gzip_page): they count in the form's first load (60
# KB, docs/offline.md), and Django masks the CSRF token per response and GZipMiddleware pads
# its output, against BREACH.
# The static files the worker keeps: the form's own CSS and scripts.
ASSETS = ["css/site.css", "js/place-search.js", "js/offline/store.js", "js/offline/page.js"]


def _places_root() -> str:
    return settings.TRACKER_OFFLINE_PLACES_ROOT or DEFAULT_PLACES_ROOT


def _worker_config() -> dict:
    assets = [static(name) for name in ASSETS]
    pages = {
        "form": reverse("partner:report_new"),
        "shell": reverse("partner:offline_form"),
        "outbox": reverse("partner:outbox"),
        "places": reverse("partner:offline_places"),
        "search": reverse("partner:place_search"),
        "state": reverse("partner:offline_state"),
    }
    # A new deployment (new asset hashes, new addresses) makes a new cache; the old is dropped.
    version = hashlib.sha256(json.dumps([assets, pages]).encode()).hexdigest()[:12]
    return {"version": version, "assets": assets, "pages": pages}


@gzip_page
@require_GET
def service_worker(request):
    """The worker, served from /partner/ so that it controls the partner pages (a script under
    /static/ could only control /static/). Its code is a static file; this answer only says
    where the files are (their hashed names change with each deployment)."""
    config = json.dumps(_worker_config())
    body = (
        f"self.OFFLINE = {config};\n"
        f"importScripts({json.dumps(static('js/offline/store.js'))}, "
        f"{json.dumps(static('js/offline/sw.js'))});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("partner:reports")
    return response


@partner_required
@gzip_page
@require_GET
def offline_form(request):
    """The report form as the phone keeps it, to open with no connection. Nothing in it is
    more than the form needs: no submission key (the page makes one each time it opens) and,
    of the sources, only those that are not confidential (a phone can be lost or seized)."""
    offered = selectors.sources_citable_by(request.user).filter(is_confidential=False)
    form = ReportForm(initial={"submission_key": ""})
    figures = FigureFormSet(prefix="figures", initial=[{}] * BLANK_FIGURE_ROWS)
    figures.extra = 0
    sources = SourceFormSet(
        prefix="sources",
        initial=[{}] * BLANK_SOURCE_ROWS,
        form_kwargs={"offered": offered, "citable_ids": None},
    )
    return render(
        request,
        "reports/partner/form.html",
        {
            "report": None,
            "form": form,
            "figures": figures,
            "sources": sources,
            "show_store_as_typed": False,
            "offline_shell": True,
        },
    )


@partner_required
@gzip_page
@require_GET
def outbox(request):
    """What this phone keeps waiting to send and what it sent: drawn by the page's script from
    the phone's own store (the server knows nothing of reports that have not arrived)."""
    return render(request, "reports/partner/outbox.html")


@require_GET
def offline_state(request):
    """Who is signed in and a fresh CSRF token, for the outbox before it sends: a JSON answer
    even when nobody is (the outbox then says "log in to send"), never a redirect."""
    if not request.user.is_authenticated:
        return JsonResponse({"user": None, "error": _("Log in to send.")}, status=401)
    if not _can_file(request.user):
        return JsonResponse(
            {"user": None, "error": _("Only field partners and moderators can send reports.")},
            status=403,
        )
    return JsonResponse({"user": request.user.get_username(), "csrf": get_token(request)})


def offline_places_list() -> list[list[str]]:
    """[P-code, label as the place box shows it, English name, local name] for every place of
    the offline area (the configured root, beneath it and its ancestors), the same for every
    user: the list is kept unencrypted on the phone, so it must not tell where the user's
    organisation works. Places outside the area are found online."""
    root = Place.objects.filter(pcode=_places_root()).first()
    if root is None:
        return []
    condition = Q(path__startswith=root.path) | Q(pcode__in=root.ancestor_pcodes)
    places = list(Place.objects.filter(condition).order_by("admin_level", "name_en", "pcode"))
    paths = kind_paths(places)
    return [
        [place.pcode, f"{paths[place.pk]} ({place.pcode})", place.name_en, place.name_local]
        for place in places
    ]


@partner_required
@gzip_page
@require_GET
def offline_places(request):
    return JsonResponse(
        {"root": _places_root(), "places": offline_places_list()},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
