"""Hostile input the security review found (H1, H2, M5, L1): texts built to make the extractor
slow, a PDF of thousands of pages, multi-megabyte HTML and IPv6 forms that reach the inside.
Each is answered (refused, or read within the caps); nothing here measures time."""

import ipaddress
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake import reading
from intake.errors import IntakeInputError
from intake.extract import MAX_CANDIDATES, MAX_NUMBERS_PER_SENTENCE, extract
from intake.reading import read_text


def pages_pdf(pages: int, text: str = "At least 5 civilians were killed in Loikaw.") -> bytes:
    """A PDF of many pages that all share one content stream, written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    first_page = 5
    kids = " ".join(f"{first_page + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    )
    objects += [page] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def refused(**given) -> tuple[str, str]:
    with pytest.raises(IntakeInputError) as caught:
        read_text(**given)
    return caught.value.field, caught.value.message


def test_a_pdf_within_the_page_limit_is_read():
    source = read_text(upload=SimpleUploadedFile("r.pdf", pages_pdf(3)))
    assert source.text.count("At least 5 civilians were killed in Loikaw.") == 3


def test_a_pdf_of_too_many_pages_is_refused_before_its_text_is_read(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("a page's text was extracted")

    monkeypatch.setattr("pypdf.PageObject.extract_text", never)
    data = pages_pdf(reading.MAX_PDF_PAGES + 1)
    assert refused(upload=SimpleUploadedFile("big.pdf", data)) == (
        "upload",
        f"This PDF has {reading.MAX_PDF_PAGES + 1} pages; at most {reading.MAX_PDF_PAGES} can "
        "be read at once.",
    )


def test_a_pdf_stops_being_read_once_its_text_is_too_long(settings, monkeypatch):
    settings.TRACKER_INTAKE_MAX_CHARS = 100
    from pypdf import PageObject

    read = []
    extract_text = PageObject.extract_text

    def counted(page, *args, **kwargs):
        read.append(page)
        return extract_text(page, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counted)
    assert refused(upload=SimpleUploadedFile("long.pdf", pages_pdf(50))) == (
        "upload",
        "The text is more than 100 characters long; at most 100 can be read at once.",
    )
    assert len(read) == 3  # 44 characters and a paragraph break a page: over 100 at the third


def test_html_larger_than_the_limit_is_refused_before_trafilatura(monkeypatch):
    import trafilatura

    def never(*args, **kwargs):
        raise AssertionError("trafilatura was called")

    monkeypatch.setattr(trafilatura, "extract", never)
    data = b"<!doctype html><html><body><p>" + b"a" * reading.MAX_HTML_BYTES + b"</p></body></html>"
    assert refused(upload=SimpleUploadedFile("page.html", data)) == (
        "upload",
        "This page is larger than 1 MB of HTML; paste the article's text instead.",
    )


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b:1::a00:1",  # local-use NAT64 carrying 10.0.0.1
        "64:ff9b:1::5db8:d822",  # local-use NAT64, even carrying a public address
        "64:ff9b::7f00:1",  # NAT64 carrying 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 carrying 169.254.169.254
        "fec0::1",  # site-local
        "fed0:1234::5",  # site-local
        "::a00:1",  # IPv4-compatible 10.0.0.1
        "::5db8:d822",  # IPv4-compatible, even of a public address
        "::ffff:192.168.0.1",  # IPv4-mapped
    ],
)
def test_ipv6_forms_reaching_the_inside_are_refused(monkeypatch, address):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(IntakeInputError) as caught:
        reading._public_address("inside.example", 443)
    assert (caught.value.field, caught.value.message) == ("url", "This address cannot be fetched.")


@pytest.mark.parametrize("address", ["2606:4700::1111", "64:ff9b::5db8:d822", "93.184.216.34"])
def test_public_addresses_are_still_allowed(monkeypatch, address):
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET

    def resolve(host, port, *args, **kwargs):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert reading._public_address("public.example", 443) == address


def test_host_not_found_and_not_public_read_the_same(monkeypatch):
    def missing(*args, **kwargs):
        raise socket.gaierror("not found")

    monkeypatch.setattr(socket, "getaddrinfo", missing)
    with pytest.raises(IntakeInputError) as not_found:
        reading._public_address("host.invalid", 80)
    with pytest.raises(IntakeInputError) as private:
        reading._public_address("127.0.0.1", 80)
    assert not_found.value.message == private.value.message == "This address cannot be fetched."


def test_candidates_are_capped_per_text(db):
    found = extract("5 people killed. " * 1000, published=None, language="en")
    assert len(found.candidates) == MAX_CANDIDATES
    assert {c.value for c in found.candidates} == {5}


def test_numbers_are_capped_per_sentence(db):
    found = extract("5 people killed " * 1000, published=None, language="en")
    assert len(found.candidates) == MAX_NUMBERS_PER_SENTENCE


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("1," * 49000, "en"),
        ("၁ ဦး " * 19000, "my"),
        ("5 people killed " * 6000, "en"),
        ("5 people killed. " * 6000, "en"),
    ],
)
def test_hostile_texts_are_answered(db, text, language):
    found = extract(text, published=None, language=language)
    assert len(found.candidates) <= MAX_CANDIDATES
