"""The public record of each approved report: the one public shape of a report, the JSON the
partner API serves, kept in PublicReport and rebuilt in the same transaction as every change."""

import contextlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder
from taggit.models import Tag

from gazetteer.importer import FileResult
from gazetteer.models import Place
from reports import figures as figure_text
from reports import selectors
from reports.models import Event, Figure, Party, PublicReport, Report, Source
from reports.vocabulary import MEASURE, Cause, Metric
from reports.workflow import Status

BATCH = 2000
T = TypeVar("T")

_date = serializers.DateField().to_representation
_datetime = serializers.DateTimeField().to_representation


def _optional(value: T | None, convert: Callable[[T], Any]) -> Any:
    return None if value is None else convert(value)


# --- the public shape ----------------------------------------------------------------------------


def place_in_report_data(place: Place) -> dict[str, Any]:
    return {
        "pcode": place.pcode,
        "admin_level": place.admin_level,
        "kind": place.kind,
        "name": place.english_name,
        "name_local": place.name_local,
    }


def source_data(source: Source, reader: bool = False) -> dict[str, Any]:
    """A source's public shape (`reader`: its label for a page, in the reader's language)."""
    if source.is_confidential:
        return {
            "id": None,
            "source_type": source.source_type,
            "label": selectors.public_source_label(source, reader),
            "is_confidential": True,
            "conflict_of_interest": source.has_conflict_of_interest,
            "name": None,
            "title": None,
            "url": None,
            "published_on": None,
            "language": None,
        }
    return {
        "id": source.public_id,  # never the database id (Source.public_id)
        "source_type": source.source_type,
        "label": selectors.public_source_label(source, reader),
        "is_confidential": False,
        "conflict_of_interest": source.has_conflict_of_interest,
        "name": source.name,
        "title": source.title,
        "url": source.url or None,
        "published_on": _optional(source.published_on, _date),
        "language": source.language,
    }


def sources_data(sources: Iterable[Source], reader: bool = False) -> list[dict[str, Any]]:
    """A report's sources in their public shape and in an order that says nothing of the
    confidential ones: the public sources first (newest first, by name: the sources' order),
    then the confidential ones by label. In the sources' own order a confidential source's
    place among the others would give away its publication date and name."""
    shown = [source_data(source, reader) for source in sources]
    return [s for s in shown if not s["is_confidential"]] + sorted(
        (s for s in shown if s["is_confidential"]),
        key=lambda s: (s["label"], s["source_type"], s["conflict_of_interest"]),
    )


def figure_data(figure: Figure, metric_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": figure.pk,
        "metric": figure.metric,
        "metric_name": metric_names[figure.metric],
        "measure": MEASURE[Metric(figure.metric)].value,
        "qualifier": figure.qualifier,
        "value": figure.value,
        "value_min": figure.value_min,
        "value_max": figure.value_max,
        "unit": figure.unit,
        "household_size": figure.household_size,
        "count_low": figure.count_low,
        "count_best": figure.count_best,
        "count_high": figure.count_high,
        "women": figure.women,
        "men": figure.men,
        "girls": figure.girls,
        "boys": figure.boys,
        "as_reported": figure_text.describe(figure),
        "destination": destination_data(figure),
    }


def destination_data(figure: Figure) -> dict[str, Any] | None:
    """Where the people of a displacement figure went (a gazetteer place), or None."""
    place = figure.destination
    if place is None:
        return None
    return {"pcode": place.pcode, "name": place.english_name, "admin_level": place.admin_level}


def _related(report: Report, name: str) -> Any:
    """The report's list prefetched by _loaded() (to_attr "public_<name>"), or its manager's."""
    items = getattr(report, f"public_{name}", None)
    return items if items is not None else getattr(report, name).all()


def report_data(report: Report, metric_names: dict[str, str] | None = None) -> dict[str, Any]:
    """One approved report in its public shape, without `updated_at` (the time its document
    last changed, which only the document knows)."""
    metric_names = metric_names or {m: str(label) for m, label in Metric.choices}
    latitude, longitude = selectors.public_point(report)
    event = report.event
    return {
        "id": report.pk,
        "title": report.title,
        "start_date": _date(report.start_date),
        "end_date": _optional(report.end_date, _date),
        "date_precision": report.date_precision,
        "place": place_in_report_data(report.place),
        "latitude": _optional(latitude, float),
        "longitude": _optional(longitude, float),
        "location_precision": selectors.public_location_precision(report),
        "cause": report.cause,
        "cause_name": str(Cause(report.cause).label) if report.cause else None,
        "tags": sorted(t.name for t in _related(report, "tags")),
        "public_summary": report.public_summary,
        "event": {"id": event.pk, "name": event.name} if event is not None else None,
        "figures": [figure_data(f, metric_names) for f in _related(report, "figures")],
        "sources": sources_data(_related(report, "sources")),
        "approved_at": _optional(report.approved_at, _datetime),
        "alleged_perpetrator": perpetrator_data(report),
    }


def party_data(party: Party) -> dict[str, Any]:
    return {
        "slug": party.slug,
        "name": party.name,
        "name_my": party.name_my,
        "short_name": party.short_name,
        "kind": party.kind,
    }


def perpetrator_data(report: Report, reader: bool = False) -> dict[str, Any]:
    """The alleged perpetrator, publicly: "code" a party's slug, "unknown", or null (not
    stated); the party; and the sources that attribute it, each in its public shape with
    its label saying whose claim it is ("claim": "self", "party" or "")."""
    party = report.perpetrator
    attributing = _related(report, "perpetrator_sources")
    sources = [
        source_data(source, reader)
        | {
            "label": selectors.public_attribution_label(source, party, reader),
            "claim": selectors.public_claim(source, party),
        }
        for source in attributing
    ]
    return {
        "code": report.perpetrator_code or None,
        "party": party_data(party) if party is not None else None,
        "sources": [s for s in sources if not s["is_confidential"]]
        + sorted(
            (s for s in sources if s["is_confidential"]),
            key=lambda s: (s["label"], s["source_type"], s["claim"]),
        ),
    }


def render(data: dict[str, Any], changed_at: datetime) -> str:
    """The document's text, exactly as DRF's JSONRenderer writes it (compact, UTF-8)."""
    return json.dumps(
        data | {"updated_at": _datetime(changed_at)},
        cls=JSONEncoder,
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    )


def _loaded(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Approved reports with everything their documents show, in a handful of queries."""
    return (
        reports.filter(status=Status.APPROVED)
        .select_related("place", "event", "perpetrator")
        .prefetch_related(
            Prefetch(
                "figures",
                queryset=Figure.objects.select_related("destination"),
                to_attr="public_figures",
            ),
            Prefetch("sources", to_attr="public_sources"),
            Prefetch(
                "perpetrator_sources",
                queryset=Source.objects.select_related("party"),
                to_attr="public_perpetrator_sources",
            ),
            Prefetch("tags", to_attr="public_tags"),
        )
        .order_by("pk")
    )


def _built(
    report_ids: list[int], stored: dict[int, PublicReport] | None = None
) -> dict[int, dict[str, Any]]:
    """The documents of these reports that are approved; `stored`: filled with each one's kept
    record, read in the same query (a join on the record's primary key)."""
    reports = _loaded(Report.objects.filter(pk__in=report_ids))
    if stored is not None:
        reports = reports.select_related("public_record")
    built = {}
    # Labels in the site's language whatever the request's: a data feed must not change its
    # words with the reader's browser (the codes beside them are what programs should read).
    with translation.override("en"):
        names = {m: str(label) for m, label in Metric.choices}
        for report in reports:
            built[report.pk] = report_data(report, names)
            if stored is not None:
                with contextlib.suppress(PublicReport.DoesNotExist):
                    stored[report.pk] = report.public_record
    return built


# --- keeping the documents -----------------------------------------------------------------------
# Kept, not built per request: a page of 100 reports built from the base tables is ~500 model
# instances and a third of a second of a busy server's time; served from here it is one
# indexed query and a join of strings. A kept document also knows when it last changed as the
# public sees it: renaming a source, an event, a tag or a place changes the document of every
# report that shows it, and so moves its `changed_at`, which partners' mirrors sync on.
# Who calls what (no signals): the services follow_reports() after any change to an approved
# report or a transition into or out of approval; the admin pages and the gazetteer import
# (through services.places_*) follow the sources, events, tags and places they edit;
# `manage.py rebuild_public_records [--check]` runs rebuild() / verify().


def follow_reports(report_ids: Iterable[int], *, held: bool = False) -> int:
    """Bring these reports' documents up to date: written (with a new changed_at) where the
    public shape differs, removed where the report is no longer approved. Call it inside the
    transaction that changed them; `held`: it holds these reports' row locks already (the
    services lock a report before changing it). Returns how many documents were written or
    removed."""
    ids = sorted(set(report_ids))
    if not ids:
        return 0
    touched = 0
    # Within the caller's transaction, no savepoint of its own (two round trips): an error
    # undoes the caller's whole change anyway.
    with transaction.atomic(savepoint=False):
        for start in range(0, len(ids), BATCH):
            touched += _follow_batch(ids[start : start + BATCH], held)
    return touched


def _follow_batch(ids: list[int], held: bool = False) -> int:
    _lock(ids, held)
    stored: dict[int, PublicReport] = {}
    built = _built(ids, stored)
    now = timezone.now()
    written: list[PublicReport] = []
    for pk, data in built.items():
        record = stored.get(pk)
        if record is not None and render(data, record.changed_at) == record.document:
            continue
        # One microsecond apart: the API pages by changed_at, and DRF's cursor copes with a
        # few records sharing one time but not with thousands (a rename touching many
        # reports, a rebuild): past 1,000 its pages repeat.
        changed_at = now + timedelta(microseconds=len(written))
        written.append(
            PublicReport(report_id=pk, changed_at=changed_at, document=render(data, changed_at))
        )
    PublicReport.objects.bulk_create(
        written,
        update_conflicts=True,
        unique_fields=["report"],
        update_fields=["changed_at", "document"],
    )
    # The records of reports no longer approved go, without reading them first.
    gone = [pk for pk in ids if pk not in built]
    removed = PublicReport.objects.filter(pk__in=gone).delete()[0] if gone else 0
    return len(written) + removed


def _lock(ids: list[int], held: bool = False) -> None:
    """Lock what the documents are built from before reading it, in the services' order:
    the reports' rows (id order; `held`: the caller holds them already), then the sources they
    cite and their events. A report being approved or edited and a source being made
    confidential (or an event renamed) at the same moment then wait for each other, and
    whichever builds last reads the other's change: no document can keep a name that has just
    become confidential."""
    if not held:
        list(
            Report.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    cited = Report.sources.through.objects.filter(report_id__in=ids).values("source_id")
    sources = Source.objects.select_for_update().filter(pk__in=cited).order_by("pk")
    linked = Report.objects.filter(pk__in=ids, event__isnull=False).values("event_id")
    events = Event.objects.select_for_update().filter(pk__in=linked).order_by("pk")
    if connection.vendor == "postgresql":
        # Both in one statement (PostgreSQL evaluates a select list left to right: the
        # sources, then the events). Its snapshot is taken once the reports are locked, so it
        # reads their sources and events as they stand: whoever changes those locks them first.
        parts = [qs.values("pk").query.sql_with_params() for qs in (sources, events)]
        # Django's own SQL of the two querysets, its values passed as parameters.
        counts = ", ".join(f"(SELECT count(*) FROM ({sql}) locked)" for sql, _ in parts)  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {counts}",  # noqa: S608
                [param for _, params in parts for param in params],
            )
        return
    list(sources.values_list("pk", flat=True))
    list(events.values_list("pk", flat=True))


def lock_reports_citing(
    source: Source | None = None, *, event: Event | None = None, tag: Tag | None = None
) -> None:
    """Before a source, event or tag row is changed: lock the reports that show it, in id
    order, so the change takes its locks in the services' order (reports, then sources, events
    and tags) and cannot deadlock with a report being approved or edited at the same moment."""
    reports = Report.objects.select_for_update().order_by("pk")
    if source is not None:
        reports = reports.filter(sources=source)
    elif tag is not None:
        reports = reports.filter(tags__pk=tag.pk)
    else:
        reports = reports.filter(event=event)
    list(reports.values_list("pk", flat=True))


def follow_report(report: Report, *, held: bool = False) -> int:
    """A report changed; `held`: the caller holds its row lock (the services' _lock), and
    `report` is the row as its transaction wrote it. A report so held that is no longer
    approved has no document: its record goes without anything else read or locked (a
    retraction)."""
    if held and report.status != Status.APPROVED:
        return PublicReport.objects.filter(pk=report.pk).delete()[0]
    return follow_reports([report.pk], held=held)


def follow_source(source: Source) -> int:
    """A source's name, title, type, date, language or confidentiality changed."""
    return follow_reports(
        source.reports.filter(status=Status.APPROVED).values_list("pk", flat=True)
    )


def follow_event(event: Event) -> int:
    """An event was renamed."""
    return follow_reports(event.reports.filter(status=Status.APPROVED).values_list("pk", flat=True))


def follow_party(party: Party) -> int:
    """After a party was renamed: the reports alleging it, and those citing a source it
    issued."""
    return follow_reports(
        Report.objects.filter(Q(perpetrator=party) | Q(sources__party=party))
        .values_list("pk", flat=True)
        .distinct()
    )


def follow_places(place_ids: Iterable[int]) -> int:
    """Places were renamed or moved to another point (admin or gazetteer import)."""
    reports = Report.objects.filter(place_id__in=list(place_ids), status=Status.APPROVED)
    return follow_reports(reports.values_list("pk", flat=True))


def follow_gazetteer_import(results: Iterable[FileResult]) -> int:
    """The places a gazetteer import renamed or re-pointed (gazetteer.importer's results)."""
    pcodes = {pcode for result in results for pcode in result.updated_pcodes}
    if not pcodes:
        return 0
    return follow_places(Place.objects.filter(pcode__in=pcodes).values_list("pk", flat=True))


def follow_tag(tag: Tag) -> int:
    """A tag was renamed."""
    reports = Report.objects.filter(tags__pk=tag.pk, status=Status.APPROVED)
    return follow_reports(reports.values_list("pk", flat=True))


# --- from scratch, and checking ------------------------------------------------------------------


def _approved_ids() -> list[int]:
    return list(
        Report.objects.filter(status=Status.APPROVED).order_by("pk").values_list("pk", flat=True)
    )


def rebuild(progress: Callable[[int, int], object] | None = None) -> int:
    """Rebuild every document (only those that differ get a new changed_at); remove those of
    reports no longer approved. Returns how many were written or removed. For maintenance
    (after a bulk load or a restore): batch by batch, each in its own short transaction with
    the same locks as follow_reports(), so a change committed meanwhile is never overwritten
    by a document built before it."""
    ids = _approved_ids()
    touched = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            touched += _follow_batch(ids[start : start + BATCH])
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    with transaction.atomic():
        stale = PublicReport.objects.exclude(report__status=Status.APPROVED)
        touched += stale.delete()[0]
    return touched


def verify() -> list[str]:
    """What differs between the kept documents and documents built now (empty when exact)."""
    problems = []
    ids = _approved_ids()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        built = _built(batch)
        stored = {
            pk: (changed_at, document)
            for pk, changed_at, document in PublicReport.objects.filter(pk__in=batch).values_list(
                "pk", "changed_at", "document"
            )
        }
        for pk, data in built.items():
            if pk not in stored:
                problems.append(f"report #{pk} is approved but has no public record")
            elif render(data, stored[pk][0]) != stored[pk][1]:
                problems.append(f"report #{pk}: its public record is out of date")
    for pk in PublicReport.objects.exclude(report__status=Status.APPROVED).values_list(
        "pk", flat=True
    ):
        problems.append(f"report #{pk} is not approved but has a public record")
    return problems
