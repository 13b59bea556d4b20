"""When the database gives up on a transaction because of the others running at that moment
(PostgreSQL: a deadlock, a serialisation failure, a lock not available; SQLite: "database is
locked"), the whole transaction was rolled back and doing it again is safe. The services that
take many locks (moderation, edits of approved reports, events, separations, sources, tags)
are retried a few times; what still fails says so to the person instead of a server error
(reports.middleware.BusyDatabase for pages, reports.api.errors for the API). A service called
inside a transaction of its caller's is not retried (only the outermost can be): the Django
admin's change forms save inside their own, so an edit there that meets a deadlock answers the
503 page at once; the admin's actions call the services one report at a time, and are."""

import functools
import random
import time
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

from .exceptions import Busy

# PostgreSQL's SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
ATTEMPTS = 3
# Seconds a page or the API asks a client to wait (Retry-After) when the retries are spent.
RETRY_AFTER_SECONDS = 5
BUSY_MESSAGE = (
    "Others were changing the same records at that moment and the change could not be "
    "made. Nothing was saved: try again."
)

P = ParamSpec("P")
R = TypeVar("R")


def is_transient(error: BaseException) -> bool:
    """Whether a database error is one that doing the same transaction again may not meet."""
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in TRANSIENT_SQLSTATES
    return "database is locked" in str(error)


def retried_when_busy(service: Callable[P, R]) -> Callable[P, R]:
    """The service, done again (up to ATTEMPTS times, after a short random pause) when the
    database rolled its transaction back for a transient reason; then Busy. Inside a caller's
    transaction it runs once: only the outermost transaction can be done again. Arguments given
    as one-pass iterators (generators) are read into lists first, so a second attempt sees
    them whole."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            return service(*args, **kwargs)
        # One-pass iterators read once, so that every attempt sees them whole.
        kwargs = {k: list(v) if isinstance(v, Iterator) else v for k, v in kwargs.items()}  # type: ignore[assignment]
        for attempt in range(1, ATTEMPTS):
            try:
                return service(*args, **kwargs)
            except OperationalError as error:
                if not is_transient(error):
                    raise
            time.sleep(random.uniform(0.02, 0.1) * attempt)  # noqa: S311 - not a secret
        try:
            return service(*args, **kwargs)
        except OperationalError as error:
            if is_transient(error):
                raise Busy(BUSY_MESSAGE) from error
            raise

    return run
