"""Which context events (operations, offensives) belong beside a question's numbers: those
whose days overlap the question's period and whose area overlaps the question's area, that is
contains it or lies within it. A sibling area (Operation 1027 in northern Shan beside a Kayah
question) does not: the timeline says what happened around the numbers, not next door."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from gazetteer.models import Place

from ..models import ContextEvent, Source
from .visibility import public_context_events, public_source_label, public_source_url


def context_events_for(
    area: Place | None, start: date | None, end: date | None
) -> QuerySet[ContextEvent]:
    """The context events overlapping [start, end] (either open) within or around `area`
    (None: every area), oldest first."""
    events = public_context_events()
    if end is not None:
        events = events.filter(start_date__lte=end)
    if start is not None:
        events = events.filter(
            Q(end_date__gte=start) | Q(end_date__isnull=True, start_date__gte=start)
        )
    if area is not None:
        around = area.ancestor_pcodes + [area.pcode]
        events = events.filter(Q(area__pcode__in=around) | Q(area__path__startswith=area.path))
    return events.order_by("start_date", "name", "pk")


@dataclass(frozen=True)
class PublicSource:
    label: str
    url: str


def sources_in_public_order(event: ContextEvent) -> list[Source]:
    """A context event's sources in the order the public sees them: the public ones by date,
    then the confidential ones by their type label only, so that their place in the list
    tells nothing of their dates or names (as a report's sources, docs/api.md)."""
    sources = list(event.sources.all())
    public = sorted(
        (s for s in sources if not s.is_confidential),
        key=lambda s: (s.published_on or date.min, s.name, s.public_id),
    )
    confidential = sorted(
        (s for s in sources if s.is_confidential), key=lambda s: public_source_label(s)
    )
    return public + confidential


def public_sources_of(event: ContextEvent) -> list[PublicSource]:
    """A context event's sources as the public may see them (confidential ones by type only)."""
    return [
        PublicSource(public_source_label(s), public_source_url(s))
        for s in sources_in_public_order(event)
    ]
