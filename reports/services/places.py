"""What follows a place renamed or moved in the gazetteer (by its admin or an import): the
public records of the approved reports filed there. The gazetteer imports nothing from reports."""

from collections.abc import Iterable

from gazetteer.importer import FileResult

from .. import publication
from .data_version import data_version_bump


def places_follow_gazetteer_import(*, results: Iterable[FileResult]) -> int:
    """After a gazetteer import: the places it renamed or re-pointed (the importer's results).
    Returns how many public records changed."""
    followed = publication.follow_gazetteer_import(results)
    # After the public records' locks on the reports: the services' lock order (docs/caching.md).
    data_version_bump()  # names, places and the area list the pages show
    return followed


def places_follow_renames(*, place_ids: Iterable[int]) -> int:
    """After places were renamed or moved by hand (the Place admin). Returns how many public
    records changed."""
    followed = publication.follow_places(place_ids)
    data_version_bump()
    return followed
