"""The tracker's URLs: the public pages, the partner and moderation areas, the dashboard, the API
and the admin; each area's own URLs are in reports/urls/ and reports/api/."""

from django.contrib import admin
from django.urls import include, path

from reports.views import public

urlpatterns = [
    path("", public.home, name="home"),
    path("favicon.ico", public.favicon),
    path("accounts/", include("reports.urls.accounts")),
    path("partner/", include("reports.urls.partner")),
    path("moderation/", include("reports.urls.moderation")),
    path("dashboard/", include("reports.urls.dashboard")),
    path("api/", include("reports.api.urls")),
    path("", include("reports.urls.inbox")),  # inbox/, and i18n/setlang/ keeping the choice
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Friendly pages in the site's design and the person's language (reports/views/errors.py).
handler400 = "reports.views.errors.bad_request"
handler403 = "reports.views.errors.permission_denied"
handler404 = "reports.views.errors.page_not_found"
handler500 = "reports.views.errors.server_error"
