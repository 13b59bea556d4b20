"""Who may do what: the one place the services and selectors ask."""

from .workflow import EDITABLE_BY_PARTNER


def organization_of(user):
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.organization if membership else None


def is_moderator(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("reports.moderate_report")


def can_submit_for(user, organization) -> bool:
    if is_moderator(user):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm("reports.submit_report")
        and organization is not None
        and organization_of(user) == organization
    )


def can_edit(user, report) -> bool:
    if is_moderator(user):
        return True
    return report.status in EDITABLE_BY_PARTNER and can_submit_for(user, report.organization)
