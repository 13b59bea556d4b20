"""A dashboard chart or map as a file to drop into a briefing: the same SVG the page draws,
standalone (its styles inline, a title and the source line), and a PNG rendered from it.

The PNG is drawn by resvg (the `resvg-py` binding): CairoSVG and WeasyPrint lay SVG text out
one letter at a time, which breaks Burmese (its vowel signs and stacked consonants must be
shaped together, and come out as dotted circles); resvg shapes text with HarfBuzz's rules and
ships as a wheel with no system library. Burmese needs a Burmese font on the server
(Debian: fonts-noto-core)."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape

# The styles of the page's SVG, taken from the dashboard's stylesheet (so a new kind of mark
# styled there is styled in the files too), with its colour variables written out: an SVG file
# has no :root to inherit them from.
STYLESHEETS = ("css/site.css", "css/dashboard.css", "css/map.css")
# Fonts named for renderers that know no "system-ui": Latin digits, then Burmese.
FONT_FAMILY = '"Noto Sans", "Noto Sans Myanmar", "DejaVu Sans", sans-serif'
FILE_WIDTH = 720  # the file's width in CSS pixels; the chart's own units are scaled to it
PNG_ZOOM = 2  # a PNG twice as wide as the file, sharp on a slide or a printed page
SVG_NS = "http://www.w3.org/2000/svg"
PAGE_LAYOUT = frozenset({"width", "height", "max-width", "display", "border"})


class PngUnavailable(RuntimeError):
    """The PNG renderer could not be loaded; the message says what to install."""


def _static_text(name: str) -> str:
    for folder in settings.STATICFILES_DIRS:
        path = Path(folder) / name
        if path.exists():
            return path.read_text(encoding="utf-8")
    return ""


@cache
def svg_styles() -> str:
    """The stylesheet rules that style SVG marks (selectors starting with "svg" or naming the
    map's background), outside any @media block, with var(--x) replaced by its value."""
    variables: dict[str, str] = {}
    rules = []
    for name in STYLESHEETS:
        css = re.sub(r"/\*.*?\*/", "", _static_text(name), flags=re.S)
        # Drop @media blocks (print and phone layouts of the page, not of the figure).
        css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
            selector = selector.strip()
            if selector == ":root":
                variables.update(re.findall(r"(--[\w-]+)\s*:\s*([^;]+)", body))
                continue
            parts = [p.strip() for p in selector.split(",")]
            if all(p.startswith(("svg", ".map-bg")) and ":" not in p for p in parts):
                rules.append((selector, body.strip()))
    lines = []
    for selector, body in rules:
        # The page's box layout (width 100%, a border) is not the figure's.
        body = "; ".join(
            d.strip()
            for d in body.split(";")
            if d.strip() and d.split(":")[0].strip() not in PAGE_LAYOUT
        )
        if not body:
            continue
        body = re.sub(r"var\((--[\w-]+)\)", lambda m: variables.get(m[1], "inherit"), body)
        # Renderers outside a browser read font-size and font-family, not the shorthand.
        body = re.sub(
            r"font:\s*([\d.]+px)[^;]*",
            lambda m: f"font-size: {m[1]}; font-family: {FONT_FAMILY}",
            body,
        )
        lines.append(f"{selector} {{ {body} }}")
    lines.append(
        f".file-title {{ font-size: 16px; font-weight: 700; fill: #1d2327; "
        f"font-family: {FONT_FAMILY}; }}"
    )
    lines.append(f".file-line {{ font-size: 11px; fill: #5b6770; font-family: {FONT_FAMILY}; }}")
    return "\n".join(lines)


def svg_elements(markup: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost <svg>…</svg> in rendered HTML."""
    found, depth, start = [], 0, 0
    for match in re.finditer(r"<svg\b|</svg>", markup):
        if match[0] == "<svg":
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                found.append((start, match.end()))
    return found


def first_svg(markup: str) -> str:
    """The first <svg> element of a partial's HTML (a chart's key paragraph after it is HTML,
    not SVG, and is said in the file's own lines instead)."""
    spans = svg_elements(markup)
    if not spans:
        return ""
    start, end = spans[0]
    return markup[start:end]


def _view_box(svg: str) -> tuple[float, float]:
    match = re.search(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) ([\d.]+)"', svg)
    return (float(match[1]), float(match[2])) if match else (360.0, 150.0)


def _wrapped(text: str, width_chars: int) -> list[str]:
    """Lines of at most about width_chars characters, broken at spaces (SVG text never wraps
    by itself)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width_chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def standalone_svg(inner_svg: str, *, title: str, notes: list[str], source: str, base: str):
    """A complete SVG file: the page's figure scaled to FILE_WIDTH, the title above it, its
    key and the source line below it, its links absolute (`base`: "https://host")."""
    view_width, view_height = _view_box(inner_svg)
    y, head = 12, []
    for line in _wrapped(title, 78):
        y += 20
        head.append(f'<text class="file-title" x="12" y="{y}">{escape(line)}</text>')
    top = y + 10
    figure_height = round(view_height * FILE_WIDTH / view_width)
    figure = re.sub(r'href="/', f'href="{base}/', inner_svg)
    figure = figure.replace(
        "<svg ", f'<svg x="0" y="{top}" width="{FILE_WIDTH}" height="{figure_height}" ', 1
    )
    y, foot = top + figure_height + 4, []
    for line in [part for text in [*notes, source] for part in _wrapped(text, 115)]:
        y += 15
        foot.append(f'<text class="file-line" x="12" y="{y}">{escape(line)}</text>')
    height = y + 12
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="{SVG_NS}" width="{FILE_WIDTH}" height="{height}" '
            f'viewBox="0 0 {FILE_WIDTH} {height}">',
            f"<style>\n{svg_styles()}\n</style>",
            f'<rect width="{FILE_WIDTH}" height="{height}" fill="#ffffff"/>',
            *head,
            figure,
            *foot,
            "</svg>",
            "",
        ]
    )


def inline_svg_with_styles(svg: str) -> str:
    """An SVG from a page made a file of its own: the namespace and the page's styles inside
    it (what a renderer outside the browser needs)."""
    if "xmlns=" not in svg.split(">", 1)[0]:
        svg = svg.replace("<svg ", f'<svg xmlns="{SVG_NS}" ', 1)
    head, rest = svg.split(">", 1)
    return f"{head}><style>{svg_styles()}</style>{rest}"


def png_from_svg(svg: str, *, zoom: float = PNG_ZOOM) -> bytes:
    """The SVG drawn as a PNG on a white background; PngUnavailable when resvg-py is not
    installed."""
    try:
        import resvg_py
    except ImportError as error:  # pragma: no cover - a dependency; only a broken install
        raise PngUnavailable(
            "PNG files are drawn with resvg-py, which is not installed: "
            "pip install -r requirements.lock"
        ) from error
    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            background="#ffffff",
            zoom=zoom,
            sans_serif_family="Noto Sans",
        )
    )
