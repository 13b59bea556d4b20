"""The Django admin, for moderators and administrators, one module per area; every write
goes through reports.services."""

from .access import AccessRecordAdmin
from .context import ContextEventAdmin
from .events_sources import EventAdmin, ReportHistoryAdmin, SourceAdmin, TagAdmin
from .login_attempts import LoginAttemptAdmin, LoginFailureAdmin, SignInAdmin
from .organisations import MembershipAdmin, OrganizationAdmin, TrackerUserAdmin
from .parties import PartyAdmin
from .partners import ApiClientAdmin, KoboFormAdmin, KoboSubmissionAdmin
from .places import PlaceAdmin
from .reports import ReportAdmin, SeparateFiguresAdmin

__all__ = [
    "AccessRecordAdmin",
    "ApiClientAdmin",
    "ContextEventAdmin",
    "EventAdmin",
    "KoboFormAdmin",
    "KoboSubmissionAdmin",
    "LoginAttemptAdmin",
    "LoginFailureAdmin",
    "MembershipAdmin",
    "OrganizationAdmin",
    "PartyAdmin",
    "PlaceAdmin",
    "ReportAdmin",
    "ReportHistoryAdmin",
    "SeparateFiguresAdmin",
    "SignInAdmin",
    "SourceAdmin",
    "TagAdmin",
    "TrackerUserAdmin",
]
