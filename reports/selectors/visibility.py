"""THE "who sees what": what the public may see of a report and its sources, and what a
person may open or cite. Views, exports, the API and publication ask here (docs/domain.md)."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop

from .. import permissions
from ..models import (
    ContextEvent,
    Event,
    Organization,
    Party,
    PublicReport,
    Report,
    ReportHistory,
    Source,
)
from ..types import Viewer
from ..vocabulary import (
    LocationPrecision,
    SourceType,
)
from ..workflow import Action, Status

# How a confidential source is named outside the moderation area: by its type only. English
# in files and stored records; a page translates it (public_source_label(reader=True)).
CONFIDENTIAL_LABELS: dict[str, str] = {
    SourceType.NEWS_MEDIA: gettext_noop("confidential media source"),
    SourceType.UN_INGO: gettext_noop("confidential UN or international NGO source"),
    SourceType.LOCAL_CSO: gettext_noop("confidential local source"),
    SourceType.PARTY_TO_CONFLICT: gettext_noop("confidential source (party to the conflict)"),
    SourceType.GOVERNMENT: gettext_noop("confidential government source"),
    SourceType.FIELD_OBSERVATION: gettext_noop("confidential field observation"),
}


def public_reports() -> QuerySet[Report]:
    return (
        Report.objects.filter(status=Status.APPROVED)
        .select_related("place")
        .prefetch_related("figures", "sources", "tags")  # type: ignore[misc]  # taggit is untyped
    )


def public_events() -> QuerySet[Event]:
    """Events with at least one approved report: any other event is answered publicly exactly
    as one that does not exist (its reports are unapproved work)."""
    approved = Report.objects.filter(status=Status.APPROVED, event=OuterRef("pk"))
    return Event.objects.filter(Exists(approved))


def public_records() -> QuerySet[PublicReport]:
    """The approved reports' public records (reports.publication keeps one per approved
    report, built with public_point and public_source_label below), by report id."""
    return PublicReport.objects.all()


def public_source_label(source: Source, reader: bool = False) -> str:
    """How a source may be named outside the moderation area; a party to the conflict is
    labelled as one. `reader`: on a page, in its reader's language (its date too); files and
    stored records keep English."""
    if source.is_confidential:
        label = CONFIDENTIAL_LABELS[source.source_type]
        return gettext(label) if reader else label
    if not reader:
        label = str(source)
        return f"{label} (party to the conflict)" if source.has_conflict_of_interest else label
    label = source.reader_label()
    if source.has_conflict_of_interest:
        return gettext("%(source)s (party to the conflict)") % {"source": label}
    return label


def public_source_url(source: Source) -> str:
    """A source's web address as the public may see it: none for a confidential source."""
    return "" if source.is_confidential else source.url


def public_context_events() -> QuerySet[ContextEvent]:
    """Context events (operations, offensives) are public as soon as a moderator saves them:
    only moderators keep them, from what was published. Their sources are shown through
    public_source_label and public_source_url, never otherwise."""
    return ContextEvent.objects.select_related("area").prefetch_related("sources")


def public_claim(source: Source, perpetrator: Party | None) -> str:
    """What kind of claim a source attributing the harm makes, as far as the public may know:
    "self" (a party to the conflict about itself), "party" (a party to the conflict about
    another party, or about an unknown one), "" otherwise. A confidential source shows only
    its type, so never which party issued it: its claim is "party" at most."""
    if not source.has_conflict_of_interest:
        return ""
    if not source.is_confidential and perpetrator is not None and source.party_id == perpetrator.pk:
        return "self"
    return "party"


def public_attribution_label(
    source: Source, perpetrator: Party | None, reader: bool = False
) -> str:
    """How a source that attributes the harm is named publicly: its public label, and for a
    party to the conflict whose claim it is ("claimed by KNDF itself")."""
    label = public_source_label(source, reader)
    claim = public_claim(source, perpetrator)
    if claim == "self":
        return gettext("%(source)s: claimed by %(party)s itself") % {
            "source": label,
            "party": perpetrator.short_name or perpetrator.name,  # type: ignore[union-attr]
        }
    if claim == "party" and not source.is_confidential:
        return gettext("%(source)s: a claim by a party to the conflict") % {"source": label}
    return label


def public_point(report: Report) -> tuple[Decimal | None, Decimal | None]:
    """The (latitude, longitude) the public may see: the exact point only once a moderator
    released it, otherwise the place's representative point."""
    if report.latitude is not None and report.point_released:
        return report.latitude, report.longitude
    return report.place.latitude, report.place.longitude


def public_location_precision(report: Report) -> str:
    """How precisely the public may know where it happened: until a moderator releases the
    point, the place only (and not whether a point was recorded)."""
    return report.location_precision if report.point_released else LocationPrecision.PLACE.value


def reports_of_own_organization(user: Viewer) -> QuerySet[Report]:
    """The reports a person may open with everything in them (internal notes, sources by
    name, history): a moderator, any; a field partner, their organisation's in every status;
    anyone else, none. Other organisations' approved reports reach partners only in their
    public shape, through public_reports()."""
    reports = Report.objects.select_related("place", "organization")
    if permissions.is_moderator(user):
        return reports
    if not permissions.is_field_partner(user):
        return reports.none()
    organization = permissions.organization_of(user)
    return reports.filter(organization=organization)


def sources_of_organization(organization: Organization) -> QuerySet[Source]:
    """The sources added for an organisation (Source.organization), its confidential ones
    included, whoever of its people added them and wherever they are now: for an API client of
    that organisation to cite them again, once the API's HasSubmitScope has
    found that it may act for it. Never another organisation's: their confidential sources
    are theirs alone."""
    return Source.objects.filter(organization=organization)


def sources_citable_by(user: Viewer) -> QuerySet[Source]:
    """Sources a person may pick from when filing a report: a moderator, any; a field
    partner, those added for their organisation (not those they added for one they have
    left) and the public ones (_public). Another organisation's confidential source is never
    offered, so its name cannot leak; nor is a source only unapproved reports cite, whose
    title, date and address would tell what another organisation is documenting before a
    moderator approves any of it."""
    if permissions.is_moderator(user):
        return Source.objects.all()
    if not permissions.is_field_partner(user):
        return Source.objects.none()
    organization = permissions.organization_of(user)
    return Source.objects.filter(Q(organization=organization) | _public())


def _public() -> Q:
    """Sources anyone may cite: not confidential, and either a moderator's (they belong to no
    organisation: the list moderators keep for everyone, of published sources) or read in
    full by the public already (cited by an approved report, or by a context event, public
    once a moderator saves it). Not another organisation's that only unapproved reports cite:
    its title, date and address would tell what that organisation is documenting before a
    moderator approves any of it."""
    return Q(is_confidential=False) & (Q(organization=None) | cited_publicly())


def cited_publicly() -> Q:
    """Sources the public reads (in full, or by type when confidential): cited by an approved
    report, or by a context event (public once a moderator saves it)."""
    approved = Report.sources.through.objects.filter(
        source_id=OuterRef("pk"), report__status=Status.APPROVED
    )
    in_context = ContextEvent.sources.through.objects.filter(source_id=OuterRef("pk"))
    return Q(Exists(approved)) | Q(Exists(in_context))


def kept_token(report_id: int, source_id: int) -> str:
    """What stands for a source its reader may not cite on report `report_id` (another
    organisation's confidential source a moderator added): drawn from the deployment's secret
    for this report and source, so the same source on two reports has two unrelated tokens.
    The report form offers it by this value, and the report's sources list it in this order."""
    digest = salted_hmac("reports.forms.kept-source", f"{report_id}:{source_id}").hexdigest()
    return KEPT + digest[:24]


KEPT = "kept-"


def in_kept_order(report_id: int, sources: Iterable[Source]) -> list[Source]:
    """Sources kept on a report that its reader may not cite, in the one order they are
    shown in (their tokens'), which tells nothing of their dates, names or creation."""
    return sorted(sources, key=lambda source: kept_token(report_id, source.pk))


def sources_as_seen_by(user: Viewer, report: Report) -> list[dict[str, Any]]:
    """A report's sources for someone who may open the report, in the page's language: by
    name and address when they may cite the source themselves or it is not confidential;
    otherwise (say, another organisation's confidential source a moderator added) by its
    public label only, after the others and in an order drawn for this report (kept_token).
    In the sources' own order (by publication date, then name) its place among the others
    would tell its date and name, and the same place on two reports that they rest on one
    informant."""
    sources = list(report.sources.all())
    citable = set(
        sources_citable_by(user).filter(pk__in=[s.pk for s in sources]).values_list("pk", flat=True)
    )
    full = [s for s in sources if s.pk in citable or not s.is_confidential]
    kept = in_kept_order(report.pk, (s for s in sources if s not in full))
    return [
        {
            "source": source,
            "type": source.get_source_type_display(),
            "name": source.reader_label() if shown else public_source_label(source, reader=True),
            "url": source.url if shown else "",
            "confidential": source.is_confidential,
            "kept": not shown,
        }
        for shown, group in ((True, full), (False, kept))
        for source in group
    ]


def moderator_messages(report: Report) -> QuerySet[ReportHistory]:
    """The decisions on a report that carry a message for its submitter, newest first."""
    return report.history.filter(
        action__in=[Action.REQUEST_CHANGES, Action.REJECT, Action.RETRACT, Action.APPROVE]
    ).order_by("-created_at", "-id")


def released_points(
    report_ids: Iterable[int], limit: int
) -> list[tuple[int, str, Decimal, Decimal]]:
    """(id, title, latitude, longitude) of the approved reports among these whose exact point a
    moderator released (public_point above): the only exact points a public map may show. At
    most `limit`, lowest id first."""
    rows = (
        Report.objects.filter(
            pk__in=list(report_ids),
            status=Status.APPROVED,
            point_released=True,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", "title", "latitude", "longitude")[:limit]
    )
    return [
        (pk, title, lat, lon) for pk, title, lat, lon in rows if lat is not None and lon is not None
    ]
