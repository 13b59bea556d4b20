"""The moderators' pages under /moderation/."""

from django.urls import path

from reports.views import moderation, parties

app_name = "moderation"

urlpatterns = [
    path("", moderation.queue, name="queue"),
    path("reports/<int:pk>/", moderation.review, name="review"),
    path("reports/<int:pk>/<slug:action>/", moderation.act, name="act"),
    path("reports/<int:pk>/figures/separate/", moderation.separate, name="separate"),
    path("reports/<int:pk>/figures/unseparate/", moderation.unseparate, name="unseparate"),
    path("parties/", parties.parties, name="parties"),
    path("parties/<int:pk>/", parties.party_edit, name="party_edit"),
]
