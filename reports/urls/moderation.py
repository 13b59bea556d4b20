"""The moderators' pages under /moderation/."""

from django.urls import include, path

from reports.views import context_events, evidence, moderation, parties

app_name = "moderation"

urlpatterns = [
    path("", moderation.queue, name="queue"),
    path("reports/<int:pk>/", moderation.review, name="review"),
    path("reports/<int:pk>/<slug:action>/", moderation.act, name="act"),
    path("reports/<int:pk>/figures/separate/", moderation.separate, name="separate"),
    path("reports/<int:pk>/figures/unseparate/", moderation.unseparate, name="unseparate"),
    path("context-events/", context_events.context_event_list, name="context_events"),
    path("context-events/new/", context_events.context_event_create, name="context_event_create"),
    path("context-events/<int:pk>/", context_events.context_event_edit, name="context_event_edit"),
    path(
        "context-events/<int:pk>/delete/",
        context_events.context_event_delete,
        name="context_event_delete",
    ),
    path(
        "reports/<int:pk>/evidence/<int:evidence_id>/publish/",
        evidence.publish,
        name="evidence_publish",
    ),
    path(
        "reports/<int:pk>/evidence/<int:evidence_id>/withdraw/",
        evidence.withdraw,
        name="evidence_withdraw",
    ),
    path("parties/", parties.parties, name="parties"),
    path("parties/<int:pk>/", parties.party_edit, name="party_edit"),
    path("intake/", include("intake.urls")),
]
