"""Every read that carries a rule: visibility.py is THE "who sees what"; moderation.py and
history.py read for the moderation pages (docs/domain.md)."""

from .history import Change, HistoryEntry, report_history
from .moderation import (
    DUPLICATE_STATUSES,
    DUPLICATE_WINDOW_DAYS,
    NEARBY_KM,
    EventFigure,
    EventMetric,
    LikelyDuplicate,
    awaiting_review,
    event_overview,
    likely_duplicates,
    moderation_reports,
    places_with_reports,
    status_counts,
)
from .visibility import (
    CONFIDENTIAL_LABELS,
    moderator_messages,
    public_location_precision,
    public_point,
    public_records,
    public_reports,
    public_source_label,
    reports_of_own_organization,
    sources_as_seen_by,
    sources_citable_by,
)

__all__ = [
    "CONFIDENTIAL_LABELS",
    "DUPLICATE_STATUSES",
    "DUPLICATE_WINDOW_DAYS",
    "NEARBY_KM",
    "Change",
    "EventFigure",
    "EventMetric",
    "HistoryEntry",
    "LikelyDuplicate",
    "awaiting_review",
    "event_overview",
    "likely_duplicates",
    "moderation_reports",
    "moderator_messages",
    "places_with_reports",
    "public_location_precision",
    "public_point",
    "public_records",
    "public_reports",
    "public_source_label",
    "report_history",
    "reports_of_own_organization",
    "sources_as_seen_by",
    "sources_citable_by",
    "status_counts",
]
