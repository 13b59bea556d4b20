"""The partner API's endpoints, one module per resource; docs/api.md is the users' guide."""

from .aggregates import AggregateView
from .base import NotFoundView
from .context_events import ContextEventViewSet
from .events import EventViewSet
from .parties import PartyList
from .places import PlaceViewSet
from .reports import ReportViewSet
from .retractions import RetractionList
from .sources import OwnSourceList, SourceList
from .submissions import SubmissionsView

__all__ = [
    "AggregateView",
    "ContextEventViewSet",
    "EventViewSet",
    "NotFoundView",
    "PartyList",
    "PlaceViewSet",
    "ReportViewSet",
    "RetractionList",
    "OwnSourceList",
    "SourceList",
    "SubmissionsView",
]
