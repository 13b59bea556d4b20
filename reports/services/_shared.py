"""What the service modules share: the history row and its snapshots, the row lock, work
queued after commit, and the checks for a moderator and a required note."""

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from gazetteer.models import Place

from .. import permissions
from ..exceptions import ConcurrentModification, NotPermitted
from ..models import (
    EventReferenceFigure,
    Report,
    ReportHistory,
)
from ..types import Actor
from ..validation import FIGURE_FIELDS, MAX_NOTES, REPORT_FIELDS

Saved = TypeVar("Saved", bound=models.Model)


def _attributed(instance: Saved, actor: Actor) -> Saved:
    """The instance, whose next saves its change history (django-simple-history) records as
    made by `actor`: a web request names its user anyway, a Celery task or a command does not."""
    setattr(instance, "_history_user", actor)  # noqa: B010 - simple-history's own attribute
    return instance


def _plain(value: Any) -> Any:
    if isinstance(value, Place):
        return value.pcode
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def report_snapshot(report: Report) -> dict[str, Any]:
    """Everything an edit can change, as JSON-ready values, for before/after history rows."""
    snapshot = {field: _plain(getattr(report, field)) for field in REPORT_FIELDS}
    snapshot["organization"] = report.organization_id
    snapshot["event"] = report.event_id
    snapshot["point_released"] = report.point_released
    snapshot["tags"] = sorted(t.name for t in report.tags.all())
    snapshot["sources"] = sorted(report.sources.values_list("pk", flat=True))
    snapshot["perpetrator"] = report.perpetrator_code
    snapshot["perpetrator_sources"] = sorted(
        report.perpetrator_sources.values_list("pk", flat=True)
    )
    snapshot["figures"] = [
        {field: _plain(getattr(figure, field)) for field in FIGURE_FIELDS}
        for figure in report.figures.order_by("pk")
    ]
    snapshot["reference_for"] = sorted(
        EventReferenceFigure.objects.filter(figure__report=report).values_list("event_id", "metric")
    )
    return snapshot


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }


def _record(
    *,
    report: Report,
    actor: Actor,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> ReportHistory:
    return ReportHistory.objects.create(
        report=report,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        changes=changes or {},
    )


def _lock(report: Report, expected_version: int | None) -> Report:
    """The report's row, locked for this transaction, with its submitter (whom a decision
    notifies) read in the same query; only the report's row is locked."""
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("submitted_by")
        .get(pk=report.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentModification(
            f"Report #{locked.pk} was changed by someone else while you were working on it "
            f"(it is now {locked.get_status_display().lower()}, version {locked.version}). "
            "Reload it to see the current state."
        )
    return locked


def _refreshed(report: Report, fresh: Report) -> Report:
    """report.refresh_from_db() from `fresh`, the row as the caller's transaction wrote it
    (read under its lock and saved), without reading it again: every field copied, and the
    cached relations and prefetched objects carried over or forgotten as refresh_from_db()
    does (django.db.models.Model.refresh_from_db)."""
    # Django's own field API (typed loosely by django-stubs), as refresh_from_db() uses it.
    fields: list[Any] = list(report._meta.concrete_fields)
    for field in fields:
        setattr(report, field.attname, getattr(fresh, field.attname))
        if field.is_relation:
            if field.is_cached(fresh):
                field.set_cached_value(report, field.get_cached_value(fresh))
            elif field.is_cached(report):
                field.delete_cached_value(report)
    others: list[Any] = [*report._meta.related_objects, *report._meta.private_fields]
    for field in others:
        if field.is_relation and field.is_cached(report):
            field.delete_cached_value(report)
    vars(report)["_prefetched_objects_cache"] = {}
    report._state.db = fresh._state.db
    return report


def _require_moderator(actor: Actor) -> None:
    if not permissions.is_moderator(actor):
        raise NotPermitted("Only a moderator can do this.")


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"note": f"{what} is required."})
    if len(text) > MAX_NOTES:
        raise ValidationError({"note": f"At most {MAX_NOTES:,} characters."})
    return text
