"""The version of the public data (reports.models.DataVersion) as a reader sees it."""

from ..models import DataVersion


def current_data_version() -> int:
    """The data version committed so far (0 before the first). Read it BEFORE the data a cached
    thing is built from: a change committed in between then only makes the thing newer than
    its number, never older."""
    return DataVersion.objects.filter(pk=1).values_list("n", flat=True).first() or 0
