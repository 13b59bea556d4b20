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
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import get_language

from reports.selectors.data_version import current_data_version

T = TypeVar("T")

# Raised when the markup of a kept fragment changes, so a shared cache (Redis) filled by the
# code before a deployment is not served by the code after it.
FRAGMENT_FORMAT = 1


def fragment_key(request, kind: str, *parts: object) -> str:
    """The cache key of the fragment `kind` of this request's page, under the current data
    version (read now: call this before reading the data the fragment is built from)."""
    version = current_data_version()
    params = sorted((key, value) for key, values in request.GET.lists() for value in values)
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
    return f"tracker:pages:{FRAGMENT_FORMAT}:{version}:{kind}:{digest}"


def kept(request, kind: str, build: Callable[[], T], *parts: object) -> T:
    """The fragment `kind` of this request's page: the one kept under its key, or build() kept
    now (None is never kept: build() returns None for what must not be cached, e.g. an
    error)."""
    cache = caches["pages"]
    key = fragment_key(request, kind, *parts)
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value)
    return value
