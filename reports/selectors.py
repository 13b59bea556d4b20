"""Reads that carry the visibility rules of DOMAIN.md. Views, exports and the API ask here,
so what a person may see is decided once."""

from django.db.models import Q, QuerySet

from . import permissions
from .models import Report, Source
from .vocabulary import SourceType
from .workflow import Status

CONFIDENTIAL_LABELS = {
    SourceType.NEWS_MEDIA: "confidential media source",
    SourceType.UN_INGO: "confidential UN or international NGO source",
    SourceType.LOCAL_CSO: "confidential local source",
    SourceType.PARTY_TO_CONFLICT: "confidential source (party to the conflict)",
    SourceType.GOVERNMENT: "confidential government source",
    SourceType.FIELD_OBSERVATION: "confidential field observation",
}


def reports_visible_to(user) -> QuerySet[Report]:
    """Moderators see everything; a field partner sees their organisation's reports in every
    status plus approved ones; everyone else sees approved reports only."""
    reports = Report.objects.select_related("place", "organization")
    if permissions.is_moderator(user):
        return reports
    organization = permissions.organization_of(user)
    if organization is not None and user.has_perm("reports.submit_report"):
        return reports.filter(Q(status=Status.APPROVED) | Q(organization=organization))
    return reports.filter(status=Status.APPROVED)


def public_reports() -> QuerySet[Report]:
    return (
        Report.objects.filter(status=Status.APPROVED)
        .select_related("place")
        .prefetch_related("figures", "sources", "tags")
    )


def public_source_label(source: Source) -> str:
    """How a source may be named outside the moderation area; a party to the conflict is
    labelled as one."""
    if source.is_confidential:
        return CONFIDENTIAL_LABELS[source.source_type]
    if source.has_conflict_of_interest:
        return f"{source} (party to the conflict)"
    return str(source)


def public_point(report: Report):
    """The (latitude, longitude) the public may see: the exact point only once a moderator
    released it, otherwise the place's representative point."""
    if report.latitude is not None and report.point_released:
        return report.latitude, report.longitude
    return report.place.latitude, report.place.longitude
