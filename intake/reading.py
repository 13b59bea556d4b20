"""Reading what a moderator or a partner system gives the extractor: pasted text, an uploaded
.txt/.html/.pdf (judged by its content, not its name), or a web address fetched on the server
when the deployment allows it. HTML is reduced to the article's text with trafilatura, PDF to
its text layer with pypdf. Every refusal is an IntakeInputError naming the field."""

from __future__ import annotations

import io
import ipaddress
import socket
import time
from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from reports.burmese import looks_like_zawgyi

from .errors import IntakeInputError

Kind = Literal["text", "html", "pdf", "url"]

# How long a fetch may take and how many redirects it follows (each hop checked again).
FETCH_TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3
# How long the whole fetch may take, redirects included (a server trickling bytes would
# otherwise keep a worker for as long as each read stays under FETCH_TIMEOUT_SECONDS).
FETCH_TOTAL_SECONDS = 20
# The most pages of a PDF read (each page's text is extracted, however long) and the most bytes
# of HTML given to trafilatura (slow on pages of several megabytes).
MAX_PDF_PAGES = 100
MAX_HTML_BYTES = 1_000_000
# Control characters that never occur in a text file (tab, newline, form feed and carriage
# return do): a file holding them is binary, whatever its name says.
BINARY_BYTES = bytes(range(0, 9)) + bytes([11]) + bytes(range(14, 32))
HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<article", b"<p>", b"<div")


@dataclass
class SourceText:
    """The text to read and what was received, kept by the screen as evidence."""

    text: str
    title: str | None
    publisher: str | None
    published: date | None
    kind: Kind
    original: bytes
    original_name: str
    original_type: str


def _max_chars() -> int:
    return settings.TRACKER_INTAKE_MAX_CHARS


def _max_bytes() -> int:
    return settings.TRACKER_INTAKE_MAX_BYTES


def _checked_text(text: str, field: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise IntakeInputError(field, _("There is no text to read."))
    if len(text) > _max_chars():
        raise IntakeInputError(
            field,
            _("The text is %(size)s characters long; at most %(limit)s can be read at once.")
            % {"size": f"{len(text):,}", "limit": f"{_max_chars():,}"},
        )
    if looks_like_zawgyi(text):
        raise IntakeInputError(
            field,
            _(
                "This Burmese text is in the Zawgyi encoding. Convert it to Unicode (for "
                "example with the Rabbit converter) and send it again."
            ),
        )
    return text


def _decode(data: bytes, field: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if any(byte in BINARY_BYTES for byte in data[:4096]):
        raise IntakeInputError(field, _("This file is not text, HTML or PDF."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IntakeInputError(
            field, _("This file is not text, HTML or PDF (or its text is not in UTF-8).")
        ) from None


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return any(marker in head for marker in HTML_MARKERS)


def _published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _from_html(data: bytes, field: str, name: str, kind: Kind) -> SourceText:
    if len(data) > MAX_HTML_BYTES:
        raise IntakeInputError(
            field,
            _("This page is larger than %(limit)s MB of HTML; paste the article's text instead.")
            % {"limit": MAX_HTML_BYTES // 1_000_000},
        )
    import trafilatura  # imported when HTML arrives: lxml and its friends are heavy

    markup = _decode(data, field)
    text = trafilatura.extract(
        markup, include_comments=False, include_tables=True, favor_precision=True
    )
    meta = trafilatura.extract_metadata(markup)
    if not text:
        raise IntakeInputError(field, _("No article text was found in this page."))
    return SourceText(
        text=_checked_text(text, field),
        title=(meta.title if meta else None) or None,
        publisher=(meta.sitename if meta else None) or None,
        published=_published(meta.date if meta else None),
        kind=kind,
        original=data,
        original_name=name,
        original_type="text/html",
    )


def _from_pdf(data: bytes, field: str, name: str) -> SourceText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        count = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise IntakeInputError(field, _("This PDF cannot be read.")) from None
    if count > MAX_PDF_PAGES:
        raise IntakeInputError(
            field,
            _("This PDF has %(count)s pages; at most %(limit)s can be read at once.")
            % {"count": f"{count:,}", "limit": f"{MAX_PDF_PAGES:,}"},
        )
    pages: list[str] = []
    size = 0
    try:
        for page in reader.pages:
            page_text = (page.extract_text() or "").strip()
            if not page_text:
                continue
            size += len(page_text) + (2 if pages else 0)  # the "\n\n" between pages
            pages.append(page_text)
            if size > _max_chars():
                # Too long already: the rest of the pages are not read.
                raise IntakeInputError(
                    field,
                    _(
                        "The text is more than %(limit)s characters long; at most %(limit)s can be "
                        "read at once."
                    )
                    % {"limit": f"{_max_chars():,}"},
                )
        meta = reader.metadata
        title = (meta.title if meta else None) or None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise IntakeInputError(field, _("This PDF cannot be read.")) from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise IntakeInputError(
            field,
            _(
                "This PDF has no text layer (it is a scan or a photo). Paste its text, or "
                "run it through text recognition first."
            ),
        )
    return SourceText(
        text=_checked_text(text, field),
        title=title,
        publisher=None,
        published=None,
        kind="pdf",
        original=data,
        original_name=name,
        original_type="application/pdf",
    )


def _from_bytes(data: bytes, field: str, name: str, kind: Kind | None = None) -> SourceText:
    if not data.strip():
        raise IntakeInputError(field, _("The file is empty."))
    if data.startswith(b"%PDF-"):
        return _from_pdf(data, field, name)
    if _looks_like_html(data):
        return _from_html(data, field, name, kind or "html")
    text = _decode(data, field)
    return SourceText(
        text=_checked_text(text, field),
        title=None,
        publisher=None,
        published=None,
        kind=kind or "text",
        original=data,
        original_name=name,
        original_type="text/plain",
    )


def _read_upload(upload) -> SourceText:
    if upload.size is not None and upload.size > _max_bytes():
        raise IntakeInputError(
            "upload",
            _("The file is larger than %(limit)s MB.") % {"limit": _max_bytes() // 1_000_000},
        )
    data = b"".join(upload.chunks())
    if len(data) > _max_bytes():
        raise IntakeInputError(
            "upload",
            _("The file is larger than %(limit)s MB.") % {"limit": _max_bytes() // 1_000_000},
        )
    return _from_bytes(data, "upload", upload.name or "upload")


NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv6 ranges refused whatever Python's is_global says: local-use NAT64 (RFC 8215, which
# translates to addresses of the inside), the deprecated site-local fec0::/10 and the
# IPv4-compatible ::a.b.c.d.
REFUSED_V6 = (
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("fec0::/10"),
    ipaddress.ip_network("::/96"),
)


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global address, and so is the IPv4 address an IPv6 one carries (mapped, 6to4,
    NAT64): ::ffff:127.0.0.1 is the loopback. Local-use NAT64, site-local and
    IPv4-compatible IPv6 addresses are refused."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in REFUSED_V6):
            return False
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not inner.is_global:
            return False
    return address.is_global


def _public_address(host: str, port: int) -> str:
    """The address host resolves to, refused unless every address it resolves to is a public
    one: a name that resolves to a private, loopback, link-local or reserved address (or to
    one public and one private) is how server-side request forgery reaches the inside."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise IntakeInputError("url", _("This address cannot be fetched.")) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses or not all(_is_public(address) for address in addresses):
        raise IntakeInputError("url", _("This address cannot be fetched."))
    return str(addresses[0])


def _fetch(url: str) -> tuple[bytes, str]:
    """The body at url and the final address, connecting only to the checked address of each
    hop (so that a second DNS answer cannot point elsewhere)."""
    import urllib3

    deadline = time.monotonic() + FETCH_TOTAL_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise IntakeInputError("url", _("Only http and https addresses can be fetched."))
        if parts.username or parts.password:
            raise IntakeInputError("url", _("Addresses with a user name are not fetched."))
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _public_address(parts.hostname, port)
        left = deadline - time.monotonic()
        if left <= 0:
            raise IntakeInputError("url", _("The address took too long to answer."))
        timeout = urllib3.Timeout(
            total=left,
            connect=min(FETCH_TIMEOUT_SECONDS, left),
            read=min(FETCH_TIMEOUT_SECONDS, left),
        )
        if parts.scheme == "https":
            pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                server_hostname=parts.hostname,
                assert_hostname=parts.hostname,
                retries=False,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            response = pool.urlopen(
                "GET",
                path,
                headers={"Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": "tracker-intake"},
                redirect=False,
                preload_content=False,
            )
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                response.release_conn()
                continue
            if response.status != 200:
                raise IntakeInputError("url", _("The address did not answer with a page."))
            body = b""
            for chunk in response.stream(64 * 1024):
                body += chunk
                if time.monotonic() > deadline:
                    raise IntakeInputError("url", _("The address took too long to answer."))
                if len(body) > _max_bytes():
                    raise IntakeInputError("url", _("The page is too large to read."))
            return body, url
        except urllib3.exceptions.HTTPError:
            raise IntakeInputError("url", _("The address cannot be fetched.")) from None
        finally:
            pool.close()
    raise IntakeInputError("url", _("The address redirects too many times."))


def _read_url(url: str) -> SourceText:
    if not settings.TRACKER_INTAKE_FETCH_URLS:
        raise IntakeInputError(
            "url",
            _("This server does not fetch web addresses. Paste the article's text instead."),
        )
    body, final = _fetch(url.strip())
    source = _from_bytes(body, "url", final, kind="url")
    source.kind = "url"
    return source


def read_text(*, text: str | None = None, upload=None, url: str | None = None) -> SourceText:
    """The text to extract from, from exactly one of pasted text, an upload or a web address."""
    given = [name for name, value in (("text", text), ("upload", upload), ("url", url)) if value]
    if len(given) > 1:
        raise IntakeInputError(given[1], _("Give the text, a file or an address, not several."))
    if upload:
        return _read_upload(upload)
    if url:
        return _read_url(url)
    text = _checked_text(text or "", "text")
    return SourceText(
        text=text,
        title=None,
        publisher=None,
        published=None,
        kind="text",
        original=text.encode(),
        original_name="text.txt",
        original_type="text/plain",
    )
