"""Facets: the narrowed pools of evidence the summaries are kept for, so that a question
filtered by one cause, one source type or one tag is read from its own summary rows instead of
recounting the base tables.

A filtered question chooses each event's figure among the matching reports only (rule 2 within
the narrowed evidence), covers only among them (rule 5), and so on: it is the whole engine run
on a smaller pool. The summaries hold that run for every facet a report belongs to:

- ""             every approved report (the unfiltered questions);
- "c:<cause>"    the reports of one cause or means;
- "s:<type>"     the reports citing at least one source of that type;
- "t:<tag>"      the reports carrying that tag (lower case: the question matches any case);
- "p:<party>"    the reports alleging that party (its slug) as the perpetrator,
                 "p:unknown" those whose sources say the perpetrator is not known, and
                 "p:none" those stating none, for the harm metrics only (FACET_METRICS:
                 nearly every report states none, and the IHL view asks it of harm alone;
                 a question of another metric with perpetrator=none is read from the base
                 tables);
- "n:<cause>"    the reports of one cause stating no perpetrator, for the harm metrics only:
                 the one combination kept, the IHL view filtered by a cause asks it for its
                 "not stated" column, and it is nearly all of that cause's reports (from the
                 base tables it took 4 to 9 s at a million reports).

A question filtered by an event, or by more than one of these at once (but a cause with
perpetrator=none), is answered from the base tables (from_base_tables.py): an event's reports
are few, and combinations are too many to keep."""

import hashlib
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from taggit.models import Tag

from ..models import NOT_STATED, UNKNOWN, Report
from ..models.summaries import FACET_LENGTH
from ..vocabulary import HARM_METRICS
from ..workflow import Status
from .question import Question

EVERYTHING = ""
NOT_STATED_FACET = f"p:{NOT_STATED}"
# A cause's reports stating no perpetrator: "n:<cause>".
CAUSE_NOT_STATED = "n"
# The facets kept for some metrics only (every other facet holds every metric).
FACET_METRICS: dict[str, frozenset[str]] = {NOT_STATED_FACET: frozenset(HARM_METRICS)}


def kept_metrics(facet: str) -> frozenset[str] | None:
    """The metrics a facet's summary rows count, when not every one."""
    if facet.startswith(f"{CAUSE_NOT_STATED}:"):
        return FACET_METRICS[NOT_STATED_FACET]
    return FACET_METRICS.get(facet)


def facet_holds(facet: str, metric: str) -> bool:
    """Whether the facet's summary rows count this metric."""
    held = kept_metrics(facet)
    return held is None or metric in held


ReportSource = Report.sources.through
ReportTag = Report.tags.through


def tag_facet(name: str) -> str:
    """A tag's facet: its name with spaces folded, in lower case; a name that lower case makes
    longer than a facet may be is named by its hash instead."""
    facet = f"t:{' '.join(name.split()).lower()}"
    if len(facet) > FACET_LENGTH:
        facet = f"t#{hashlib.sha256(facet.encode()).hexdigest()}"
    return facet


def matching_tags(asked: str) -> list[int]:
    """The ids of the tags a question by tag matches: the same facet (tags are few; one rule
    for the summaries and the base tables, whatever the database's idea of case)."""
    wanted = tag_facet(asked)
    return [pk for pk, name in Tag.objects.values_list("pk", "name") if tag_facet(name) == wanted]


def facet_of(question: Question) -> str | None:
    """The facet whose summary rows answer the question; None when none does (an event,
    several filters at once, or a metric its facet is not kept for)."""
    if question.event is not None:
        return None
    if question.destination is not None or question.by is not None:
        return None  # where people went: answered from the base tables only
    chosen = [
        f"{prefix}:{value}"
        for prefix, value in (("c", question.cause), ("s", question.source_type))
        if value
    ]
    if question.tag:
        chosen.append(tag_facet(question.tag))
    if question.perpetrator:
        chosen.append(f"p:{question.perpetrator}")
    if chosen == [f"c:{question.cause}", NOT_STATED_FACET]:
        chosen = [f"{CAUSE_NOT_STATED}:{question.cause}"]
    if len(chosen) > 1:
        return None
    facet = chosen[0] if chosen else EVERYTHING
    held = kept_metrics(facet)
    if held is not None and not (question.metrics and held.issuperset(question.metrics)):
        return None  # a facet kept for some metrics answers a question of those alone
    return facet


def narrow(figures: QuerySet, question: Question) -> QuerySet:
    """Figures (of approved reports) narrowed by the question's filters."""
    if question.cause:
        figures = figures.filter(report__cause=question.cause)
    if question.tag:
        # The tagged items by their own index: a join from the report would cast their
        # object id and read them all.
        figures = figures.filter(
            report_id__in=_tagged(matching_tags(question.tag)).values("object_id")
        )
    if question.source_type:
        figures = figures.filter(
            Exists(
                ReportSource.objects.filter(
                    report_id=OuterRef("report_id"), source__source_type=question.source_type
                )
            )
        )
    if question.perpetrator:
        figures = figures.filter(perpetrator_condition(question.perpetrator, "report__"))
    if question.event:
        figures = figures.filter(report__event_id=question.event)
    return figures


def perpetrator_condition(asked: str, prefix: str = "") -> Q:
    """The reports (or, with prefix "report__", figures) of one alleged perpetrator: a party's
    slug, or "unknown"."""
    if asked == UNKNOWN:
        return Q(**{f"{prefix}perpetrator_unknown": True})
    if asked == NOT_STATED:
        return Q(**{f"{prefix}perpetrator__isnull": True, f"{prefix}perpetrator_unknown": False})
    return Q(**{f"{prefix}perpetrator__slug": asked})


def perpetrator_facet(slug: str | None, unknown: bool) -> str:
    """The facet of a report's alleged perpetrator ("p:none": not stated)."""
    if slug:
        return f"p:{slug}"
    return f"p:{UNKNOWN}" if unknown else NOT_STATED_FACET


def question_of(facet: str) -> Question:
    """The filters a facet stands for, and the metrics it holds (none named: every one)."""
    if not facet:
        return Question()
    prefix, value = facet.split(":", 1)
    return Question(
        cause=value if prefix in ("c", CAUSE_NOT_STATED) else None,
        source_type=value if prefix == "s" else None,
        tag=value if prefix == "t" else None,
        perpetrator=value if prefix == "p" else NOT_STATED if prefix == CAUSE_NOT_STATED else None,
        metrics=tuple(sorted(kept_metrics(facet) or ())),
    )


def _tagged(tags: list[int]) -> QuerySet:
    """The tagged-item rows of reports with any of these tags (by the content type's id: a
    join to the content types misled the planner into expecting 50 times fewer rows)."""
    return ReportTag.objects.filter(
        tag_id__in=tags, content_type=ContentType.objects.get_for_model(Report)
    )


def _tags_of(reports: QuerySet) -> QuerySet:
    """The tagged-item rows of these reports."""
    return ReportTag.objects.filter(
        object_id__in=reports.values("pk"),
        content_type__app_label="reports",
        content_type__model="report",
    )


def all_facets() -> set[str]:
    """Every facet the approved reports belong to, always with the unfiltered one."""
    approved = Report.objects.filter(status=Status.APPROVED)
    found = {EVERYTHING}
    found |= {
        f"c:{c}" for c in approved.exclude(cause="").values_list("cause", flat=True).distinct()
    }
    found |= {
        f"s:{t}"
        for t in ReportSource.objects.filter(report__in=approved.values("pk"))
        .values_list("source__source_type", flat=True)
        .distinct()
    }
    names = _tags_of(approved).values_list("tag__name", flat=True).distinct()
    found |= {tag_facet(name) for name in names}
    found |= _perpetrator_facets(
        approved.order_by()
        .values_list("cause", "perpetrator__slug", "perpetrator_unknown")
        .distinct()
    )
    return found


def _perpetrator_facets(rows: Iterable[tuple[str, str | None, bool]]) -> set[str]:
    """The facets of reports by (cause, perpetrator's slug, perpetrator unknown): the
    perpetrator's, and a cause's stating none."""
    found = set()
    for cause, slug, unknown in rows:
        found.add(perpetrator_facet(slug, unknown))
        if cause and not slug and not unknown:
            found.add(f"{CAUSE_NOT_STATED}:{cause}")
    return found


def facets_by_report(reports: QuerySet) -> dict[int, set[str]]:
    """The facets of each of these approved reports, the unfiltered one included: what
    all_facets() gives for all of them, report by report. Two queries (a change followed by
    the summaries asks this for a few reports, twice when figures cover them): each report with
    its cause, its perpetrator and its sources' types (a row per source), then its tags (by
    the tagged items' own index: a join from the report casts their object id and reads them
    all)."""
    approved = Report.objects.filter(status=Status.APPROVED, pk__in=reports).order_by()
    found: dict[int, set[str]] = {}
    for pk, cause, slug, unknown, source_type in approved.values_list(
        "pk", "cause", "perpetrator__slug", "perpetrator_unknown", "sources__source_type"
    ):
        if pk not in found:
            found[pk] = {EVERYTHING} | ({f"c:{cause}"} if cause else set())
            found[pk] |= _perpetrator_facets([(cause, slug, unknown)])
        if source_type is not None:
            found[pk].add(f"s:{source_type}")
    for pk, name in _tags_of(approved).values_list("object_id", "tag__name"):
        found[pk].add(tag_facet(name))
    return found


def reports_in_events(keys: Iterable[str]) -> Q:
    """The reports of these event keys ("e<id>", "r<id>"), as a condition on Report."""
    event_ids = [int(k[1:]) for k in keys if k.startswith("e")]
    report_ids = [int(k[1:]) for k in keys if k.startswith("r")]
    return Q(event_id__in=event_ids) | Q(event__isnull=True, pk__in=report_ids)


# Every tag facet sorts from "t" up to (not including) "u", whatever the database's collation
# ("t:<tag>", "t#<hash>"); every other facet begins with another letter, or is empty.
_TAG_FACETS_FROM, _TAG_FACETS_BEFORE = "t", "u"


def _tag_facets_counted() -> set[str]:
    """The tag facets the summaries hold rows for: the tags of approved reports with figures.
    A loose index scan (one probe of EventCount's facet-led index per tag, not a read of its
    rows), on PostgreSQL and SQLite alike."""
    from ..models.summaries import EventCount

    table = connection.ops.quote_name(EventCount._meta.db_table)
    sql = f"""
        WITH RECURSIVE found(facet) AS (
            SELECT MIN(facet) FROM {table} WHERE facet >= %s AND facet < %s
            UNION ALL
            SELECT (SELECT MIN(e.facet) FROM {table} e WHERE e.facet > found.facet
                    AND e.facet < %s)
            FROM found WHERE found.facet IS NOT NULL
        )
        SELECT facet FROM found WHERE facet IS NOT NULL"""  # noqa: S608 - a table name
    with connection.cursor() as cursor:
        cursor.execute(sql, [_TAG_FACETS_FROM, _TAG_FACETS_BEFORE, _TAG_FACETS_BEFORE])
        return {facet for (facet,) in cursor.fetchall() if facet.startswith(("t:", "t#"))}


def public_tag_names() -> list[str]:
    """The tags a public question may be filtered by, one spelling per facet (a question by tag
    matches any case), sorted: read from the summaries, which follow every approval,
    retraction, edit and change of tags in the same transaction, so no scan of the reports' tags.
    A tag carried only by unapproved reports is never offered (a tag's name can itself be
    sensitive); where several spellings share a facet, only those an approved report carries
    are candidates."""
    counted = _tag_facets_counted()
    if not counted:
        return []
    spellings: dict[str, list[tuple[int, str]]] = {}
    for pk, name in Tag.objects.values_list("pk", "name"):
        facet = tag_facet(name)
        if facet in counted:
            spellings.setdefault(facet, []).append((pk, name))
    several = [pk for names in spellings.values() if len(names) > 1 for pk, _ in names]
    approved_spellings: set[int] = set()
    if several:
        tagged_approved = _tags_of(Report.objects.filter(status=Status.APPROVED)).filter(
            tag_id=OuterRef("pk")
        )
        approved_spellings = set(
            Tag.objects.filter(pk__in=several)
            .filter(Exists(tagged_approved))
            .values_list("pk", flat=True)
        )
    chosen = []
    for names in spellings.values():
        if len(names) > 1:
            names = [(pk, name) for pk, name in names if pk in approved_spellings]
        if names:
            chosen.append(min(name for _, name in names))
    return sorted(chosen)
