"""The write side of the partner API: submissions from API clients, and KoboToolbox."""

from django.urls import path

from . import kobo, write_views

urlpatterns = [
    path("submissions/", write_views.SubmissionsView.as_view(), name="api-submissions"),
    path("ingest/kobo/<str:token>/", kobo.KoboIngestView.as_view(), name="api-kobo-ingest"),
]
