"""The parties to the conflict moderators keep: adding and correcting them. A party's slug
never changes (links, filters and partners' mirrors name the party by it); a new name shows in
the public records of the reports alleging it or citing a source it issued."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import publication
from ..figures import text
from ..models import Party, PartyKind
from ..models.parties import RESERVED_SLUGS
from ..types import Actor
from ._shared import _attributed, _require_moderator
from .data_version import data_version_bump

PARTY_FIELDS = ("name", "name_my", "short_name", "kind", "description")


def _clean_party(
    *, name: Any, name_my: Any, short_name: Any, kind: Any, description: Any, party: Party | None
) -> dict[str, Any]:
    errors = {}
    cleaned = {
        "name": text(name),
        "name_my": text(name_my),
        "short_name": text(short_name),
        "kind": text(kind) or PartyKind.OTHER,
        "description": text(description),
    }
    if not cleaned["name"]:
        errors["name"] = _("Name the party.")
    elif len(cleaned["name"]) > 200:
        errors["name"] = _("At most %(n)s characters.") % {"n": 200}
    elif (
        Party.objects.filter(name__iexact=cleaned["name"])
        .exclude(pk__in=[party.pk] if party else [])
        .exists()
    ):
        errors["name"] = _("There is already a party named %(name)r.") % {"name": cleaned["name"]}
    if len(cleaned["name_my"]) > 200:
        errors["name_my"] = _("At most %(n)s characters.") % {"n": 200}
    if len(cleaned["short_name"]) > 40:
        errors["short_name"] = _("At most %(n)s characters.") % {"n": 40}
    if cleaned["kind"] not in PartyKind.values:
        errors["kind"] = _("Unknown kind %(value)r; choose from %(choices)s.") % {
            "value": cleaned["kind"][:40],
            "choices": ", ".join(PartyKind.values),
        }
    if len(cleaned["description"]) > 4000:
        errors["description"] = _("At most %(n)s characters.") % {"n": "4,000"}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_slug(given: Any, cleaned: dict[str, Any]) -> str:
    made: str = slugify(text(given) or cleaned["short_name"] or cleaned["name"])
    slug = made[:60].strip("-")
    if not slug:
        raise ValidationError({"slug": _("Give a short name in Latin letters, e.g. kndf.")})
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            {"slug": _("%(slug)r is kept for the filters: choose another.") % {"slug": slug}}
        )
    if Party.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": _("The short name %(slug)r is taken by another party.") % {"slug": slug}}
        )
    return slug


def check_party(*, party: Party | None, **fields: Any) -> dict[str, Any]:
    """The checks party_create/party_update make of these fields (for the admin's form)."""
    return _clean_party(party=party, **fields)


@transaction.atomic
def party_create(
    *,
    actor: Actor,
    name: str,
    name_my: str = "",
    short_name: str = "",
    kind: str = PartyKind.OTHER,
    description: str = "",
    slug: str = "",
) -> Party:
    """A new party to the conflict; its slug (from `slug`, else its short name, else its
    name) names it in links, filters and the API, and never changes."""
    _require_moderator(actor)
    cleaned = _clean_party(
        name=name,
        name_my=name_my,
        short_name=short_name,
        kind=kind,
        description=description,
        party=None,
    )
    party = _attributed(Party(**cleaned, slug=_clean_slug(slug, cleaned)), actor)
    party.full_clean()
    party.save()
    data_version_bump()  # the perpetrator list of the dashboard's question
    return party


def party_update(
    *,
    actor: Actor,
    party: Party,
    name: str,
    name_my: str,
    short_name: str,
    kind: str,
    description: str,
) -> Party:
    """Correct a party (every field given; the slug stays); the public records of the
    reports that show it follow in the same transaction."""
    _require_moderator(actor)
    cleaned = _clean_party(
        name=name,
        name_my=name_my,
        short_name=short_name,
        kind=kind,
        description=description,
        party=party,
    )
    with transaction.atomic():
        before = Party.objects.select_for_update().get(pk=party.pk)
        changed = [field for field, value in cleaned.items() if getattr(before, field) != value]
        if not changed:
            return party
        for field, value in cleaned.items():
            setattr(party, field, value)
        party.full_clean()
        _attributed(party, actor).save()
        publication.follow_party(party)
        data_version_bump()  # after the public records' locks on the reports
    return party
