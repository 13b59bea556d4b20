"""Context events (operations, offensives): a moderator adds, corrects and deletes them; each
change is kept in their change history with who made it. Every field is checked before anything
is stored, and a refusal names the field."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from gazetteer.models import Place

from ..models import ContextEvent, ContextEventKind, Source
from ..types import Actor
from ..validation import _parse_date
from ._shared import _attributed, _require_moderator
from .data_version import data_version_bump

MAX_NAME = 200
MAX_DESCRIPTION = 5000
CONTEXT_EVENT_FIELDS = ("name", "kind", "start_date", "end_date", "area", "description", "sources")


def clean_context_event(
    *,
    name: Any = "",
    kind: Any = "",
    start_date: Any = None,
    end_date: Any = None,
    area: Any = None,
    description: Any = "",
    sources: Iterable[Any] = (),
) -> dict[str, Any]:
    """The fields of a context event, cleaned; a ValidationError names every bad field. `area`
    is a Place or a P-code; `sources` are Sources or their ids."""
    errors: dict[str, str] = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = gettext("Name the operation or offensive.")
    elif len(name) > MAX_NAME:
        errors["name"] = gettext("At most %(n)s characters.") % {"n": MAX_NAME}
    kind = str(kind or "")
    if kind not in ContextEventKind.values:
        errors["kind"] = gettext("Choose operation, offensive or other.")
    start: date | None = _parse_date(start_date, "start_date", errors)
    end: date | None = _parse_date(end_date, "end_date", errors)
    if start is None and "start_date" not in errors:
        errors["start_date"] = gettext("Give the first day.")
    if start and end and end < start:
        errors["end_date"] = gettext("The end (%(end)s) is before the start (%(start)s).") % {
            "end": end,
            "start": start,
        }
    place = area if isinstance(area, Place) else None
    if place is None:
        pcode = str(area or "").strip()
        place = Place.objects.filter(pcode=pcode).first() if pcode else None
        if place is None:
            errors["area"] = (
                gettext("Unknown place %(pcode)s: give a P-code of the gazetteer.")
                % {"pcode": repr(pcode[:40])}
                if pcode
                else gettext("Give the area: a P-code of the gazetteer.")
            )
    description = str(description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = gettext("At most %(n)s characters.") % {"n": MAX_DESCRIPTION}
    wanted: set[int] = set()
    for item in sources or ():
        try:
            wanted.add(item.pk if isinstance(item, Source) else int(item))
        except (TypeError, ValueError):
            errors["sources"] = gettext("Sources are given by their numbers.")
    found = list(Source.objects.filter(pk__in=wanted))
    missing = sorted(wanted - {s.pk for s in found})
    if missing and "sources" not in errors:
        errors["sources"] = gettext("No source numbered %(ids)s.") % {
            "ids": ", ".join(str(m) for m in missing)
        }
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "kind": kind,
        "start_date": start,
        "end_date": None if end == start else end,
        "area": place,
        "description": description,
        "sources": found,
    }


def context_event_create(*, actor: Actor, **fields: Any) -> ContextEvent:
    _require_moderator(actor)
    cleaned = clean_context_event(**fields)
    sources = cleaned.pop("sources")
    with transaction.atomic():
        event = _attributed(ContextEvent(**cleaned, created_by=actor), actor)
        event.save()
        event.sources.set(sources)
        data_version_bump()  # the dashboard's timeline draws it
    return event


def context_event_update(*, actor: Actor, event: ContextEvent, **fields: Any) -> ContextEvent:
    """Correct a context event, every field given (a left-out field would be emptied)."""
    _require_moderator(actor)
    cleaned = clean_context_event(**fields)
    sources = cleaned.pop("sources")
    with transaction.atomic():
        locked = ContextEvent.objects.select_for_update().get(pk=event.pk)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        _attributed(locked, actor).save()
        if {s.pk for s in sources} != set(locked.sources.values_list("pk", flat=True)):
            locked.sources.set(sources)
        data_version_bump()
    return locked


def context_event_delete(*, actor: Actor, event: ContextEvent) -> None:
    """Delete a context event; its change history keeps the deletion and who made it."""
    _require_moderator(actor)
    with transaction.atomic():
        _attributed(event, actor).delete()
        data_version_bump()
