"""Sources and tags: adding and correcting them; the public records and the counts of the
approved reports that cite or carry them follow before the change commits."""

from types import EllipsisType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from taggit.models import Tag

from .. import aggregates, permissions, publication, selectors
from ..busy import retried_when_busy
from ..exceptions import NotPermitted
from ..models import Organization, Party, Report, Source
from ..types import Actor
from ..validation import clean_source, clean_source_party
from ..workflow import Status
from ._shared import _attributed, _require_moderator
from .data_version import data_version_bump


def source_create(
    *,
    actor: Actor,
    source_type: str = "",
    name: str = "",
    title: str = "",
    url: str = "",
    published_on: Any = None,
    language: str = "",
    is_confidential: bool = False,
    party: Party | str | None = None,
) -> Source:
    """A new source, cleaned as validation.clean_source says; `party`: the party to the
    conflict that issued it (only for that source type). It belongs to the organisation its
    author files for (Source.organization); a moderator's to none, whatever organisation the
    moderator belongs to: a moderator types in sources for every organisation's reports, and
    an informant one partner gave must not be offered by name to the moderator's own
    organisation. A moderator may give it one afterwards (source_update)."""
    moderates = permissions.is_moderator(actor)
    if not (moderates or permissions.is_field_partner(actor)):
        raise NotPermitted("Only field partners and moderators can add sources.")
    cleaned = clean_source(
        source_type=source_type,
        name=name,
        title=title,
        url=url,
        published_on=published_on,
        language=language,
        is_confidential=is_confidential,
    )
    issuer: Party | None = clean_source_party(party, cleaned["source_type"])
    organization = None if moderates else permissions.organization_of(actor)
    source = Source(**cleaned, party=issuer, created_by=actor, organization=organization)
    _attributed(source, actor)
    source.full_clean()
    source.save()
    return source


def check_source_change(source: Source, *, source_type: str, is_confidential: bool) -> None:
    """Refuse (ValidationError on source_type) to change the type of a confidential source that
    stays confidential while several approved reports cite it: its type is all the public sees
    of it, so every citing report's public record would change at one moment and in the same
    way, showing that they rest on one source (DOMAIN.md, "Visibility and protection")."""
    if not (source.is_confidential and is_confidential) or source_type == source.source_type:
        return
    citing = Report.objects.filter(sources=source, status=Status.APPROVED).count()
    if citing > 1:
        raise ValidationError(
            {
                "source_type": gettext(
                    "This confidential source is cited by %(n)s approved reports: changing its "
                    "type would show publicly that they rest on one source. Correct each report "
                    "instead, citing a new confidential source of the right type."
                )
                % {"n": citing}
            }
        )


@retried_when_busy
def source_update(
    *,
    actor: Actor,
    source: Source,
    source_type: str,
    name: str,
    title: str,
    url: str,
    published_on: Any,
    language: str,
    is_confidential: bool,
    party: Party | None | EllipsisType = ...,
    organization: Organization | None | EllipsisType = ...,
) -> Source:
    """Correct a source, every field given (none defaults: a left-out is_confidential must
    never make a source public), but `party` (which party issued it) and `organization` (the
    one it was added for, whose people may cite it by name), which stay when left out. Reports
    citing it show the change in their public records (only its type, once confidential); a
    new publication date can change which figure an event counts. Its history records each
    change, the organisation's too."""
    _require_moderator(actor)
    cleaned = clean_source(
        source_type=source_type,
        name=name,
        title=title,
        url=url,
        published_on=published_on,
        language=language,
        is_confidential=is_confidential,
    )
    cleaned["party"] = clean_source_party(
        source.party if party is ... else party, cleaned["source_type"]
    )
    if organization is not ...:
        cleaned["organization"] = organization
    with transaction.atomic():
        # The services' lock order: the citing reports first, then the source.
        publication.lock_reports_citing(source)
        before = Source.objects.select_for_update().get(pk=source.pk)
        check_source_change(
            before,
            source_type=cleaned["source_type"],
            is_confidential=cleaned["is_confidential"],
        )
        changed = [field for field, value in cleaned.items() if getattr(before, field) != value]
        for field, value in cleaned.items():
            setattr(source, field, value)
        source.full_clean()
        _attributed(source, actor).save()
        # Only a change the public can see moves the public records, the data version and the
        # summaries: moving the version for another would tell that something not public
        # changed (the mirror file and the kept pages are made again at once).
        if set(changed) - {"organization"} and _seen_changing(before, source):
            publication.follow_source(source)
            data_version_bump()  # its name and address in the briefing's list of sources
            # The publication date can change which figure an event counts (a public source's
            # only); the confidential flag how its citing reports' sources are counted (once
            # per report when confidential); the type which questions by source type its
            # citing reports answer.
            if {"published_on", "is_confidential", "source_type"} & set(changed):
                aggregates.follow_source(source)
    return source


def _seen_changing(before: Source, after: Source) -> bool:
    """Whether the public can see a source change: it is cited by an approved report or a
    context event, and it is not confidential before and after with the same type (all the
    public sees of a confidential source)."""
    hidden = (
        before.is_confidential and after.is_confidential and before.source_type == after.source_type
    )
    return not hidden and Source.objects.filter(selectors.cited_publicly(), pk=after.pk).exists()


@retried_when_busy
def tag_update(*, actor: Actor, tag: Tag, name: str, slug: str) -> Tag:
    """Rename a tag; the approved reports carrying it list the new name publicly."""
    _require_moderator(actor)
    with transaction.atomic():
        # The services' lock order: the reports carrying the tag first, then the tag.
        publication.lock_reports_citing(tag=tag)
        renamed = Tag.objects.select_for_update().get(pk=tag.pk).name != name
        # Spaces folded as report tags are (a question by tag folds them too).
        tag.name, tag.slug = " ".join((name or "").split()), (slug or "").strip()
        tag.full_clean()
        tag.save()
        if renamed:
            publication.follow_tag(tag)
            aggregates.follow_tag(tag)
    return tag
