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
