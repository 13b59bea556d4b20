"""Cursor pagination in a stable order, so a partner paging through changing data neither skips
nor repeats a record: a record changed after its page was read comes again later.

A cursor is opaque (DOMAIN.md, "Visibility and protection"): DRF's own cursor is the last
item's ordering value in base64 (a source's id, a retraction's time), which would let anyone
read a confidential source's place among the ids. Ours is that position encrypted and
authenticated with keys derived from SECRET_KEY for the list it belongs to, with a fresh random
nonce each time: it says nothing about the position, two cursors for the same place differ,
and one made for another list or altered by a byte is refused."""

import hashlib
import hmac
import json
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode

from django.conf import settings
from django.utils.crypto import salted_hmac
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

NONCE_BYTES = 16
TAG_BYTES = 16
# Every plain cursor is padded to a multiple of this, so its length does not tell a short
# position (a small id) from a long one.
PAD_TO = 64
INVALID_CURSOR = (
    "Invalid cursor: use the `next` or `previous` link of a page of this same list, unchanged."
)


def _keys(purpose: str, secret: str) -> tuple[bytes, bytes]:
    """An encryption key and an authentication key for one list, derived from a secret key
    (HMAC-SHA256 as the key derivation, as Django's own signing does)."""

    def derive(use: str) -> bytes:
        salt = f"reports.api.pagination.cursor.{use}"
        return salted_hmac(salt, purpose, secret=secret, algorithm="sha256").digest()

    return derive("encrypt"), derive("authenticate")


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    """HMAC-SHA256 in counter mode: a stream cipher from the standard library's primitives
    (the `cryptography` package is not a dependency of the tracker)."""
    blocks = (length + 31) // 32
    return b"".join(
        hmac.new(key, nonce + n.to_bytes(4, "big"), hashlib.sha256).digest() for n in range(blocks)
    )[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _nonce() -> bytes:
    return secrets.token_bytes(NONCE_BYTES)


def seal(plain: bytes, purpose: str) -> str:
    """Encrypt-then-MAC `plain` for `purpose`; URL-safe text without padding."""
    encrypt, authenticate = _keys(purpose, settings.SECRET_KEY)
    plain += b" " * (-len(plain) % PAD_TO)
    nonce = _nonce()
    sealed = nonce + _xor(plain, _keystream(encrypt, nonce, len(plain)))
    tag = hmac.new(authenticate, sealed, hashlib.sha256).digest()[:TAG_BYTES]
    return urlsafe_b64encode(sealed + tag).decode("ascii").rstrip("=")


def unseal(token: str, purpose: str) -> bytes | None:
    """The plain bytes sealed for `purpose` (under the current or a fallback secret key), or
    None for anything else: altered, truncated, made for another list, not ours at all."""
    try:
        raw = urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if len(raw) < NONCE_BYTES + PAD_TO + TAG_BYTES:
        return None
    sealed, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        encrypt, authenticate = _keys(purpose, secret)
        expected = hmac.new(authenticate, sealed, hashlib.sha256).digest()[:TAG_BYTES]
        if hmac.compare_digest(expected, tag):
            nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
            return _xor(body, _keystream(encrypt, nonce, len(body)))
    return None


class StableCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    # Reports: their public records (reports.PublicReport), in the order they last changed.
    ordering = ("changed_at", "report_id")
    invalid_cursor_message = INVALID_CURSOR

    def get_paginated_response(self, data):
        # Each link made once: a cursor is sealed with a fresh nonce at every call, and the
        # Link header must carry the same links as the body.
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", next_link), ("prev", previous_link))
            if url
        ]
        headers = {"Link": ", ".join(links)} if links else None
        return Response(
            {"next": next_link, "previous": previous_link, "results": data}, headers=headers
        )

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError(
                {"page_size": [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return super().get_page_size(request)

    # --- the opaque cursor ---

    def decode_cursor(self, request):
        # A cursor belongs to the list it was made for (its path): one from /sources/ means
        # nothing to /reports/.
        self.purpose = request.path
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        plain = unseal(token, self.purpose)
        try:
            offset, reverse, position = json.loads(plain) if plain is not None else None
        except (TypeError, ValueError):
            raise NotFound(self.invalid_cursor_message) from None
        if not (
            isinstance(offset, int)
            and offset >= 0
            and isinstance(reverse, bool)
            and (position is None or isinstance(position, str))
        ):
            raise NotFound(self.invalid_cursor_message)
        return Cursor(offset=min(offset, self.offset_cutoff), reverse=reverse, position=position)

    def encode_cursor(self, cursor):
        plain = json.dumps([cursor.offset, bool(cursor.reverse), cursor.position])
        token = seal(plain.encode("utf-8"), self.purpose)
        return replace_query_param(self.base_url, self.cursor_query_param, token)


class IdCursorPagination(StableCursorPagination):
    ordering = ("id",)


class SourcePositionPagination(StableCursorPagination):
    # reports.api.views.sources.SourceList's `position`; `id` (the citation's) breaks ties
    # between entries that read the same.
    ordering = ("position", "id")


class PlaceCursorPagination(StableCursorPagination):
    ordering = ("path", "id")


class RetractionCursorPagination(StableCursorPagination):
    ordering = ("created_at", "id")
