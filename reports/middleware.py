"""Pages that show what is not public (the partner, moderation, account and admin areas, and
the API's answers to a submission) are never kept by a browser or a proxy: phones are shared,
lost and seized. The public pages, the public API reads and the API docs may be cached. And
every look at the private areas by a signed-in person is written to the access record."""

import re

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from reports.busy import RETRY_AFTER_SECONDS, is_transient
from reports.models import AccessKind, AccessRecord

# URL namespaces whose every page is private (the second factor's pages, which show its secret
# and the recovery codes, are under accounts/).
PRIVATE_AREAS = frozenset({"partner", "moderation", "accounts", "admin"})
# The API's write endpoints answer with what a partner sent (ids of unapproved reports, the
# reasons a submission was held back), and its list of an organisation's own sources.
PRIVATE_URL_NAMES = frozenset({"api-submissions", "api-kobo-ingest", "api-own-sources"})


def is_private(match) -> bool:
    return bool(PRIVATE_AREAS.intersection(match.namespaces)) or match.url_name in (
        PRIVATE_URL_NAMES
    )


class NoStoreForPrivatePages:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and is_private(match):
            add_never_cache_headers(response)
        return response


# The areas whose every page shows what is not public, as the kind of access they record.
RECORDED_AREAS = {
    "moderation": AccessKind.MODERATION,
    "partner": AccessKind.PARTNER,
    "admin": AccessKind.ADMIN,
}
# Pages of those areas that show nothing that is not public: the gazetteer's place names for
# the place box (asked at every keystroke), the admin's translations, sign-in and sign-out.
# Requests a page or the offline worker makes by itself (suggestions, the worker's script and
# update checks, its state check and place list): no person looked at a record.
NOT_RECORDED = frozenset(
    {
        "partner:place_search",
        "partner:service_worker",
        "partner:offline_form",
        "partner:offline_state",
        "partner:offline_places",
        "admin:jsi18n",
        "admin:login",
        "admin:logout",
    }
)


def recorded_as(kind: AccessKind):
    """Record every request to this view as `kind`, wherever its URL lives (a download of
    non-public data outside the recorded areas, such as evidence files)."""

    def decorate(view):
        view.access_kind = kind
        return view

    return decorate


def _kind(match, response) -> AccessKind | None:
    kind = getattr(match.func, "access_kind", None)
    if kind is None:
        area = next((RECORDED_AREAS[n] for n in match.namespaces if n in RECORDED_AREAS), None)
        if area is None or match.view_name in NOT_RECORDED:
            return None
        kind = area
    if response.get("Content-Disposition", "").startswith("attachment"):
        return AccessKind.DOWNLOAD
    return kind


LARGEST_ID = 2**63 - 1


def _report_id(match) -> int | None:
    """The report a page is about: the moderation and partner areas' `<int:pk>` under
    reports/, the admin's pages of one report."""
    if match.namespaces and match.namespaces[0] in ("moderation", "partner"):
        pk = match.kwargs.get("pk")
        # A typed id beyond what the database holds names no report (and cannot be stored).
        return pk if isinstance(pk, int) and 0 < pk <= LARGEST_ID else None
    if (match.url_name or "").startswith("reports_report_"):
        pk = str(match.kwargs.get("object_id", ""))
        # ASCII digits only: "²".isdigit() is true, and int("²") fails.
        return int(pk) if re.fullmatch(r"[0-9]{1,18}", pk) else None
    return None


class RecordAccess:
    """One INSERT per recorded request, after the view answered and before the answer leaves:
    if the record cannot be written the request fails (a server error), since an unrecorded
    look at informants' data is worse than a refused page. Anonymous requests are not recorded:
    the areas show them nothing but the sign-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated:
            return response
        kind = _kind(match, response)
        if kind is not None:
            AccessRecord.objects.create(
                user=user,
                kind=kind,
                method=request.method[:8],
                view_name=match.view_name[:200],
                path=request.get_full_path()[:2000],
                report_id=_report_id(match),
                status_code=response.status_code,
            )
        return response


class BusyDatabase:
    """A page whose change the database gave up on because of others changing the same rows at
    that moment (reports.busy; the services retry before it comes to this) answers 503 with a
    page saying that nothing was saved and to try again, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_transient(exception):
            return None
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
