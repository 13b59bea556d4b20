"""API keys and Kobo links: making a secret (shown once, stored hashed), checking one, and
dropping a client from the API's read cache when it changes."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from .models import ApiClient

PREFIX = re.compile(r"^[0-9a-f]{8}$")


@dataclass(frozen=True)
class Secret:
    """A new secret: `value` goes to its owner once; only `prefix` and `hash` are stored."""

    value: str
    prefix: str
    hash: str


def new_secret() -> Secret:
    prefix = secrets.token_hex(4)
    value = f"{prefix}.{secrets.token_urlsafe(32)}"
    return Secret(value=value, prefix=prefix, hash=hash_secret(value))


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def split_secret(value: str) -> str | None:
    """The public prefix of a secret, or None if it cannot be one of ours."""
    prefix, dot, rest = value.partition(".")
    if not dot or not rest or len(value) > 200 or not PREFIX.match(prefix):
        return None
    return prefix


def secret_matches(value: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(value), stored_hash)


def cache_key(prefix: str) -> str:
    return f"api-client:{prefix}"


def _forget(client: ApiClient) -> None:
    # Now, and again once the change commits, so a read in between cannot leave the old
    # state cached.
    key = cache_key(client.prefix)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def forget_clients(clients: Iterable[ApiClient]) -> None:
    """Drop these clients from the read cache (their organisation was deactivated, say)."""
    for client in clients:
        _forget(client)
