"""The moderation workflow as data: statuses, actions and the allowed transitions (no database)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .exceptions import TransitionNotAllowed


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETRACTED = "retracted", _("Retracted")


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    REQUEST_CHANGES = "request_changes", _("Changes requested")
    RETRACT = "retract", _("Retracted")
    LINK_EVENT = "link_event", _("Linked to an event")
    SET_REFERENCE = "set_reference", _("Reference figure set")
    MARK_SEPARATE = "mark_separate", _("Figures marked as separate")
    UNMARK_SEPARATE = "unmark_separate", _("Figures no longer marked as separate")


# action -> {status it may start from: status it leads to}
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.SUBMIT: {Status.DRAFT: Status.SUBMITTED, Status.CHANGES_REQUESTED: Status.SUBMITTED},
    Action.APPROVE: {Status.SUBMITTED: Status.APPROVED},
    Action.REJECT: {
        Status.SUBMITTED: Status.REJECTED,
        Status.CHANGES_REQUESTED: Status.REJECTED,
    },
    Action.REQUEST_CHANGES: {Status.SUBMITTED: Status.CHANGES_REQUESTED},
    Action.RETRACT: {Status.APPROVED: Status.RETRACTED},
}

# Statuses in which the submitting organisation may still edit its report.
EDITABLE_BY_PARTNER = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})


def next_status(current: str, action: str) -> str:
    """The status `action` leads to from `current`, or TransitionNotAllowed saying why."""
    allowed = TRANSITIONS[action]
    if current not in allowed:
        starts = ", ".join(Status(s).label.lower() for s in allowed)
        label = str(Status(current).label).lower()
        article = "An" if label[:1] in "aeiou" else "A"
        raise TransitionNotAllowed(
            f"{article} {label} report cannot be "
            f"{Action(action).label.lower()}: only a report that is {starts} can."
        )
    return allowed[current]
