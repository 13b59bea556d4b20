"""Cursor pagination in a stable order, so a partner paging through changing data neither skips
nor repeats a record: a record changed after its page was read comes again later.

A cursor is opaque (DOMAIN.md, "Visibility and protection"): DRF's own cursor is the last
item's ordering value in base64 (a source's id, a retraction's time), which would let anyone
read a confidential source's place among the ids. Ours is that position encrypted and
authenticated (the `cryptography` package's Fernet) with a key derived from SECRET_KEY for the
list it belongs to, with a fresh random IV each time: it says nothing about the position, two
cursors for the same place differ, and one made for another list or altered by a byte is
refused."""

import json
from base64 import urlsafe_b64encode

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

# Every plain cursor is padded to a multiple of this, so its length does not tell a short
# position (a small id) from a long one.
PAD_TO = 64
INVALID_CURSOR = (
    "Invalid cursor: use the `next` or `previous` link of a page of this same list, unchanged."
)


def _fernet(purpose: str, secret: str) -> Fernet:
    """The key of one list's cursors, derived from a secret key (HMAC-SHA256, as Django's own
    signing derives its keys): Fernet is AES in CBC mode with a random IV, then HMAC-SHA256."""
    key = salted_hmac("reports.api.pagination.cursor", purpose, secret=secret, algorithm="sha256")
    return Fernet(urlsafe_b64encode(key.digest()))


def seal(plain: bytes, purpose: str) -> str:
    """`plain` encrypted and authenticated for `purpose`; URL-safe text without padding."""
    plain += b" " * (-len(plain) % PAD_TO)
    token = _fernet(purpose, settings.SECRET_KEY).encrypt(plain)
    return token.decode("ascii").rstrip("=")


def unseal(token: str, purpose: str) -> bytes | None:
    """The plain bytes sealed for `purpose` (under the current or a fallback secret key), or
    None for anything else: altered, truncated, made for another list, not ours at all."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    keys = MultiFernet([_fernet(purpose, secret) for secret in secrets])
    try:
        return keys.decrypt((token + "=" * (-len(token) % 4)).encode("ascii"))
    except (InvalidToken, ValueError, TypeError):
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
        if raw is not None and not (
            raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size
        ):
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


class PublicIdCursorPagination(StableCursorPagination):
    # A source by its public id (Source.public_id), never the database's count.
    ordering = ("public_id",)


class SourcePositionPagination(StableCursorPagination):
    # reports.api.views.sources.SourceList's `position`; `id` (the citation's) breaks ties
    # between entries that read the same.
    ordering = ("position", "id")


class PlaceCursorPagination(StableCursorPagination):
    ordering = ("path", "id")


class RetractionCursorPagination(StableCursorPagination):
    ordering = ("created_at", "id")
