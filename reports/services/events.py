"""Events: starting one, linking reports to it, and the reference figure it counts per metric."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import aggregates, publication
from ..busy import retried_when_busy
from ..exceptions import ActionRefused, ConcurrentModification
from ..models import (
    Event,
    EventReferenceFigure,
    Figure,
    Report,
)
from ..types import Actor
from ..workflow import Action, Status
from ._shared import _attributed, _lock, _record, _require_moderator
from .data_version import data_version_bump
from .reports import _withdraw_stale_references


def _event_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the event."})
    if len(name) > 200:
        raise ValidationError({"name": "At most 200 characters."})
    return name


def event_create(*, actor: Actor, name: str, description: str = "") -> Event:
    _require_moderator(actor)
    event = Event(name=_event_name(name), description=(description or "").strip(), created_by=actor)
    _attributed(event, actor).save()
    return event


@retried_when_busy
def event_update(*, actor: Actor, event: Event, name: str, description: str) -> Event:
    """Rename or describe an event again; its approved reports show the new name publicly."""
    _require_moderator(actor)
    name = _event_name(name)
    with transaction.atomic():
        # The services' lock order: the reports that show the event first, then the event.
        publication.lock_reports_citing(event=event)
        renamed = Event.objects.select_for_update().get(pk=event.pk).name != name
        event.name, event.description = name, (description or "").strip()
        _attributed(event, actor).save(update_fields=["name", "description"])
        if renamed:
            publication.follow_event(event)
            data_version_bump()  # the evidence pages name it
    return event


@retried_when_busy
def report_link_event(
    *, report: Report, event: Event | None, actor: Actor, expected_version: int | None = None
) -> Report:
    """Link a report to the event it is evidence of (None unlinks it). A reference figure the
    report gave to its former event is withdrawn."""
    _require_moderator(actor)
    with transaction.atomic():
        locked = _lock(report, expected_version)
        if locked.event_id == (event.pk if event else None):
            return report
        old_event = locked.event_id
        locked.event = event
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["event", "version", "updated_at"])
        _withdraw_stale_references(locked)
        if locked.status == Status.APPROVED:
            aggregates.follow_report(locked, was_in_event=old_event)
            publication.follow_report(locked)
        _record(
            report=locked,
            actor=actor,
            action=Action.LINK_EVENT,
            note=f"Linked to event #{event.pk}: {event.name}" if event else "Unlinked from event",
            changes={"event": [old_event, event.pk if event else None]},
        )
    report.refresh_from_db()
    return report


@retried_when_busy
def event_set_reference_figure(
    *, event: Event, figure: Figure, actor: Actor, expected_version: int | None = None
) -> EventReferenceFigure:
    """Mark the figure the event counts for its metric, replacing any earlier choice.
    `expected_version` is that of the figure's report, as the moderator saw it."""
    _require_moderator(actor)
    try:
        with transaction.atomic():
            # The event's reports first, then the event, in the services' order (an approval
            # of one of its reports holds that report and then takes the event's row: locking
            # the event first deadlocked with it). The event row serialises choices for one
            # event; the report is re-read under lock so a figure whose report has just left
            # the event is not accepted.
            publication.lock_reports_citing(event=event)
            Event.objects.select_for_update().get(pk=event.pk)
            report = _lock(figure.report, expected_version)
            figure = Figure.objects.get(pk=figure.pk)
            if report.event_id != event.pk:
                raise ActionRefused(
                    f"That figure belongs to report #{report.pk}, which is not linked to "
                    f"event #{event.pk}."
                )
            if report.status != Status.APPROVED:
                raise ActionRefused(
                    f"Report #{report.pk} is {report.get_status_display().lower()}: only an "
                    "approved report's figure can be what an event counts."
                )
            reference = _replace_reference(event=event, figure=figure, report=report, actor=actor)
            aggregates.follow_event(event)
    except IntegrityError as exc:
        raise ConcurrentModification(
            "Another moderator chose a reference figure for this event at the same moment. "
            "Reload the event to see the current choice."
        ) from exc
    return reference


def _replace_reference(
    *, event: Event, figure: Figure, report: Report, actor: Actor
) -> EventReferenceFigure:
    EventReferenceFigure.objects.filter(event=event, metric=figure.metric).delete()
    reference = EventReferenceFigure.objects.create(
        event=event, metric=figure.metric, figure=figure, chosen_by=actor
    )
    _record(
        report=report,
        actor=actor,
        action=Action.SET_REFERENCE,
        note=f"{figure} is the reference for {figure.get_metric_display().lower()} "
        f"in event #{event.pk}",
        changes={"reference_figure": [None, figure.pk]},
    )
    return reference


@transaction.atomic
def event_create_linking(
    *,
    actor: Actor,
    name: str,
    description: str = "",
    reports: Iterable[tuple[Report, int | None]] = (),
) -> Event:
    """Start an event and link reports to it: (report, expected version) pairs. All or
    nothing: if one report cannot be linked, no event is left behind."""
    event = event_create(actor=actor, name=name, description=description)
    for report, version in reports:
        report_link_event(report=report, event=event, actor=actor, expected_version=version)
    return event
