# ruff: noqa: E501  (tables of cases read best one a line)
"""read_text: pasted text, uploads judged by their content, and web addresses fetched only
where allowed and only from public addresses; every bad input of issue 15 refused with a
message naming the field, and nothing stored."""

import io
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from intake import reading
from intake.errors import IntakeInputError
from intake.reading import read_text

ARTICLE = (
    "<!doctype html><html><head><title>Airstrike kills three in Demoso</title>"
    '<meta property="og:site_name" content="Kantarawaddy Times">'
    '<meta property="article:published_time" content="2023-11-20"></head><body>'
    "<nav>Home | News | About</nav><article><h1>Airstrike kills three in Demoso</h1>"
    "<p>Junta airstrikes killed three civilians in Demoso Township on Saturday, residents "
    "said. The strike hit a market in the town centre during the morning.</p>"
    "<p>More than 600 people fled to nearby villages after the attack, according to local "
    "volunteers who are helping the families find shelter.</p></article>"
    "<footer>Copyright</footer></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
ZAWGYI = "ေနျပည္ေတာ္ စစ္ေၾကာင့္ ထြက္ေျပးရသည္"  # the Zawgyi font's letters
NO_TEXT = "This PDF has no text layer (it is a scan or a photo). Paste its text, or run it through text recognition first."


def text_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer holds text (Helvetica), written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def refused(**given) -> tuple[str, str]:
    with pytest.raises(IntakeInputError) as error:
        read_text(**given)
    return error.value.field, error.value.message


def upload(data: bytes, name: str = "account.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_pasted_text_is_kept_as_received():
    source = read_text(text="  5 civilians were killed in Demoso.\r\n")
    assert (source.text, source.kind, source.original_name, source.original_type) == (
        "5 civilians were killed in Demoso.",
        "text",
        "text.txt",
        "text/plain",
    )
    assert source.original == b"5 civilians were killed in Demoso."


def test_a_text_file_in_utf8_with_or_without_its_mark():
    for data in ("အရပ်သား ၃ ဦး သေဆုံး".encode(), "\ufeff5 killed".encode("utf-8")):
        source = read_text(upload=upload(data))
        assert source.kind == "text" and source.original == data
    assert read_text(upload=upload("5 killed".encode("utf-16"))).text == "5 killed"


def test_html_is_reduced_to_the_article_with_its_metadata():
    source = read_text(upload=upload(ARTICLE.encode(), "page.html"))
    assert source.kind == "html"
    assert source.original_type == "text/html"
    assert source.title == "Airstrike kills three in Demoso"
    assert source.publisher == "Kantarawaddy Times"
    assert str(source.published) == "2023-11-20"
    assert "Junta airstrikes killed three civilians" in source.text
    assert "More than 600 people fled" in source.text
    assert "Home | News" not in source.text and "Copyright" not in source.text


def test_a_pdf_with_a_text_layer():
    source = read_text(
        upload=upload(text_pdf("At least 5 civilians were killed in Loikaw."), "r.pdf")
    )
    assert (source.kind, source.original_type) == ("pdf", "application/pdf")
    assert source.text == "At least 5 civilians were killed in Loikaw."


def test_the_content_decides_not_the_name():
    assert read_text(upload=upload(text_pdf("3 killed"), "notes.txt")).kind == "pdf"
    assert read_text(upload=upload(ARTICLE.encode(), "notes.txt")).kind == "html"
    assert refused(upload=upload(PNG, "account.txt")) == (
        "upload",
        "This file is not text, HTML or PDF.",
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"text": ""}, ("text", "There is no text to read.")),
        ({"text": " \n\t "}, ("text", "There is no text to read.")),
        ({}, ("text", "There is no text to read.")),
        ({"upload": upload(b"")}, ("upload", "The file is empty.")),
        ({"upload": upload(b"\n  \n")}, ("upload", "The file is empty.")),
        ({"upload": upload(PNG, "photo.png")}, ("upload", "This file is not text, HTML or PDF.")),
        ({"upload": upload("Ð¸Ñ caf\xe9".encode("latin-1"))}, ("upload", "This file is not text, HTML or PDF (or its text is not in UTF-8).")),
        ({"upload": upload(blank_pdf(), "scan.pdf")}, ("upload", NO_TEXT)),
        ({"upload": upload(b"%PDF-1.4\nbroken", "broken.pdf")}, ("upload", "This PDF cannot be read.")),
        ({"upload": upload(b"<html><head><title>Home</title></head><body><script>x()</script></body></html>")}, ("upload", "No article text was found in this page.")),
        ({"text": ZAWGYI}, ("text", "This Burmese text is in the Zawgyi encoding. Convert it to Unicode (for example with the Rabbit converter) and send it again.")),
        ({"upload": upload(ZAWGYI.encode())}, ("upload", "This Burmese text is in the Zawgyi encoding. Convert it to Unicode (for example with the Rabbit converter) and send it again.")),
        ({"text": "5 killed", "url": "https://example.org/"}, ("url", "Give the text, a file or an address, not several.")),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field(given, expected):
    assert refused(**given) == expected


def test_text_over_the_size_limit(settings):
    settings.TRACKER_INTAKE_MAX_CHARS = 20
    assert refused(text="x" * 21) == (
        "text",
        "The text is 21 characters long; at most 20 can be read at once.",
    )
    assert read_text(text="x" * 20).text == "x" * 20


def test_a_file_over_the_byte_limit(settings):
    settings.TRACKER_INTAKE_MAX_BYTES = 2_000_000
    assert refused(upload=upload(b"a" * 2_000_001)) == ("upload", "The file is larger than 2 MB.")


def test_addresses_are_not_fetched_unless_the_deployment_allows_it(settings):
    settings.TRACKER_INTAKE_FETCH_URLS = False
    assert refused(url="https://www.irrawaddy.com/news/burma/x.html") == (
        "url",
        "This server does not fetch web addresses. Paste the article's text instead.",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/article.txt", "Only http and https addresses can be fetched."),
        ("file:///etc/passwd", "Only http and https addresses can be fetched."),
        ("javascript:alert(1)", "Only http and https addresses can be fetched."),
        ("http://user:secret@example.org/", "Addresses with a user name are not fetched."),
        ("http://127.0.0.1:8000/admin/", "This address cannot be fetched."),
        ("http://localhost/", "This address cannot be fetched."),
        ("http://10.0.0.5/", "This address cannot be fetched."),
        ("http://192.168.1.1/", "This address cannot be fetched."),
        ("http://169.254.169.254/latest/meta-data/", "This address cannot be fetched."),
        ("http://[::1]/", "This address cannot be fetched."),
        ("http://0.0.0.0/", "This address cannot be fetched."),
        ("http://[::ffff:127.0.0.1]/", "This address cannot be fetched."),
        ("http://[64:ff9b::a9fe:a9fe]/", "This address cannot be fetched."),
        ("http://[2002:7f00:1::]/", "This address cannot be fetched."),
        ("http://host.invalid/", "This address cannot be fetched."),
    ],
)  # fmt: skip
def test_only_public_http_addresses_are_fetched(settings, url, message):
    settings.TRACKER_INTAKE_FETCH_URLS = True
    assert refused(url=url) == ("url", message)


def test_a_name_resolving_to_a_private_address_is_refused(settings, monkeypatch):
    settings.TRACKER_INTAKE_FETCH_URLS = True

    def resolve(host, port, *args, **kwargs):
        # One public and one private answer: refused, whichever would be used.
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert refused(url="https://rebinding.example/") == (
        "url",
        "This address cannot be fetched.",
    )


class _Site(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/article":
            body = ARTICLE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
        elif self.path == "/to-the-inside":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def site(settings, monkeypatch):
    """A web site at news.example, served on this machine: the address check lets that one
    name through to 127.0.0.1 and checks every other as usual."""
    settings.TRACKER_INTAKE_FETCH_URLS = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    checked = reading._public_address

    def public_address(host, port):
        return "127.0.0.1" if host == "news.example" else checked(host, port)

    monkeypatch.setattr(reading, "_public_address", public_address)
    yield f"http://news.example:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_public_page_is_fetched_and_read(site):
    source = read_text(url=f"{site}/moved")
    assert (source.kind, source.title, source.publisher) == (
        "url",
        "Airstrike kills three in Demoso",
        "Kantarawaddy Times",
    )
    assert source.original_name == f"{site}/article"
    assert source.original == ARTICLE.encode()
    assert "More than 600 people fled" in source.text


def test_a_redirect_to_a_private_address_is_refused(site):
    assert refused(url=f"{site}/to-the-inside") == (
        "url",
        "This address cannot be fetched.",
    )


def test_an_address_that_fails(site):
    assert refused(url=f"{site}/gone") == ("url", "The address did not answer with a page.")


def test_a_page_over_the_byte_limit(site, settings):
    settings.TRACKER_INTAKE_MAX_BYTES = 100
    assert refused(url=f"{site}/article") == ("url", "The page is too large to read.")
