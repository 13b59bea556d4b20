"""What follows a place renamed or moved in the gazetteer (by its admin or an import): the
public records of the approved reports filed there, and the counting summaries when a place
moved to another parent. The gazetteer imports nothing from reports."""

from collections.abc import Iterable
from typing import NamedTuple

from gazetteer.importer import FileResult
from gazetteer.models import Place

from .. import aggregates, publication
from .data_version import data_version_bump


class Followed(NamedTuple):
    records: int  # public records of approved reports changed
    moved: int  # places holding figures counted under a former parent (every total recounted)


def places_follow_gazetteer_import(*, results: Iterable[FileResult]) -> Followed:
    """After a gazetteer import: the places it renamed or re-pointed (the importer's results).
    The public records of the reports placed there follow; when a place moved to another
    parent, the totals above it change, and every summary is rebuilt
    (aggregates.follow_moved_places)."""
    results = list(results)
    followed = publication.follow_gazetteer_import(results)
    # After the public records' locks on the reports: the services' lock order (docs/caching.md).
    data_version_bump()  # names, places and the area list the pages show
    # Only the places given another parent or level: a rename moves no figure (looking under
    # every renamed place took 0.5 s at 300,000 reports for nothing).
    pcodes = {pcode for result in results for pcode in result.moved_pcodes}
    moved = aggregates.follow_moved_places(
        Place.objects.filter(pcode__in=pcodes).values_list("pk", flat=True) if pcodes else []
    )
    return Followed(followed, len(moved))


def places_follow_renames(*, place_ids: Iterable[int]) -> int:
    """After places were renamed or moved by hand (the Place admin). Returns how many public
    records changed."""
    followed = publication.follow_places(place_ids)
    data_version_bump()
    return followed
