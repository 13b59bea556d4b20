"""Who may do what: the one place the services and selectors ask."""

from .models import Organization, Report
from .types import Viewer
from .workflow import EDITABLE_BY_PARTNER


def organization_of(user: Viewer) -> Organization | None:
    """The active organisation a person files for; a deactivated organisation's people keep
    their accounts but lose its reports."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None or not membership.organization.is_active:
        return None
    organization: Organization = membership.organization
    return organization


def is_field_partner(user: Viewer) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm("reports.submit_report")
        and organization_of(user) is not None
    )


def is_moderator(user: Viewer) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("reports.moderate_report")


def can_submit_for(user: Viewer, organization: Organization | None) -> bool:
    if is_moderator(user):
        return True
    return (
        is_field_partner(user)
        and organization is not None
        and (organization_of(user) == organization)
    )


def can_edit(user: Viewer, report: Report) -> bool:
    if is_moderator(user):
        return True
    return report.status in EDITABLE_BY_PARTNER and can_submit_for(user, report.organization)


def can_manage_api_clients(user: Viewer) -> bool:
    """Register, re-scope or revoke API clients (the Django admin's add permission)."""
    return user.is_active and user.has_perm("reports.add_apiclient")


def can_manage_kobo_forms(user: Viewer) -> bool:
    """Define KoboToolbox forms and their mappings (moderators and administrators)."""
    return user.is_active and user.has_perm("reports.add_koboform")


def can_use_api(user: Viewer) -> bool:
    """An API client's service user may act through the API (its API partner role)."""
    return user.has_perm("reports.use_api")
