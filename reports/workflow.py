"""The moderation workflow as data: statuses, actions and the allowed transitions (no database)."""

from django.db import models

from .exceptions import TransitionNotAllowed


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    RETRACTED = "retracted", "Retracted"


class Action(models.TextChoices):
    CREATE = "create", "Created"
    EDIT = "edit", "Edited"
    SUBMIT = "submit", "Submitted"
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    REQUEST_CHANGES = "request_changes", "Changes requested"
    RETRACT = "retract", "Retracted"
    LINK_EVENT = "link_event", "Linked to an event"
    SET_REFERENCE = "set_reference", "Reference figure set"


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
        raise TransitionNotAllowed(
            f"A {Status(current).label.lower()} report cannot be "
            f"{Action(action).label.lower()}: only a report that is {starts} can."
        )
    return allowed[current]
