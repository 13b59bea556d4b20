"""The moderation workflow: submit, approve, reject, request changes, retract, each through
reports.workflow in one transaction with its history row; and decisions in bulk."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import aggregates, permissions, publication
from ..busy import retried_when_busy
from ..exceptions import ActionRefused, NotPermitted
from ..figures import text
from ..models import (
    Report,
)
from ..types import Actor
from ..workflow import Action, Status, next_status
from ._shared import (
    _lock,
    _record,
    _refreshed,
    _require_moderator,
    _require_text,
)
from .notifications import notices_for_transition


@retried_when_busy
def _transition(
    *,
    report: Report,
    actor: Actor,
    action: str,
    note: str = "",
    expected_version: int | None = None,
    check: Callable[[Report], None] | None = None,
) -> Report:
    with transaction.atomic():
        locked = _lock(report, expected_version)
        if check:
            check(locked)
        new_status = next_status(locked.status, action)
        old_status = locked.status
        now = timezone.now()
        locked.status = new_status
        locked.version += 1
        locked.updated_at = now
        update_fields = ["status", "version", "updated_at"]
        if action == Action.SUBMIT:
            locked.submitted_at = now
            update_fields.append("submitted_at")
        if action == Action.APPROVE:
            locked.approved_at = now
            update_fields.append("approved_at")
        locked.save(update_fields=update_fields)
        if action in (Action.APPROVE, Action.RETRACT):
            aggregates.follow_report(locked)
            publication.follow_report(locked, held=True)
        entry = _record(
            report=locked,
            actor=actor,
            action=action,
            from_status=old_status,
            to_status=new_status,
            note=note,
        )
        # The notices are rows of this transaction: they exist exactly when the step does.
        notices_for_transition(report=locked, entry=entry, actor=actor)
    # As refresh_from_db() would read it: the row this transaction wrote.
    return _refreshed(report, locked)


# Why a report that is otherwise right cannot be submitted yet.
NO_FIGURE = "Add at least one figure before submitting."
NO_SOURCE = (
    "Cite at least one source before submitting (your own observation counts: add a source of "
    "type 'Direct observation by a field partner')."
)


def report_submit(*, report: Report, actor: Actor, expected_version: int | None = None) -> Report:
    def check(locked: Report) -> None:
        if not permissions.can_submit_for(actor, locked.organization):
            raise NotPermitted(f"You cannot submit reports for {locked.organization}.")
        if locked.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
            if not locked.figures.exists():
                raise ActionRefused(NO_FIGURE)
            if not locked.sources.exists():
                raise ActionRefused(NO_SOURCE)

    return _transition(
        report=report,
        actor=actor,
        action=Action.SUBMIT,
        expected_version=expected_version,
        check=check,
    )


def report_approve(
    *, report: Report, actor: Actor, note: str = "", expected_version: int | None = None
) -> Report:
    _require_moderator(actor)
    return _transition(
        report=report,
        actor=actor,
        action=Action.APPROVE,
        note=(note or "").strip(),
        expected_version=expected_version,
    )


def report_reject(
    *, report: Report, actor: Actor, reason: str, expected_version: int | None = None
) -> Report:
    _require_moderator(actor)
    return _transition(
        report=report,
        actor=actor,
        action=Action.REJECT,
        note=_require_text(reason, "A reason"),
        expected_version=expected_version,
    )


def report_request_changes(
    *, report: Report, actor: Actor, message: str, expected_version: int | None = None
) -> Report:
    _require_moderator(actor)
    return _transition(
        report=report,
        actor=actor,
        action=Action.REQUEST_CHANGES,
        note=_require_text(message, "A message to the partner"),
        expected_version=expected_version,
    )


def report_retract(
    *, report: Report, actor: Actor, reason: str, expected_version: int | None = None
) -> Report:
    _require_moderator(actor)
    return _transition(
        report=report,
        actor=actor,
        action=Action.RETRACT,
        note=_require_text(reason, "A reason"),
        expected_version=expected_version,
    )


@dataclass(frozen=True)
class Outcome:
    """What happened to one report of a bulk action: done, or refused and why."""

    report_id: int
    done: bool
    message: str


BULK_DECISIONS = {"approve": "approved", "reject": "rejected"}


def reports_decide(
    *, actor: Actor, decision: str, items: Iterable[tuple[int, int | None]], note: str = ""
) -> list[Outcome]:
    """Approve or reject several reports: (report id, expected version) pairs, each decided in
    its own transaction through report_approve / report_reject, so one refusal (another
    moderator got there first) neither stops nor undoes the others."""
    _require_moderator(actor)
    if decision not in BULK_DECISIONS:
        raise ValidationError({"decision": f"Unknown decision {decision!r}."})
    note = _require_text(note, "A reason") if decision == "reject" else text(note)
    reports = Report.objects.in_bulk([pk for pk, _ in items])
    outcomes = []
    for pk, version in items:
        report = reports.get(pk)
        if report is None:
            outcomes.append(Outcome(pk, False, f"Report #{pk} does not exist."))
            continue
        try:
            if decision == "approve":
                report_approve(report=report, actor=actor, note=note, expected_version=version)
            else:
                report_reject(report=report, actor=actor, reason=note, expected_version=version)
        except ActionRefused as exc:
            outcomes.append(Outcome(pk, False, f'#{pk} "{report.title}": {exc.message}'))
        except ValidationError as exc:
            outcomes.append(
                Outcome(pk, False, f'#{pk} "{report.title}": ' + " ".join(exc.messages))
            )
        else:
            outcomes.append(
                Outcome(pk, True, f'#{pk} "{report.title}" {BULK_DECISIONS[decision]}.')
            )
    return outcomes
