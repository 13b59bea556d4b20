"""Public pages' fragments kept under the data version (reports.models.DataVersion): a
dashboard, an embed or a briefing asked again before any change to the data is served from the
cache named "pages" (settings.CACHES; docs/caching.md) instead of being counted and drawn again.

Only what every visitor sees alike is kept: never the page around it (the language form's CSRF
token, the signed-in person's name and menu), nothing a moderator sees differently. A key holds
everything a fragment depends on: the data version, read before the data; the language; the
site's address (the absolute links and embed snippets); the day (in the tracker's time zone);
and the page's own GET parameters as received, so two spellings of one question are two entries
but never one entry for two questions."""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import get_language

from reports.selectors.data_version import current_data_version

T = TypeVar("T")

logger = logging.getLogger(__name__)

# Raised when the markup of a kept fragment changes (the release stamp below changes with it
# anyway).
FRAGMENT_FORMAT = 1

# The parameters these pages read: the question's (aggregates.parse_question) and the pages'
# own. A request with any other (a link shared with ?fbclid=..., a framing site's cache-buster)
# is answered without the cache: otherwise every made-up parameter would be a new entry and a
# new count, and a loop of them would fill a shared cache.
PAGE_PARAMETERS = frozenset(
    {
        "start", "end", "area", "metric", "cause", "tag", "source_type", "event", "level",
        "period", "destination", "by", "perpetrator",  # the question
        "sort", "map", "lang", "pcode",  # the pages
    }
)  # fmt: skip


@lru_cache(maxsize=1)
def release_stamp() -> str:
    """What the code that makes the fragments is, read once per process: the templates, the
    catalogues, the static files' manifest (kept pages link hashed file names) and the Python
    that counts and shapes. A shared cache outlives a deployment and, during a rolling restart,
    is read by old and new code at once; a new release never serves an old release's page."""
    digest = hashlib.sha256(str(FRAGMENT_FORMAT).encode())
    base = Path(settings.BASE_DIR)
    files = [
        *sorted((base / "templates").rglob("*.html")),
        *sorted(p for root in settings.LOCALE_PATHS for p in Path(root).rglob("*.mo")),
        *sorted((base / "reports").rglob("*.py")),
        *sorted((base / "gazetteer").rglob("*.py")),
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]
    for path in files:
        if path.is_file():
            digest.update(
                str(path.relative_to(base) if path.is_relative_to(base) else path).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cacheable(request, parameters: frozenset[str] = frozenset()) -> bool:
    """Whether every GET parameter is one the page reads (PAGE_PARAMETERS, or its own
    `parameters`)."""
    return all(name in PAGE_PARAMETERS or name in parameters for name in request.GET)


def fragment_key(request, kind: str, *parts: object, asked: str | None = None) -> str:
    """The cache key of the fragment `kind` of this request's page, under the current data
    version (read now: call this before reading the data the fragment is built from). `asked`:
    the question as the page reads it, in place of the parameters as received."""
    version = current_data_version()
    params = (
        sorted((key, value) for key, values in request.GET.lists() for value in values)
        if asked is None
        else asked
    )
    described = repr(
        (
            kind,
            get_language() or "",
            request.scheme,
            request.get_host(),
            timezone.localdate().isoformat(),
            # Settings the pages' words and numbers follow, in case a shared cache outlives
            # a restart with others.
            settings.TIME_ZONE,
            settings.TRACKER_STOCK_STALE_DAYS,
            settings.GAZETTEER_LOCAL_LANGUAGE,
            params,
            parts,
        )
    )
    digest = hashlib.sha256(described.encode()).hexdigest()
    return f"tracker:pages:{release_stamp()}:{version}:{kind}:{digest}"


def kept(
    request,
    kind: str,
    build: Callable[[], T],
    *parts: object,
    parameters: frozenset[str] = frozenset(),
) -> T:
    """The fragment `kind` of this request's page: the one kept under its key, or build() kept
    now (None is never kept: build() returns None for what must not be cached, e.g. an
    error). `parameters`: the page's own GET parameters besides PAGE_PARAMETERS."""
    if not cacheable(request, parameters):
        return build()
    cache = caches["pages"]
    key = fragment_key(request, kind, *parts)
    value = cache.get(key)
    return _built_and_kept(cache, key, build) if value is None else value


def _built_and_kept(cache, key: str, build: Callable[[], T]) -> T:
    value = build()
    if value is not None:
        cache.set(key, value)
    return value


# Cache backends a worker process cannot read from or write to for the web processes.
_PROCESS_LOCAL = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
# The value of a page's mark (below) once the worker has failed to make it, and for how long
# the page is said to have failed before it is queued again.
FAILED = "failed"
FAILED_SECONDS = 300
# The places in the worker's queue (TRACKER_PAGES_QUEUED of them), each taken by one page
# queued and not yet made: "<prefix><n>" holds its key until it is made or the mark expires.
_SLOT_PREFIX = "tracker:pages:slot:"


def worker_can_prepare() -> bool:
    """Whether a page may be made by the Celery worker instead of in the request: a real
    worker (a broker is set: tasks are not run in the request) and a "pages" cache shared with
    it (TRACKER_CACHE_URL, Redis in deploy/). The embedded default has neither."""
    return (
        not settings.CELERY_TASK_ALWAYS_EAGER
        and settings.CACHES["pages"]["BACKEND"] not in _PROCESS_LOCAL
    )


def _mark_key(key: str) -> str:
    return f"{key}:preparing"


def queued_seconds() -> int:
    """How long a page queued for the worker is taken to be on its way (its mark and its place
    in the queue): long enough for it to wait behind every other page queued, one at a time
    (a worker of their own, TRACKER_PAGES_QUEUE), and be made. A page lost with its worker is
    queued again after it, and its task expires then (apply_async's `expires`), so that a
    queue no worker takes does not fill up."""
    return (settings.TRACKER_PAGES_QUEUED + 1) * settings.CELERY_TASK_TIME_LIMIT


@dataclass(frozen=True)
class Waiting:
    """A page not ready: `failed` when the worker could not make it (asked again after a few
    minutes), `busy` when too many pages are queued to queue one more."""

    failed: bool = False
    busy: bool = False

    @property
    def later(self) -> bool:
        """Whether the page is not on its way (failed or busy): ask again later."""
        return self.failed or self.busy


def prepared(
    request,
    kind: str,
    asked: str,
    build: Callable[[], T],
    *,
    slow: Callable[[], bool],
    queue: Callable[[str, str], None],
) -> T | Waiting:
    """kept(), for a page that can take longer to count than a web process may wait (the IHL
    view filtered at a million reports: up to a minute; gunicorn gives a request 30 s), keyed
    by `asked`, the question as the page reads it, so that parameters it ignores or spells
    differently are one page. A page not yet kept that is `slow()` (asked only then) and that
    the worker can prepare (worker_can_prepare()) is queued once (`queue(key, release)`; the
    task's other arguments are the caller's) and the request that queued it waits up to
    TRACKER_PAGE_WAIT_SECONDS for it; others, and that one after the wait, get Waiting (the
    caller answers "being counted"; asked again once the worker has kept it, the page is
    served). At most TRACKER_PAGES_QUEUED pages wait for the worker at once. Any other page,
    or any page when the broker cannot be reached, is built in the request and kept."""
    if not cacheable(request):
        return build()
    cache = caches["pages"]
    key = fragment_key(request, kind, asked=asked)
    value = cache.get(key)
    if value is not None:
        return value
    if not worker_can_prepare() or not slow():
        return _built_and_kept(cache, key, build)
    mark = cache.get(_mark_key(key))
    if mark is not None:
        return Waiting(failed=mark == FAILED)
    if not cache.add(_mark_key(key), 1, timeout=queued_seconds()):
        return Waiting()  # another request queued it a moment ago
    if not _take_slot(cache, key):
        cache.delete(_mark_key(key))
        return Waiting(busy=True)
    try:
        queue(key, release_stamp())
    except Exception:  # the broker cannot be reached: counted here, as without a worker
        cache.delete(_mark_key(key))
        _leave_queue(cache, key)
        logger.exception("Could not queue the page %s; counting it in the request.", key)
        return _built_and_kept(cache, key, build)
    deadline = time.monotonic() + settings.TRACKER_PAGE_WAIT_SECONDS
    pause = 0.05
    while time.monotonic() < deadline:
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        value = cache.get(key)
        if value is not None:
            return value
        pause = min(pause * 2, 0.5)
    return Waiting()


def _take_slot(cache, key: str) -> bool:
    """Whether one more page may be queued; if so it takes a free place in the queue. Each
    place is taken by an add(), atomic in a shared cache (Redis: SET NX), as the page's mark
    is: two requests at once never both take the last one."""
    return any(
        cache.add(f"{_SLOT_PREFIX}{n}", key, timeout=queued_seconds())
        for n in range(settings.TRACKER_PAGES_QUEUED)
    )


def _leave_queue(cache, key: str) -> None:
    """The page's place in the queue freed (it was made, failed or not sent)."""
    for n in range(settings.TRACKER_PAGES_QUEUED):
        if cache.get(f"{_SLOT_PREFIX}{n}") == key:
            cache.delete(f"{_SLOT_PREFIX}{n}")
            return


def make_prepared(key: str, release: str, build: Callable[[], object]) -> None:
    """The worker's part of prepared(): build() kept under the request's key. Nothing is made
    for a request of another release (a rolling deployment: its page would be served by the
    web processes of this one) or once the page is kept; the mark is cleared for the next
    request to queue it again. A build() that fails marks the page failed for a few minutes
    (the request says so rather than queue it again and again)."""
    cache = caches["pages"]
    try:
        if release == release_stamp() and cache.get(key) is None:
            _built_and_kept(cache, key, build)
        cache.delete(_mark_key(key))
    except Exception:
        cache.set(_mark_key(key), FAILED, timeout=FAILED_SECONDS)
        raise
    finally:
        _leave_queue(cache, key)
