"""Every write to reports, sources and events. Each service checks who may act, validates,
writes in one transaction with its history row, and queues background work after commit."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gazetteer.models import Place

from . import aggregates, permissions, publication, selectors
from .exceptions import ActionRefused, ConcurrentModification, NotPermitted
from .figures import clean_figure, text
from .models import (
    Event,
    EventReferenceFigure,
    Figure,
    Organization,
    Report,
    ReportHistory,
    Source,
    SubmissionKey,
)
from .vocabulary import Cause, DatePrecision, LocationPrecision, SourceType
from .workflow import Action, Status, next_status

MAX_SUMMARY = 4000
MAX_NOTES = 10000
MAX_TAGS = 20
REPORT_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "date_precision",
    "place",
    "latitude",
    "longitude",
    "location_precision",
    "public_summary",
    "internal_notes",
    "cause",
)
FIGURE_FIELDS = (
    "metric",
    "qualifier",
    "value",
    "value_min",
    "value_max",
    "unit",
    "household_size",
    "women",
    "men",
    "girls",
    "boys",
    "note",
)


# --- validation -------------------------------------------------------------------------------


def _parse_date(raw, field, errors):
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD."
        return None


def _parse_coordinate(raw, field, bound, errors):
    if raw in (None, ""):
        return None
    try:
        number = Decimal(text(raw))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors[field] = "Enter a number in decimal degrees."
        return None
    if not -bound <= number <= bound:
        errors[field] = f"Must be between -{bound} and {bound}."
        return None
    return number.quantize(Decimal("0.000001"))


def clean_report_fields(data: dict) -> dict:
    """Validate a report's own fields (not figures or sources); raise ValidationError keyed by
    field. Missing keys take the model's defaults."""
    errors: dict[str, str] = {}
    title = text(data.get("title"))
    if not title:
        errors["title"] = "Give the report a short title."
    elif len(title) > 200:
        errors["title"] = "At most 200 characters."

    today = timezone.localdate()
    start = _parse_date(data.get("start_date"), "start_date", errors)
    end = _parse_date(data.get("end_date"), "end_date", errors)
    if start is None and "start_date" not in errors:
        errors["start_date"] = "When did it happen? Enter at least the start date."
    for field, day in (("start_date", start), ("end_date", end)):
        if day and day > today:
            errors[field] = "Cannot be in the future."
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = "The end date is before the start date."
    precision = data.get("date_precision") or DatePrecision.DAY
    if not isinstance(precision, str) or precision not in DatePrecision.values:
        errors["date_precision"] = f"Unknown date precision {precision!r}."

    place = data.get("place")
    if not isinstance(place, Place):
        errors["place"] = "Choose a place from the gazetteer."

    latitude = _parse_coordinate(data.get("latitude"), "latitude", 90, errors)
    longitude = _parse_coordinate(data.get("longitude"), "longitude", 180, errors)
    location_precision = data.get("location_precision") or LocationPrecision.PLACE
    if (
        not isinstance(location_precision, str)
        or location_precision not in LocationPrecision.values
    ):
        errors["location_precision"] = f"Unknown location precision {location_precision!r}."
    if (latitude is None) != (longitude is None) and not errors.keys() & {"latitude", "longitude"}:
        errors["longitude" if latitude is not None else "latitude"] = (
            "Give both latitude and longitude, or neither."
        )
    if latitude is None and longitude is None:
        location_precision = LocationPrecision.PLACE
    elif location_precision == LocationPrecision.PLACE:
        location_precision = LocationPrecision.EXACT

    summary = text(data.get("public_summary"))
    if len(summary) > MAX_SUMMARY:
        errors["public_summary"] = f"At most {MAX_SUMMARY:,} characters."
    notes = text(data.get("internal_notes"))
    if len(notes) > MAX_NOTES:
        errors["internal_notes"] = f"At most {MAX_NOTES:,} characters."
    cause = data.get("cause") or ""
    if cause and (not isinstance(cause, str) or cause not in Cause.values):
        errors["cause"] = f"Unknown cause or means {cause!r}."
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "start_date": start,
        "end_date": end,
        "date_precision": precision,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": location_precision,
        "public_summary": summary,
        "internal_notes": notes,
        "cause": cause,
    }


def clean_tags(tags) -> list[str]:
    names = sorted({" ".join(str(t).split()) for t in tags or () if str(t).strip()})
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags."})
    too_long = [n for n in names if len(n) > 100]
    if too_long:
        raise ValidationError({"tags": f"Tag too long (100 characters at most): {too_long[0]!r}."})
    return names


def _country_household_size(place) -> Decimal | None:
    if not isinstance(place, Place):
        return None
    country = place.path.strip("/").split("/")[0]
    return (
        Place.objects.filter(pcode=country).values_list("default_household_size", flat=True).first()
    )


def clean_figures(figures, *, place=None) -> list[dict]:
    """Validate every figure; errors are keyed "figures.N.field" and say "Figure N". A figure
    in households without a size takes the default of the place's country, and keeps it."""
    cleaned, errors = [], {}
    default_size = None
    if any(
        f.get("unit") == "households" and f.get("household_size") in (None, "")
        for f in figures or ()
    ):
        default_size = _country_household_size(place)
    for number, data in enumerate(figures or (), start=1):
        if (
            default_size is not None
            and data.get("unit") == "households"
            and data.get("household_size") in (None, "")
        ):
            data = {**data, "household_size": default_size}
        try:
            cleaned.append(clean_figure(data))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"figures.{number}.{field}"] = [f"Figure {number}: {m}" for m in messages]
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- snapshots for the history ----------------------------------------------------------------


def _plain(value):
    if isinstance(value, Place):
        return value.pcode
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def report_snapshot(report: Report) -> dict:
    """Everything an edit can change, as JSON-ready values, for before/after history rows."""
    snapshot = {field: _plain(getattr(report, field)) for field in REPORT_FIELDS}
    snapshot["organization"] = report.organization_id
    snapshot["event"] = report.event_id
    snapshot["point_released"] = report.point_released
    snapshot["tags"] = sorted(t.name for t in report.tags.all())
    snapshot["sources"] = sorted(report.sources.values_list("pk", flat=True))
    snapshot["figures"] = [
        {field: _plain(getattr(figure, field)) for field in FIGURE_FIELDS}
        for figure in report.figures.order_by("pk")
    ]
    snapshot["reference_for"] = sorted(
        EventReferenceFigure.objects.filter(figure__report=report).values_list("event_id", "metric")
    )
    return snapshot


def _diff(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }


def _record(*, report, actor, action, from_status="", to_status="", note="", changes=None):
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
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentModification(
            f"Report #{locked.pk} was changed by someone else while you were working on it "
            f"(it is now {locked.get_status_display().lower()}, version {locked.version}). "
            "Reload it to see the current state."
        )
    return locked


def _queue(task, *args):
    # robust: a failing notification (say, the mail server is down while tasks run in-process)
    # is logged and must not turn a decision that has already committed into an error page.
    transaction.on_commit(lambda: task.delay(*args), robust=True)


# --- sources ---------------------------------------------------------------------------------


def _validate_source(
    *,
    source_type: str = "",
    name: str = "",
    title: str = "",
    url: str = "",
    published_on=None,
    language: str = "",
    is_confidential: bool = False,
) -> dict:
    """A source's fields, cleaned, or ValidationError keyed by field."""
    errors = {}
    if source_type not in SourceType.values:
        errors["source_type"] = f"Unknown source type {source_type!r}."
    name = text(name)
    if not name:
        errors["name"] = "Name the outlet, organisation or person."
    elif len(name) > 200:
        errors["name"] = "At most 200 characters."
    title = text(title)
    if len(title) > 300:
        errors["title"] = "At most 300 characters."
    url = text(url)
    if url:
        if not url.lower().startswith(("http://", "https://")):
            errors["url"] = "Enter a web address starting with http:// or https://."
        elif len(url) > 1000:
            errors["url"] = "At most 1,000 characters."
        else:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors["url"] = "Enter a valid web address, such as https://example.org/page."
    published = _parse_date(published_on, "published_on", errors)
    if published and published > timezone.localdate():
        errors["published_on"] = "Cannot be in the future."
    language = text(language)
    if len(language) > 16:
        errors["language"] = "At most 16 characters (a language code such as en or my)."
    if errors:
        raise ValidationError(errors)
    return {
        "source_type": source_type,
        "name": name,
        "title": title,
        "url": url,
        "published_on": published,
        "language": language,
        "is_confidential": bool(is_confidential),
    }


def source_create(*, actor, **fields) -> Source:
    """A new source (see _validate_source for its fields)."""
    if not (permissions.is_moderator(actor) or permissions.is_field_partner(actor)):
        raise NotPermitted("Only field partners and moderators can add sources.")
    source = Source(**_validate_source(**fields), created_by=actor)
    source.full_clean()
    source.save()
    return source


# --- reports ---------------------------------------------------------------------------------


def _check_citable(actor, sources, *, report: Report | None = None) -> None:
    """A report may cite only sources its author may pick (selectors.sources_citable_by),
    plus those it already cites: otherwise citing a source by id would reveal its name."""
    wanted = {source.pk for source in sources}
    allowed = set(
        selectors.sources_citable_by(actor).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if report is not None:
        allowed |= set(report.sources.values_list("pk", flat=True))
    refused = sorted(wanted - allowed)
    if refused:
        raise ValidationError({"sources": f"You cannot cite source #{refused[0]}."})


def _save_figures(report: Report, cleaned: list[dict]) -> None:
    """Make the report's figures equal `cleaned`, updating rows in place (in order) so that
    a figure an event counts as its reference survives an edit that does not change it."""
    existing = list(report.figures.order_by("pk"))
    for figure, data in zip(existing, cleaned, strict=False):
        if any(getattr(figure, field) != value for field, value in data.items()):
            for field, value in data.items():
                setattr(figure, field, value)
            figure.save()
    for figure in existing[len(cleaned) :]:
        figure.delete()
    for data in cleaned[len(existing) :]:
        Figure(report=report, **data).save()
    _withdraw_stale_references(report)


def _withdraw_stale_references(report: Report) -> None:
    """A reference figure whose metric was edited, or whose report left the event, no longer
    answers for that event and metric."""
    EventReferenceFigure.objects.filter(figure__report=report).exclude(
        metric=F("figure__metric"), event_id=report.event_id
    ).delete()


@transaction.atomic
def report_create(
    *,
    actor,
    organization: Organization | None = None,
    figures=(),
    sources=(),
    tags=(),
    **fields,
) -> Report:
    """A new draft report for the actor's organisation (moderators may name another)."""
    organization = organization or permissions.organization_of(actor)
    if organization is None:
        raise NotPermitted("You do not belong to an organisation, so you cannot file reports.")
    if not permissions.can_submit_for(actor, organization):
        raise NotPermitted(f"You cannot file reports for {organization}.")
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown report fields: {sorted(unknown)}")
    cleaned = clean_report_fields(fields)
    cleaned_figures = clean_figures(figures, place=cleaned["place"])
    tag_names = clean_tags(tags)
    _check_citable(actor, sources)
    report = Report.objects.create(organization=organization, submitted_by=actor, **cleaned)
    _save_figures(report, cleaned_figures)
    report.sources.set(sources)
    report.tags.set(tag_names)
    _record(report=report, actor=actor, action=Action.CREATE, to_status=report.status)
    return report


def report_update(
    *,
    report: Report,
    actor,
    expected_version: int | None = None,
    figures=None,
    sources=None,
    tags=None,
    note: str = "",
    **fields,
) -> Report:
    """Edit a report; every change is kept in its history with before and after values.
    Figures, sources and tags are replaced when given, kept when None."""
    unknown = set(fields) - set(REPORT_FIELDS) - {"point_released"}
    if unknown:
        raise TypeError(f"Unknown report fields: {sorted(unknown)}")
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
            _check_citable(actor, sources, report=locked)
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
        if tag_names is not None:
            locked.tags.set(tag_names)
        if locked.status == Status.APPROVED:
            aggregates.follow_report(locked)
            publication.follow_report(locked)
        _record_edit(locked, actor=actor, before=before, note=note)
    report.refresh_from_db()
    return report


def report_record_edit(*, report: Report, actor, before: dict, note: str = "") -> bool:
    """Write the history row for an edit made outside report_update (the Django admin saves
    the form itself); returns whether anything changed."""
    with transaction.atomic():
        locked = _lock(report, None)
        _withdraw_stale_references(locked)
        if locked.status == Status.APPROVED:
            aggregates.follow_report(locked)
            publication.follow_report(locked)
        changed = _record_edit(locked, actor=actor, before=before, note=note)
    report.refresh_from_db()
    return changed


def _record_edit(locked: Report, *, actor, before: dict, note: str) -> bool:
    """Bump the version and write the edit's history row, if the edit changed anything."""
    changes = _diff(before, report_snapshot(locked))
    if not changes:
        return False
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["version", "updated_at"])
    _record(report=locked, actor=actor, action=Action.EDIT, note=note, changes=changes)
    return True


# --- what a report form does: save, and perhaps submit, once per submission key -------------

SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Saved:
    report: Report
    # The key had already been used (a double tap, a retry, the back button): nothing was
    # written this time and `report` is what the first use saved.
    replayed: bool = False


def _replay(actor, key: str) -> Report | None:
    used = SubmissionKey.objects.select_related("report").filter(user=actor, key=key).first()
    return used.report if used else None


def _clean_new_sources(new_sources) -> None:
    """Validate sources typed into a report form before anything is written, with errors
    keyed "sources.N.field" and saying "Source N"."""
    errors = {}
    for number, data in enumerate(new_sources, start=1):
        try:
            _validate_source(**data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"sources.{number}.{field}"] = [f"Source {number}: {m}" for m in messages]
    if errors:
        raise ValidationError(errors)


def report_save(
    *,
    actor,
    submission_key: str,
    report: Report | None = None,
    submit: bool = False,
    expected_version: int | None = None,
    figures=(),
    sources=(),
    new_sources=(),
    tags=(),
    **fields,
) -> Saved:
    """Create (report=None) or edit a report from a form, add the sources typed into it, and
    submit it when asked: all in one transaction, and at most once per submission key."""
    key = text(submission_key)
    if not SUBMISSION_KEY.match(key):
        raise ValidationError(
            {"submission_key": "This form has expired or was altered: reload the page."}
        )
    earlier = _replay(actor, key)
    if earlier is not None:
        return Saved(earlier, replayed=True)
    _validate_form(fields, figures=figures, new_sources=new_sources, tags=tags, report=report)
    try:
        with transaction.atomic():
            cited = list(sources) + [source_create(actor=actor, **data) for data in new_sources]
            if report is None:
                saved = report_create(
                    actor=actor, figures=figures, sources=cited, tags=tags, **fields
                )
            else:
                saved = report_update(
                    report=report,
                    actor=actor,
                    expected_version=expected_version,
                    figures=figures,
                    sources=cited,
                    tags=tags,
                    **fields,
                )
            SubmissionKey.objects.create(
                user=actor, key=key, report=saved, action="submit" if submit else "save"
            )
            if submit:
                saved = report_submit(report=saved, actor=actor)
    except IntegrityError:
        # The same key raced in from a second request that committed first.
        earlier = _replay(actor, key)
        if earlier is None:
            raise
        return Saved(earlier, replayed=True)
    return Saved(saved)


def _validate_form(fields, *, figures, new_sources, tags, report) -> None:
    """Every message at once (report fields, figures, new sources, tags), so a person fixes
    a form in one pass rather than one section per try."""
    errors: dict[str, list[str]] = {}
    current = {f: getattr(report, f) for f in REPORT_FIELDS} if report else {}
    place = None
    checks = [
        lambda: clean_report_fields(current | fields),
        lambda: clean_tags(tags),
        lambda: _clean_new_sources(new_sources),
    ]
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


def _transition(*, report, actor, action, note="", expected_version=None, check=None) -> Report:
    from . import tasks

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
            publication.follow_report(locked)
        entry = _record(
            report=locked,
            actor=actor,
            action=action,
            from_status=old_status,
            to_status=new_status,
            note=note,
        )
        if action == Action.SUBMIT:
            _queue(tasks.notify_moderators_of_submission, locked.pk)
        else:
            _queue(tasks.notify_submitter_of_decision, entry.pk)
    report.refresh_from_db()
    return report


def _require_moderator(actor):
    if not permissions.is_moderator(actor):
        raise NotPermitted("Only a moderator can do this.")


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"note": f"{what} is required."})
    if len(text) > MAX_NOTES:
        raise ValidationError({"note": f"At most {MAX_NOTES:,} characters."})
    return text


def report_submit(*, report: Report, actor, expected_version: int | None = None) -> Report:
    def check(locked):
        if not permissions.can_submit_for(actor, locked.organization):
            raise NotPermitted(f"You cannot submit reports for {locked.organization}.")
        if locked.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
            if not locked.figures.exists():
                raise ActionRefused("Add at least one figure before submitting.")
            if not locked.sources.exists():
                raise ActionRefused(
                    "Cite at least one source before submitting (your own observation counts: "
                    "add a source of type 'Direct observation by a field partner')."
                )

    return _transition(
        report=report,
        actor=actor,
        action=Action.SUBMIT,
        expected_version=expected_version,
        check=check,
    )


def report_approve(
    *, report: Report, actor, note: str = "", expected_version: int | None = None
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
    *, report: Report, actor, reason: str, expected_version: int | None = None
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
    *, report: Report, actor, message: str, expected_version: int | None = None
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
    *, report: Report, actor, reason: str, expected_version: int | None = None
) -> Report:
    _require_moderator(actor)
    return _transition(
        report=report,
        actor=actor,
        action=Action.RETRACT,
        note=_require_text(reason, "A reason"),
        expected_version=expected_version,
    )


# --- events ----------------------------------------------------------------------------------


def event_create(*, actor, name: str, description: str = "") -> Event:
    _require_moderator(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the event."})
    if len(name) > 200:
        raise ValidationError({"name": "At most 200 characters."})
    return Event.objects.create(
        name=name, description=(description or "").strip(), created_by=actor
    )


def report_link_event(
    *, report: Report, event: Event | None, actor, expected_version: int | None = None
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


def event_set_reference_figure(
    *, event: Event, figure: Figure, actor, expected_version: int | None = None
) -> EventReferenceFigure:
    """Mark the figure the event counts for its metric, replacing any earlier choice.
    `expected_version` is that of the figure's report, as the moderator saw it."""
    _require_moderator(actor)
    try:
        with transaction.atomic():
            # The event row serialises choices for one event; the report is re-read under lock
            # so a figure whose report has just left the event is not accepted.
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


def _replace_reference(*, event, figure, report, actor) -> EventReferenceFigure:
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


# --- moderation in bulk, and events started from the review page ----------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one report of a bulk action: done, or refused and why."""

    report_id: int
    done: bool
    message: str


BULK_DECISIONS = {"approve": "approved", "reject": "rejected"}


def reports_decide(*, actor, decision: str, items, note: str = "") -> list[Outcome]:
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


@transaction.atomic
def event_create_linking(*, actor, name: str, description: str = "", reports=()) -> Event:
    """Start an event and link reports to it: (report, expected version) pairs. All or
    nothing: if one report cannot be linked, no event is left behind."""
    event = event_create(actor=actor, name=name, description=description)
    for report, version in reports:
        report_link_event(report=report, event=event, actor=actor, expected_version=version)
    return event
