"""The read side of /api/v1/ (reports/api/views.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="api-report")
router.register("events", views.EventViewSet, basename="api-event")
router.register("places", views.PlaceViewSet, basename="api-place")

urlpatterns = [
    *router.urls,
    path("sources/", views.SourceList.as_view(), name="api-source-list"),
    path("retractions/", views.RetractionList.as_view(), name="api-retraction-list"),
    path("aggregates/", views.AggregateView.as_view(), name="api-aggregates"),
]
