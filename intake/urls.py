"""The moderator's intake screen, under /moderation/intake/ (included by
reports/urls/moderation.py, so its names are in the "moderation" namespace)."""

from django.urls import path

from intake import views

urlpatterns = [
    path("", views.intake, name="intake"),
    path("drafts/", views.drafts, name="intake_drafts"),
    path("drafts/created/", views.done, name="intake_done"),
]
