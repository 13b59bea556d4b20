"""API keys on a request: recognising one (DRF authentication, with a short read cache),
counting each client's use per day, and the permission each scope grants."""

import atexit
import logging
import threading
import time
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from reports import permissions as domain_permissions
from reports.keys import cache_key, secret_matches, split_secret
from reports.models import ApiClient, ApiUsage

logger = logging.getLogger(__name__)

KEYWORDS = ("api-key", "bearer")


class UsageCounter:
    """Requests counted in this process and written to ApiUsage (and the client's
        last_used_at) in one UPDATE per client and day at most every
        TRACKER_API_USAGE_FLUSH_SECONDS, and when the process exits: two committed writes per
        request were half of an API request's time. Counts from several processes add up in the
        database. Counts wait for the next request after that interval or the process's exit, so
    a process killed outright (SIGKILL, out of memory) loses what it had not written yet."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: dict[tuple[int, date], int] = {}
        self._last_used: dict[int, datetime] = {}
        self._flushed = time.monotonic()

    def add(self, client: ApiClient) -> None:
        now = timezone.now()
        key = (client.pk, now.date())
        with self._lock:
            self._pending[key] = self._pending.get(key, 0) + 1
            self._last_used[client.pk] = now
            due = time.monotonic() - self._flushed >= settings.TRACKER_API_USAGE_FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            last_used, self._last_used = self._last_used, {}
            self._flushed = time.monotonic()
        if not pending:
            return
        try:
            with transaction.atomic():
                for (client_id, day), requests in sorted(pending.items()):
                    _add_usage(client_id, day, requests)
                for client_id, moment in sorted(last_used.items()):
                    ApiClient.objects.filter(
                        Q(last_used_at__isnull=True) | Q(last_used_at__lt=moment), pk=client_id
                    ).update(last_used_at=moment)
        except DatabaseError:
            # Counted again at the next flush; a request is never failed for its count.
            logger.exception("API usage could not be written; keeping it for the next flush")
            with self._lock:
                for key, requests in pending.items():
                    self._pending[key] = self._pending.get(key, 0) + requests
                for client_id, moment in last_used.items():
                    self._last_used[client_id] = max(moment, self._last_used.get(client_id, moment))


def _add_usage(client_id: int, day: date, requests: int) -> None:
    usage = ApiUsage.objects.filter(client_id=client_id, day=day)
    if usage.update(requests=F("requests") + requests):
        return
    try:
        with transaction.atomic():
            ApiUsage.objects.create(client_id=client_id, day=day, requests=requests)
    except IntegrityError:
        usage.update(requests=F("requests") + requests)


usage = UsageCounter()
atexit.register(usage.flush)


def count_request(client: ApiClient) -> None:
    """One more request today for this client (see UsageCounter)."""
    usage.add(client)


# --- DRF: authentication and permissions -----------------------------------------------------


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>` (or `Bearer <key>`). request.user is the client's
    service user and request.auth the ApiClient. Reads of public data may find the client in
    the cache (_client_by_prefix); a view reading data that is not public says
    `fresh_client = True`, and its client, user and scopes are read as the database has them
    now (a service user deactivated a moment ago reads nothing more)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the key as 'Authorization: Api-Key <key>', with no spaces in the key."
            )
        key = header[1]
        prefix = split_secret(key)
        view = (request.parser_context or {}).get("view")
        cached = request.method in SAFE_METHODS and not getattr(view, "fresh_client", False)
        client = _client_by_prefix(prefix, reading=cached)
        if client is None or not secret_matches(key, client.key_hash):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                f"This API key was revoked on {client.revoked_at:%Y-%m-%d}. "
                "Ask the tracker's administrators for a new one."
            )
        if not client.organization.is_active:
            raise exceptions.AuthenticationFailed(
                f"{client.organization} is deactivated, and so is its API key."
            )
        count_request(client)
        return client.user, client

    def authenticate_header(self, request):
        return 'Api-Key realm="api"'


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A read finds its client in the cache for this long; a write always asks the database.
READ_CACHE_SECONDS = 30


def _client_by_prefix(prefix: str | None, *, reading: bool) -> ApiClient | None:
    """The client whose key has this prefix (the key itself is checked by the caller).

    Reads take it from the cache, for at most READ_CACHE_SECONDS: looking it up was half of
    a keyed page's time. Reads serve only public data, which anonymous readers may get too;
    revoking a key or changing its scopes clears the entry (in a shared cache, CACHE_URL, at
    once; in the default per-process cache, other processes within those seconds). Writes
    always read the database, so a revoked key never writes."""
    if not prefix:
        return None
    if reading:
        cached = cache.get(cache_key(prefix))
        if cached is not None:
            return cached
    client = _clients_with_api_permission().filter(prefix=prefix).first()
    if client is not None:
        cache.set(cache_key(prefix), client, READ_CACHE_SECONDS)
    return client


def _clients_with_api_permission():
    """API clients with their user and organisation, and whether the user holds
    reports.use_api (as user.has_perm() decides it: active, and a superuser, or the
    permission through a group or directly), all in the one query a keyed request makes."""
    use_api = Permission.objects.filter(content_type__app_label="reports", codename="use_api")
    return ApiClient.objects.select_related("user", "organization").annotate(
        may_use_api=Q(user__is_active=True)
        & (
            Q(user__is_superuser=True)
            | Exists(use_api.filter(group__user=OuterRef("user_id")))
            | Exists(use_api.filter(user=OuterRef("user_id")))
        )
    )


def client_of(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


class HasReadScope(permissions.BasePermission):
    """Public reads: anyone the anonymous-rate setting lets in, or a client with `read`."""

    message = "This API key does not have the 'read' scope."

    def has_permission(self, request, view):
        client = client_of(request)
        return client is None or (client.can_read and client.may_use_api)


class HasSubmitScope(permissions.BasePermission):
    """Writes for the client's organisation: a client with `submit`, whose service user the
    services recognise as a field partner of that organisation."""

    message = "This API key does not have the 'submit' scope."

    def has_permission(self, request, view):
        client = client_of(request)
        if client is None:
            if not request.user or not request.user.is_authenticated:
                raise exceptions.NotAuthenticated(
                    "Send an API key: 'Authorization: Api-Key <key>'."
                )
            self.message = "Only an API client's key can submit through the API."
            return False
        return (
            client.can_submit
            and domain_permissions.can_use_api(request.user)
            and domain_permissions.can_submit_for(request.user, client.organization)
        )
