"""Bumping the version of the public data (reports.models.DataVersion): called inside the
transaction of every change that can change what a public page shows, so a page cached under
the old number is never served once the change is committed, and never before."""

import time

from django.db.models import F, Value
from django.db.models.functions import Greatest

from ..models import DataVersion


def data_version_bump() -> None:
    """Move the data version on, in the caller's transaction: one UPDATE (no read, so two
    changes at once never both write the same number), which holds the row's lock until the
    transaction ends. Callers bump after locking the reports they change (and after
    reports.publication's follow_*, which locks reports too) and before the summaries'
    advisory locks (reports.aggregates), so every transaction takes its locks in one order.

    The new number is the old one plus one, or the time in microseconds if that is more: a
    database restored from a backup, or a test's rolled-back one, never hands out again a
    number a shared cache already holds pages of other data under. The row comes back if a
    flush removed it."""
    now = Value(time.time_ns() // 1000)
    if not DataVersion.objects.filter(pk=1).update(n=Greatest(F("n") + 1, now)):
        DataVersion.objects.get_or_create(pk=1, defaults={"n": now.value})
