"""The evidence sections of the partner's report page, the review page and the public
evidence page: each asks reports.services.evidence what the person may see."""

from django import template
from django.conf import settings

from reports.services import evidence as services

register = template.Library()


@register.inclusion_tag("reports/evidence/_files.html", takes_context=True)
def evidence_files(context, report, moderating=False):
    """A report's evidence as its organisation or a moderator sees it, with the file box
    when they may add more."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "report": report,
        "files": list(services.evidence_of(user, report)),
        "can_attach": services.can_attach(user, report),
        "moderating": moderating,
        "publishable": services.PUBLISHABLE,
        "max_mb": settings.TRACKER_EVIDENCE_MAX_BYTES // (1024 * 1024),
        "chunk_bytes": settings.TRACKER_EVIDENCE_CHUNK_BYTES,
    }


@register.inclusion_tag("reports/evidence/_public.html")
def public_evidence(report):
    """The published copies of an approved report (nothing for any other)."""
    files = services.public_evidence().filter(report=report).order_by("published_at", "id")
    return {"files": list(files)}
