"""The field partners' pages under /partner/."""

from django.urls import path

from reports.views import evidence, partner

app_name = "partner"

urlpatterns = [
    path("", partner.report_list, name="reports"),
    path("reports/new/", partner.report_new, name="report_new"),
    path("reports/<int:pk>/", partner.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", partner.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", partner.report_submit, name="report_submit"),
    path("places/", partner.place_search, name="place_search"),
    # Evidence (docs/evidence.md): the file form, the chunked protocol, the originals.
    path("reports/<int:pk>/evidence/", evidence.attach, name="evidence_attach"),
    path("reports/<int:pk>/evidence/uploads/", evidence.upload_create, name="evidence_uploads"),
    path(
        "reports/<int:pk>/evidence/uploads/<uuid:upload_id>/",
        evidence.upload,
        name="evidence_upload",
    ),
    path(
        "reports/<int:pk>/evidence/uploads/<uuid:upload_id>/finish/",
        evidence.upload_finish,
        name="evidence_upload_finish",
    ),
    path(
        "reports/<int:pk>/evidence/<int:evidence_id>/original/",
        evidence.original,
        name="evidence_original",
    ),
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
