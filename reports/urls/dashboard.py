"""The advocate's pages under /dashboard/: the dashboard, evidence, briefing and downloads."""

from django.urls import path

from reports.views import dashboard, hosts

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.index, name="index"),
    path("evidence/", dashboard.evidence, name="evidence"),
    path("hosts/", hosts.index, name="hosts"),
    path("briefing/", dashboard.briefing, name="briefing"),
    path("downloads/", dashboard.formats, name="formats"),
    path("download/<str:name>", dashboard.download, name="download"),
]
