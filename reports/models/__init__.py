"""The reports app's models, a module per group; every model is importable from here."""

from .access import AccessKind, AccessRecord, AccessRecordQuerySet
from .context import ContextEvent, ContextEventKind
from .core import (
    Event,
    EventReferenceFigure,
    Figure,
    Membership,
    Organization,
    Report,
    SeparateFigures,
    Source,
    SubmissionKey,
)
from .data_version import DataVersion
from .evidence import Evidence, EvidenceChannel, EvidenceKind, EvidenceUpload
from .exports import ExportJob, ExportStatus
from .history import HistoryQuerySet, ReportHistory
from .notifications import Notification, NotificationKind, UserPreference
from .parties import NOT_STATED, UNKNOWN, Party, PartyKind
from .partners import ApiClient, ApiIdempotencyKey, ApiUsage, KoboForm, KoboSubmission
from .public import PublicReport
from .summaries import EventCount, FlowTotal, SourceUse, StockStep

__all__ = [
    "AccessKind",
    "NOT_STATED",
    "AccessRecord",
    "AccessRecordQuerySet",
    "ApiClient",
    "ApiIdempotencyKey",
    "ApiUsage",
    "ContextEvent",
    "ContextEventKind",
    "DataVersion",
    "Event",
    "Evidence",
    "EvidenceChannel",
    "EvidenceKind",
    "EvidenceUpload",
    "EventCount",
    "EventReferenceFigure",
    "ExportJob",
    "ExportStatus",
    "Figure",
    "FlowTotal",
    "HistoryQuerySet",
    "KoboForm",
    "KoboSubmission",
    "Membership",
    "Notification",
    "NotificationKind",
    "Organization",
    "Party",
    "PartyKind",
    "PublicReport",
    "Report",
    "ReportHistory",
    "SeparateFigures",
    "Source",
    "SourceUse",
    "StockStep",
    "SubmissionKey",
    "UNKNOWN",
    "UserPreference",
]
