"""Writing reports and sources: create, edit (with its history), and what a report form does
(save, and perhaps submit, once per submission key)."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from itertools import zip_longest
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gazetteer.models import Place

from .. import aggregates, permissions, publication, selectors
from ..busy import retried_when_busy
from ..exceptions import ActionRefused, NotPermitted
from ..figures import text
from ..models import (
    EventReferenceFigure,
    Figure,
    Organization,
    Report,
    Source,
    SubmissionKey,
)
from ..types import Actor
from ..validation import (
    REPORT_FIELDS,
    CoordinateInput,
    DateInput,
    ReportFields,
    clean_figures,
    clean_perpetrator,
    clean_perpetrator_sources,
    clean_report_fields,
    clean_source,
    clean_source_party,
    clean_tags,
)
from ..workflow import Action, Status
from ._shared import (
    _diff,
    _lock,
    _record,
    report_snapshot,
)
from .moderation import report_submit
from .sources import source_create


def _check_citable(
    actor: Actor, sources: Iterable[Source], *, report: Report | None = None
) -> None:
    """A report may cite only sources its author may pick (selectors.sources_citable_by),
    plus those it already cites: otherwise citing a source by id would reveal its name. A
    refusal names the source by its public id, the only one shown outside moderation."""
    wanted = {source.public_id for source in sources}
    allowed = set(
        selectors.sources_citable_by(actor)
        .filter(public_id__in=wanted)
        .values_list("public_id", flat=True)
    )
    if report is not None:
        allowed |= set(report.sources.values_list("public_id", flat=True))
    refused = sorted(wanted - allowed)
    if refused:
        raise ValidationError(
            {"sources": _("You cannot cite source #%(id)s.") % {"id": refused[0]}}
        )


def _save_figures(report: Report, cleaned: list[dict[str, Any]]) -> None:
    """Make the report's figures equal `cleaned`, so that a figure an event counts as its
    reference survives an edit that does not change it. Rows that name one of the report's
    figures by "id" (the admin's inline rows) update that figure, the report's other figures
    are deleted and rows without one are new; rows without ids (a form or the API sending
    every figure again) update the figures in place, in order."""
    existing = list(report.figures.order_by("pk"))
    pairs: list[tuple[Figure | None, dict[str, Any]]]
    if any("id" in data for data in cleaned):
        by_id: dict[Any, Figure] = {figure.pk: figure for figure in existing}
        pairs = [(by_id.pop(data.get("id"), None), data) for data in cleaned]
        removed = list(by_id.values())
    else:
        pairs = list(zip_longest(existing[: len(cleaned)], cleaned))
        removed = existing[len(cleaned) :]
    for gone in removed:
        gone.delete()
    for figure, data in pairs:
        values = {field: value for field, value in data.items() if field != "id"}
        if figure is None:
            Figure(report=report, **values).save()
        elif any(getattr(figure, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(figure, field, value)
            figure.save()
    _withdraw_stale_references(report)


def _withdraw_stale_references(report: Report) -> None:
    """A reference figure whose metric was edited, or whose report left the event, no longer
    answers for that event and metric."""
    EventReferenceFigure.objects.filter(figure__report=report).exclude(
        metric=F("figure__metric"),
        event_id=report.event_id,  # type: ignore[misc]  # None: the report is in no event
    ).delete()


@transaction.atomic
def report_create(
    *,
    actor: Actor,
    organization: Organization | None = None,
    figures: Iterable[dict[str, Any]] = (),
    sources: Iterable[Source] = (),
    tags: Iterable[str] = (),
    title: str = "",
    start_date: DateInput = None,
    end_date: DateInput = None,
    date_precision: str = "",
    place: Place | None = None,
    latitude: CoordinateInput = None,
    longitude: CoordinateInput = None,
    location_precision: str = "",
    public_summary: str = "",
    internal_notes: str = "",
    cause: str = "",
    perpetrator: Any = "",
    perpetrator_sources: Iterable[Source] = (),
) -> Report:
    """A new draft report for the actor's organisation (moderators may name another). A field
    left out takes the model's default (validation.clean_report_fields)."""
    organization = organization or permissions.organization_of(actor)
    if organization is None:
        raise NotPermitted("You do not belong to an organisation, so you cannot file reports.")
    if not permissions.can_submit_for(actor, organization):
        raise NotPermitted(f"You cannot file reports for {organization}.")
    cleaned = clean_report_fields(
        {
            "title": title,
            "start_date": start_date,
            "end_date": end_date,
            "date_precision": date_precision,
            "place": place,
            "latitude": latitude,
            "longitude": longitude,
            "location_precision": location_precision,
            "public_summary": public_summary,
            "internal_notes": internal_notes,
            "cause": cause,
        }
    )
    cleaned_figures = clean_figures(figures, place=cleaned["place"])
    tag_names = clean_tags(tags)
    sources = list(sources)
    _check_citable(actor, sources)
    party, unknown = clean_perpetrator(perpetrator)
    attributing = clean_perpetrator_sources(
        perpetrator_sources, cited=sources, stated=bool(party or unknown)
    )
    report = Report.objects.create(
        organization=organization,
        submitted_by=actor,
        perpetrator=party,
        perpetrator_unknown=unknown,
        **cleaned,
    )
    _save_figures(report, cleaned_figures)
    report.sources.set(sources)
    report.perpetrator_sources.set(attributing)
    report.tags.set(tag_names)
    _record(report=report, actor=actor, action=Action.CREATE, to_status=report.status)
    return report


class Keep(Enum):
    """A report_update field left out: it keeps its value (None would clear it)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@retried_when_busy
def report_update(
    *,
    report: Report,
    actor: Actor,
    expected_version: int | None = None,
    figures: Iterable[dict[str, Any]] | None = None,
    sources: Iterable[Source] | None = None,
    tags: Iterable[str] | None = None,
    note: str = "",
    title: str | Keep = KEEP,
    start_date: DateInput | Keep = KEEP,
    end_date: DateInput | Keep = KEEP,
    date_precision: str | Keep = KEEP,
    place: Place | None | Keep = KEEP,
    latitude: CoordinateInput | Keep = KEEP,
    longitude: CoordinateInput | Keep = KEEP,
    location_precision: str | Keep = KEEP,
    public_summary: str | Keep = KEEP,
    internal_notes: str | Keep = KEEP,
    cause: str | Keep = KEEP,
    point_released: bool | Keep = KEEP,
    perpetrator: Any = KEEP,
    perpetrator_sources: Iterable[Source] | None = None,
) -> Report:
    """Edit a report; every change is kept in its history with before and after values.
    Fields left out keep their values; figures, sources and tags are replaced when given,
    kept when None."""
    given = {
        "title": title,
        "start_date": start_date,
        "end_date": end_date,
        "date_precision": date_precision,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": location_precision,
        "public_summary": public_summary,
        "internal_notes": internal_notes,
        "cause": cause,
        "point_released": point_released,
    }
    fields = {name: value for name, value in given.items() if value is not KEEP}
    with transaction.atomic():
        locked = _lock(report, expected_version)
        if not permissions.can_edit(actor, locked):
            raise NotPermitted(
                f"You cannot edit report #{locked.pk} while it is "
                f"{locked.get_status_display().lower()}."
            )
        if "point_released" in fields and not permissions.is_moderator(actor):
            raise NotPermitted("Only a moderator can release an exact point.")
        before = report_snapshot(locked)
        current = {field: getattr(locked, field) for field in REPORT_FIELDS}
        cleaned = clean_report_fields(current | {k: v for k, v in fields.items() if k in current})
        cleaned_figures = (
            clean_figures(figures, place=cleaned["place"]) if figures is not None else None
        )
        tag_names = clean_tags(tags) if tags is not None else None
        if sources is not None:
            sources = list(sources)
            _check_citable(actor, sources, report=locked)
        attribution = _clean_attribution(locked, perpetrator, perpetrator_sources, sources)
        moved = (cleaned["latitude"], cleaned["longitude"]) != (locked.latitude, locked.longitude)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        if "point_released" in fields:
            if fields["point_released"] and locked.latitude is None:
                raise ActionRefused(f"Report #{locked.pk} has no exact point to release.")
            locked.point_released = bool(fields["point_released"])
        elif moved:
            # A release covers the point a moderator saw; a new point needs a new decision.
            locked.point_released = False
        locked.save()
        if cleaned_figures is not None:
            _save_figures(locked, cleaned_figures)
        if sources is not None:
            locked.sources.set(sources)
        _save_attribution(locked, *attribution)
        if tag_names is not None:
            locked.tags.set(tag_names)
        if locked.status == Status.APPROVED:
            aggregates.follow_report(locked)
            publication.follow_report(locked, held=True)
        _record_edit(locked, actor=actor, before=before, note=note)
    report.refresh_from_db()
    return report


def _clean_attribution(
    locked: Report,
    perpetrator: Any,
    perpetrator_sources: Iterable[Source] | None,
    sources: list[Source] | None,
) -> tuple[Any, bool, list[Source]]:
    """The alleged perpetrator and its attributing sources after an edit, validated against
    the sources the report will cite. Left out, the perpetrator stays, and so do the sources
    attributing it that the report still cites (an edit that drops a source drops its
    attribution with it); a perpetrator no longer stated keeps no attributing sources."""
    if perpetrator is KEEP:
        party, unknown = locked.perpetrator, locked.perpetrator_unknown
    else:
        party, unknown = clean_perpetrator(perpetrator)
    cited = sources if sources is not None else list(locked.sources.all())
    stated = bool(party or unknown)
    if perpetrator_sources is None:
        kept = {source.pk for source in cited}
        perpetrator_sources = [
            source for source in locked.perpetrator_sources.all() if stated and source.pk in kept
        ]
    return (
        party,
        unknown,
        clean_perpetrator_sources(perpetrator_sources, cited=cited, stated=stated),
    )


def _save_attribution(locked: Report, party: Any, unknown: bool, attributing: list[Source]) -> None:
    if (locked.perpetrator_id, locked.perpetrator_unknown) != (
        party.pk if party else None,
        unknown,
    ):
        locked.perpetrator, locked.perpetrator_unknown = party, unknown
        locked.save(update_fields=["perpetrator", "perpetrator_unknown"])
    locked.perpetrator_sources.set(attributing)


def _record_edit(locked: Report, *, actor: Actor, before: dict[str, Any], note: str) -> bool:
    """Bump the version and write the edit's history row, if the edit changed anything."""
    changes = _diff(before, report_snapshot(locked))
    if not changes:
        return False
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["version", "updated_at"])
    _record(report=locked, actor=actor, action=Action.EDIT, note=note, changes=changes)
    return True


SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Saved:
    report: Report
    # The key had already been used (a double tap, a retry, the back button): nothing was
    # written this time and `report` is what the first use saved.
    replayed: bool = False
    # The public ids of the sources typed into the form, in the order given: those the first
    # use added, on a replay too (SubmissionKey.new_sources).
    new_source_ids: tuple[int, ...] = ()


def _replay(actor: Actor, key: str) -> Saved | None:
    used = SubmissionKey.objects.select_related("report").filter(user=actor, key=key).first()
    if used is None:
        return None
    return Saved(used.report, replayed=True, new_source_ids=tuple(used.new_sources))


def _clean_new_sources(new_sources: Iterable[dict[str, Any]]) -> None:
    """Validate sources typed into a report form before anything is written, with errors
    keyed "sources.N.field" and saying "Source N"."""
    errors: dict[str, list[str]] = {}
    for number, data in enumerate(new_sources, start=1):
        try:
            fields = _source_fields(data)
            party = fields.pop("party", None)
            clean_source(**fields)
            clean_source_party(party, fields.get("source_type", ""))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"sources.{number}.{field}"] = [
                    _("Source %(number)s: %(message)s") % {"number": number, "message": m}
                    for m in messages
                ]
    if errors:
        raise ValidationError(errors)


def _source_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A new source's fields, without the form's note that it attributes the harm."""
    return {field: value for field, value in data.items() if field != "attributes_perpetrator"}


def report_save(
    *,
    actor: Actor,
    submission_key: str,
    report: Report | None = None,
    submit: bool = False,
    expected_version: int | None = None,
    figures: Iterable[dict[str, Any]] = (),
    sources: Iterable[Source] = (),
    new_sources: Iterable[dict[str, Any]] = (),
    tags: Iterable[str] = (),
    perpetrator: Any = KEEP,
    perpetrator_sources: Iterable[Source] = (),
    **fields: Unpack[ReportFields],
) -> Saved:
    """Create (report=None) or edit a report from a form, add the sources typed into it, and
    submit it when asked: all in one transaction, and at most once per submission key. A new
    source with "attributes_perpetrator" true joins `perpetrator_sources`; `perpetrator` left
    out is not stated on a new report and kept on an edit."""
    key = text(submission_key)
    if not SUBMISSION_KEY.match(key):
        raise ValidationError(
            {"submission_key": _("This form has expired or was altered: reload the page.")}
        )
    earlier = _replay(actor, key)
    if earlier is not None:
        return earlier
    new_sources = list(new_sources)
    _validate_form(
        fields,
        figures=figures,
        new_sources=new_sources,
        tags=tags,
        report=report,
        perpetrator=perpetrator,
    )
    try:
        with transaction.atomic():
            created = [
                (source_create(actor=actor, **_source_fields(data)), data) for data in new_sources
            ]
            cited = list(sources) + [source for source, _ in created]
            attributing = list(perpetrator_sources) + [
                source for source, data in created if data.get("attributes_perpetrator")
            ]
            attribution: dict[str, Any] = {"perpetrator_sources": attributing}
            if perpetrator is not KEEP:
                attribution["perpetrator"] = perpetrator
            if report is None:
                saved = report_create(
                    actor=actor,
                    figures=figures,
                    sources=cited,
                    tags=tags,
                    **attribution,
                    **fields,
                )
            else:
                saved = report_update(
                    report=report,
                    actor=actor,
                    expected_version=expected_version,
                    figures=figures,
                    sources=cited,
                    tags=tags,
                    **attribution,
                    **fields,
                )
            added = tuple(source.public_id for source, _ in created)
            SubmissionKey.objects.create(
                user=actor,
                key=key,
                report=saved,
                action="submit" if submit else "save",
                new_sources=list(added),
            )
            if submit:
                saved = report_submit(report=saved, actor=actor)
    except IntegrityError:
        # The same key raced in from a second request that committed first.
        earlier = _replay(actor, key)
        if earlier is None:
            raise
        return earlier
    return Saved(saved, new_source_ids=added)


def _validate_form(
    fields: ReportFields,
    *,
    figures: Iterable[dict[str, Any]],
    new_sources: Iterable[dict[str, Any]],
    tags: Iterable[str],
    report: Report | None,
    perpetrator: Any = KEEP,
) -> None:
    """Every message at once (report fields, figures, new sources, tags), so a person fixes
    a form in one pass rather than one section per try."""
    errors: dict[str, list[str]] = {}
    current = {f: getattr(report, f) for f in REPORT_FIELDS} if report else {}
    place = None
    checks: list[Callable[[], object]] = [
        lambda: clean_report_fields(current | fields),
        lambda: clean_tags(tags),
        lambda: _clean_new_sources(new_sources),
    ]
    if perpetrator is not KEEP:
        checks.append(lambda: clean_perpetrator(perpetrator))
    for check in checks:
        try:
            result = check()
            if isinstance(result, dict):
                place = result["place"]
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        clean_figures(figures, place=place or fields.get("place"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
