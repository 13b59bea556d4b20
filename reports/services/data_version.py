"""Bumping the version of the public data (reports.models.DataVersion): called inside the
transaction of every change that can change what a public page shows, so a page cached under
the old number is never served once the change is committed, and never before."""

from django.db.models import F

from ..models import DataVersion


def data_version_bump() -> None:
    """Add one to the data version, in the caller's transaction. One UPDATE (no read, so no
    lost bump between two changes at once); it holds the row's lock until the transaction
    ends, so callers bump before the summaries' own locks (reports.aggregates), always in the
    same order. The row comes back if a test's flush removed it."""
    if not DataVersion.objects.filter(pk=1).update(n=F("n") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"n": 1})
