"""Burmese text: spotting the legacy Zawgyi encoding (Myanmar code points used for other letters,
garbage on every Unicode device) before it is stored, with Google's myanmartools detector.
The web form asks the partner, the API refuses, and the moderator's review page warns about
whatever was stored anyway (from Kobo, or confirmed as typed)."""

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from myanmartools import ZawgyiDetector

# The detector's own documentation suggests a high threshold; Unicode Burmese scores near 0.
ZAWGYI_THRESHOLD = 0.95

# Burmese digits ၀-၉ to 0-9 (str.translate): a date or a number typed in them is the same.
BURMESE_DIGITS = str.maketrans("၀၁၂၃၄၅၆၇၈၉", "0123456789")

# The text of a report that people read, by the names the services give it.
REPORT_TEXT = ("title", "public_summary", "internal_notes")
FIGURE_TEXT = ("note",)
SOURCE_TEXT = ("name", "title")


@cache
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()  # loads its model once per process


def looks_like_zawgyi(text: str) -> bool:
    if not text or not any("\u1000" <= ch <= "\u109f" for ch in text):
        return False
    return _detector().get_zawgyi_probability(text) > ZAWGYI_THRESHOLD


def _read(item: Any, name: str) -> str:
    value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, "")
    return value if isinstance(value, str) else ""


def find_zawgyi(
    report: Any,
    *,
    figures: Iterable[Any] = (),
    sources: Iterable[Any] = (),
    tags: Iterable[str] = (),
    sources_key: str = "sources",
) -> list[str]:
    """Where a report's text looks like Zawgyi, each field named as the services name it:
    "title", "tags.2", "figures.1.note", "sources.1.name" (counting from 1). `report`,
    `figures` and `sources` may be the submitted data (mappings) or stored rows."""
    found = [name for name in REPORT_TEXT if looks_like_zawgyi(_read(report, name))]
    found += [
        f"tags.{number}"
        for number, tag in enumerate(tags, start=1)
        if isinstance(tag, str) and looks_like_zawgyi(tag)
    ]
    for number, figure in enumerate(figures, start=1):
        found += [
            f"figures.{number}.{name}"
            for name in FIGURE_TEXT
            if looks_like_zawgyi(_read(figure, name))
        ]
    for number, source in enumerate(sources, start=1):
        found += [
            f"{sources_key}.{number}.{name}"
            for name in SOURCE_TEXT
            if looks_like_zawgyi(_read(source, name))
        ]
    return found


def zawgyi_labels(fields: Iterable[str]) -> list[str]:
    """The fields find_zawgyi names, as a person reads them ("Figure 2: note"); the tags
    once, as "Tags"."""
    labels = {
        "title": _("Title"),
        "public_summary": _("Public summary"),
        "internal_notes": _("Internal notes"),
    }
    shown: list[str] = []
    for field in fields:
        group, _dot, rest = field.partition(".")
        if group in labels:
            label = labels[group]
        elif group == "tags":
            label = _("Tags")
        elif group == "figures":
            label = _("Figure %(n)s: note") % {"n": rest.split(".")[0]}
        else:
            number, _dot, name = rest.partition(".")
            label = _("Source %(n)s: %(field)s") % {"n": number, "field": name}
        if label not in shown:
            shown.append(label)
    return shown
