"""The field partners' pages under /partner/."""

from django.urls import path

from reports.views import partner

app_name = "partner"

urlpatterns = [
    path("", partner.report_list, name="reports"),
    path("reports/new/", partner.report_new, name="report_new"),
    path("reports/<int:pk>/", partner.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", partner.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", partner.report_submit, name="report_submit"),
    path("places/", partner.place_search, name="place_search"),
]

# Offline-first filing (reports/views/offline.py, docs/offline.md).
from reports.views import offline  # noqa: E402

urlpatterns += [
    path("sw.js", offline.service_worker, name="service_worker"),
    path("outbox/", offline.outbox, name="outbox"),
    path("offline/form/", offline.offline_form, name="offline_form"),
    path("offline/state/", offline.offline_state, name="offline_state"),
    path("offline/places/", offline.offline_places, name="offline_places"),
]
