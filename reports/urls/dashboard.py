"""The advocate's pages under /dashboard/: the dashboard, evidence, briefing (and its PDF),
downloads, the charts as files, and the embeds other sites may frame."""

from django.urls import path

from reports.views import context_events, dashboard, downloads, evidence, harm, hosts

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.index, name="index"),
    path("evidence/", dashboard.evidence, name="evidence"),
    path("evidence/files/<uuid:public_id>/", evidence.public_file, name="evidence_file"),
    path("harm/", harm.harm, name="harm"),
    path("hosts/", hosts.index, name="hosts"),
    path("briefing/", dashboard.briefing, name="briefing"),
    path("briefing.pdf", dashboard.briefing_pdf, name="briefing_pdf"),
    path("downloads/", downloads.formats, name="formats"),
    path("download/<str:name>", downloads.download, name="download"),
    # Export jobs (docs/exports.md): seen only by whoever asked.
    path("exports/", downloads.export_list, name="exports"),
    path("exports/start/", downloads.export_start, name="export_start"),
    path("exports/<uuid:job_id>/", downloads.export_page, name="export"),
    path("exports/<uuid:job_id>/status/", downloads.export_status, name="export_status"),
    path("exports/<uuid:job_id>/file/", downloads.export_file, name="export_file"),
    path("exports/<uuid:job_id>/retry/", downloads.export_retry, name="export_retry"),
    path("chart/<str:metric>.<str:extension>", dashboard.chart_file, name="chart_file"),
    path("embed/<str:kind>/", dashboard.embed, name="embed"),
    path("context/<int:pk>/", context_events.context_event_public, name="context_event"),
]
