"""What the extractor proposes: one candidate figure per number it read, with the words it rests
on. The same shape is printed by `extract_figures`, answered by `POST /api/v1/intake/extract/`
and shown on the moderator's screen; nothing here is stored."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Candidate:
    """A proposed figure. Values use the report vocabulary (reports.vocabulary): metric, qualifier,
    unit, date_precision, cause, source_type. `excluded_reason` is set (and the candidate listed
    but not proposed) for combatant figures and other numbers left out."""

    metric: str | None
    value: int | None
    low: int | None
    high: int | None
    qualifier: str | None
    unit: str | None
    place_pcode: str | None
    place_text: str
    start_date: date | None
    end_date: date | None
    date_precision: str | None
    cause: str | None
    perpetrator: str | None
    source_name: str | None
    source_type: str | None
    sentence: str
    excluded_reason: str | None = None
    # Character offsets in the extracted text: the sentence, and the number's own words, so the
    # screen can highlight them.
    sentence_start: int = 0
    sentence_end: int = 0
    figure_start: int = 0
    figure_end: int = 0

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for name in ("start_date", "end_date"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


@dataclass
class Extraction:
    """The extractor's answer for one text: its language ("en" or "my"), the text it read (HTML
    and PDF reduced to plain text), the publisher and publication date it used, and the
    candidates in reading order."""

    language: str
    text: str
    published: date | None
    publisher: str | None
    candidates: list[Candidate] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "published": self.published.isoformat() if self.published else None,
            "publisher": self.publisher,
            "candidates": [candidate.as_json() for candidate in self.candidates],
        }
