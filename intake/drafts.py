"""Draft reports from the moderator's intake screen: the figures a moderator accepted, grouped
into drafts, created through the report services in one transaction, each citing the article
(and the organisations the article quotes) and keeping the original text as evidence."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gazetteer.models import Place
from reports import permissions
from reports.exceptions import NotPermitted
from reports.models import (
    Evidence,
    EvidenceChannel,
    EvidenceKind,
    Organization,
    Party,
    Report,
    Source,
    SubmissionKey,
)
from reports.models.evidence import evidence_storage
from reports.services import evidence as evidence_services
from reports.services import report_create, source_create
from reports.types import Actor
from reports.validation import (
    MAX_NOTES,
    clean_figures,
    clean_perpetrator,
    clean_report_fields,
)
from reports.vocabulary import SourceType

# What the screen keeps of each figure's sentence in the draft's internal notes.
SENTENCE_IN_NOTES = 500
# Text kinds the evidence store keeps as TEXT; anything else is checked by content as any
# uploaded evidence is (a PDF).
TEXT_TYPES = {"text/plain", "text/html"}
KEY = re.compile(r"[A-Za-z0-9_]{8,56}")
FIGURE_PREFIX = re.compile(r"^Figure \d+: ")


@dataclass(frozen=True)
class ArticleSource:
    """The article or account itself: who published it, when, its title and address."""

    name: str
    source_type: str
    published_on: date | None
    title: str = ""
    url: str = ""
    language: str = ""
    # An account from a partner or an informant: the public sees only its type.
    is_confidential: bool = False


@dataclass(frozen=True)
class Original:
    """What the screen received, byte for byte: kept as evidence with each draft."""

    content: bytes
    name: str
    content_type: str


@dataclass(frozen=True)
class AcceptedFigure:
    """One accepted row of the screen, as the moderator left it. `row` is the number the
    screen shows, used in every error message."""

    row: int
    metric: str
    qualifier: str
    value: int | None
    low: int | None
    high: int | None
    unit: str
    place: Place | None
    start_date: date | None
    end_date: date | None
    date_precision: str
    cause: str = ""
    perpetrator: str = ""  # a party's slug, "unknown", or "" (not stated)
    source_name: str = ""
    source_type: str = ""
    sentence: str = ""


def _row_error(row: int, field: str, message: str) -> dict[str, list[str]]:
    return {
        f"rows.{row}.{field}": [_("Row %(row)s: %(message)s") % {"row": row, "message": message}]
    }


def _group_fields(number: int, figures: Sequence[AcceptedFigure]) -> dict[str, list[str]]:
    """A draft has one place, one span, one cause and one alleged perpetrator: the rows put
    into it must agree on them (a figure counts only in periods holding all its report's
    dates, so figures of different spans are never merged silently)."""
    errors: dict[str, list[str]] = {}
    first = figures[0]
    for figure in figures[1:]:
        for field, label in (
            ("place", _("place")),
            ("start_date", _("start date")),
            ("end_date", _("end date")),
            ("date_precision", _("date precision")),
        ):
            if getattr(figure, field) != getattr(first, field):
                errors |= _row_error(
                    figure.row,
                    field,
                    _(
                        "draft %(group)s holds row %(first)s with another %(field)s: give this "
                        "row the same %(field)s or another draft number."
                    )
                    % {"group": number, "first": first.row, "field": label},
                )
        for field, label in (("cause", _("cause")), ("perpetrator", _("alleged perpetrator"))):
            mine, theirs = getattr(figure, field), _first_stated(figures, field)
            if mine and theirs and mine != theirs:
                errors |= _row_error(
                    figure.row,
                    field,
                    _(
                        "draft %(group)s already has another %(field)s: make them agree or "
                        "give this row another draft number."
                    )
                    % {"group": number, "field": label},
                )
    return errors


def _first_stated(figures: Sequence[AcceptedFigure], field: str) -> str:
    return next((getattr(f, field) for f in figures if getattr(f, field)), "")


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _party_named(name: str) -> Party | None:
    for party in Party.objects.all():
        if any(_same(name, label) for label in (party.name, party.short_name, party.name_my)):
            return party
    return None


class _Sources:
    """The article's source, made once, and one source per organisation the article quotes
    (by name and type), made once each and shared by the drafts citing it."""

    def __init__(self, actor: Actor, article: ArticleSource):
        self.actor, self.article = actor, article
        self.made: dict[tuple[str, str], Source] = {}

    def article_source(self) -> Source:
        return self.named(
            self.article.name, self.article.source_type, confidential=self.article.is_confidential
        )

    def of(self, figure: AcceptedFigure) -> Source:
        name = figure.source_name.strip() or self.article.name
        source_type = figure.source_type or self.article.source_type
        article = (self.article.name.casefold(), self.article.source_type)
        if (name.casefold(), source_type) == article:
            return self.article_source()
        return self.named(name, source_type)

    def named(self, name: str, source_type: str, *, confidential: bool = False) -> Source:
        key = (name.casefold(), source_type)
        if key not in self.made:
            self.made[key] = source_create(
                actor=self.actor,
                source_type=source_type,
                name=name,
                # A quoted organisation is cited as the article tells it: its headline and
                # address are the article's, which is where a reader finds the statement.
                title=self.article.title,
                url=self.article.url,
                published_on=self.article.published_on,
                language=self.article.language,
                is_confidential=confidential,
                party=_party_named(name) if source_type == SourceType.PARTY_TO_CONFLICT else None,
            )
        return self.made[key]


def _checked_original(original: Original) -> evidence_services.CheckedFile:
    """The original as evidence: text and HTML as TEXT (the evidence checks know only photos,
    PDFs, audio and video by content), anything else checked by content like any upload."""
    stream = io.BytesIO(original.content)
    name = evidence_services.clean_name(original.name)
    content_type = original.content_type.split(";")[0].strip().lower()
    if content_type not in TEXT_TYPES:
        return evidence_services.check_file(stream, name=name, field="original")
    size = len(original.content)
    if not 0 < size <= evidence_services.max_bytes():
        raise ValidationError({"original": _("The original text is empty or too large to keep.")})
    return evidence_services.CheckedFile(
        stream,
        size,
        hashlib.sha256(original.content).hexdigest(),
        content_type,
        EvidenceKind.TEXT,
        name,
    )


def _title(article: ArticleSource, place: Place | None, start: date | None) -> str:
    # The title is public once approved: it never names the source, which may be confidential
    # (and one name on many titles would tell that those reports rest on one informant).
    title = _("%(place)s, %(when)s") % {
        "place": place.display_name if place else "",
        "when": f"{start.day} {start:%b %Y}" if start else "",
    }
    return title[:200]


def _notes(article: ArticleSource, figures: Sequence[AcceptedFigure]) -> str:
    lines = [
        _("Drafted on the intake screen from %(source)s%(title)s.")
        % {"source": article.name, "title": f": “{article.title}”" if article.title else ""}
    ]
    for figure in figures:
        sentence = " ".join(figure.sentence.split())[:SENTENCE_IN_NOTES]
        if sentence:
            lines.append(f"{_('Row %(row)s') % {'row': figure.row}}: “{sentence}”")
    return "\n".join(lines)[:MAX_NOTES]


def _figure(figure: AcceptedFigure) -> dict[str, Any]:
    data: dict[str, Any] = {"metric": figure.metric, "qualifier": figure.qualifier}
    if figure.unit:
        data["unit"] = figure.unit
    if figure.qualifier == "range":
        data |= {"value": None, "value_min": figure.low, "value_max": figure.high}
    else:
        data |= {"value": figure.value, "value_min": None, "value_max": None}
    return data


def _service_errors(
    exc: ValidationError, figures: Sequence[AcceptedFigure], prefix: str = ""
) -> dict[str, list[str]]:
    """The report services' errors ("figures.2.value", "place") named by the screen's rows."""
    errors: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] == "figures" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1]) - 1
            rows = [figures[index]] if 0 <= index < len(figures) else list(figures)
            field = parts[2]
        else:
            rows, field = list(figures), prefix + key
        for figure in rows:
            for message in messages:
                # "Figure 2: ..." counts the draft's figures; the screen counts its rows.
                message = FIGURE_PREFIX.sub("", message)
                for name, listed in _row_error(figure.row, field, message).items():
                    errors.setdefault(name, []).extend(listed)
    return errors


def drafts_create(
    *,
    actor: Actor,
    source: ArticleSource,
    groups: Sequence[Sequence[AcceptedFigure]],
    original: Original,
    organization: Organization | None = None,
    key: str = "",
) -> list[Report]:
    """One draft report per group of accepted figures, owned by `actor` (a moderator) and
    filed for `organization` (default: the actor's own), all or none: every group is validated
    and the first error stops nothing else from being checked, so the moderator sees every
    problem at once, named by row. `key` (8-56 letters, digits or _; the screen sends one per
    extraction) makes the call idempotent: a second call with the same key returns the drafts
    the first one made.
    Raises NotPermitted, or ValidationError keyed "rows.N.field" (or "organization",
    "original", "groups")."""
    if not permissions.is_moderator(actor):
        raise NotPermitted(_("Only moderators can create drafts from the intake screen."))
    organization = organization or permissions.organization_of(actor)
    if organization is None or not organization.is_active:
        raise ValidationError(
            {"organization": _("Choose the organisation the drafts are filed for.")}
        )
    key = key or uuid.uuid4().hex
    if not KEY.fullmatch(key):
        raise ValidationError({"key": _("This form has expired or was altered: start again.")})
    earlier = _earlier(actor, key)
    if earlier:
        return earlier
    groups = [list(group) for group in groups if group]
    if not groups:
        raise ValidationError({"groups": _("Accept at least one figure to create a draft.")})
    errors: dict[str, list[str]] = {}
    for number, figures in enumerate(groups, start=1):
        errors |= _group_fields(number, figures)
    if errors:
        raise ValidationError(errors)
    checked = _checked_original(original)

    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            sources = _Sources(actor, source)
            reports = []
            for number, figures in enumerate(groups, start=1):
                report = _create_one(
                    actor, organization, source, sources, figures, f"{key}-{number}", errors
                )
                if report is None:
                    continue
                checked.file.seek(0)
                stored += evidence_services.evidence_attach(
                    report=report, actor=actor, files=[checked], channel=EvidenceChannel.FORM
                )
                reports.append(report)
            if errors:
                raise ValidationError(errors)
    except Exception as exc:
        for evidence in stored:
            evidence_storage().delete(evidence.original.name)
        if isinstance(exc, IntegrityError):
            # The same screen sent twice at once: the other request committed first.
            earlier = _earlier(actor, key)
            if earlier:
                return earlier
        raise
    return reports


def _create_one(
    actor: Actor,
    organization: Organization,
    article: ArticleSource,
    sources: _Sources,
    figures: Sequence[AcceptedFigure],
    key: str,
    errors: dict[str, list[str]],
) -> Report | None:
    """One draft through report_create, or None with its errors added to `errors`. Every
    check report_create makes is run first, so that all of a draft's problems are named at
    once rather than the first one only."""
    first = figures[0]
    fields: dict[str, Any] = {
        "title": _title(article, first.place, first.start_date),
        "place": first.place,
        "start_date": first.start_date,
        "end_date": first.end_date,
        "date_precision": first.date_precision,
        "cause": _first_stated(figures, "cause"),
        "internal_notes": _notes(article, figures),
    }
    perpetrator = _first_stated(figures, "perpetrator")
    figure_data = [_figure(figure) for figure in figures]
    found: dict[str, list[str]] = {}
    checks: list[Callable[[], object]] = [
        lambda: clean_report_fields(fields),
        lambda: clean_figures(figure_data, place=first.place),
        lambda: clean_perpetrator(perpetrator),
    ]
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            for name, messages in _service_errors(exc, figures).items():
                found.setdefault(name, []).extend(messages)
    if not found:
        try:
            # Every draft cites the article; a figure the article attributes to someone
            # ("according to the UNHCR") cites them too, and they make the attribution of
            # the harm when their row names who did it.
            cited = list(
                dict.fromkeys([sources.article_source()] + [sources.of(f) for f in figures])
            )
            attributing = list(dict.fromkeys(sources.of(f) for f in figures if f.perpetrator))
        except ValidationError as exc:
            for name, messages in _service_errors(exc, figures, prefix="source_").items():
                found.setdefault(name, []).extend(messages)
    if found:
        for name, messages in found.items():
            errors.setdefault(name, []).extend(messages)
        return None
    report = report_create(
        actor=actor,
        organization=organization,
        figures=figure_data,
        sources=cited,
        perpetrator=perpetrator,
        perpetrator_sources=attributing,
        **fields,
    )
    SubmissionKey.objects.create(user=actor, key=key, report=report, action="intake")
    return report


def _earlier(actor: Actor, key: str) -> list[Report]:
    """The drafts an earlier call with this key made (a double tap, the back button)."""
    used = SubmissionKey.objects.filter(user=actor, key__startswith=f"{key}-").select_related(
        "report"
    )
    return [u.report for u in sorted(used, key=lambda u: int(u.key.rsplit("-", 1)[1]))]
