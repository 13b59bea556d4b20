"""Measuring the extractor against labelled texts (intake/data/labelled/, docs/intake.md): each
NAME.json names its text, publication date, publisher and the candidates a careful moderator
would record, each located by a quote of its words in the text. A candidate is paired with the
label whose quote its number overlaps; precision and recall are then counted per field and for
figures overall (paired, with the right metric and value)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from .candidates import Candidate
from .errors import IntakeInputError
from .extract import extract
from .reading import read_text

LABELLED = Path(__file__).resolve().parent / "data" / "labelled"
FIELDS = ("metric", "value", "qualifier", "unit", "place", "span", "source", "cause")


def field_value(name: str, item) -> object:
    """The value compared for a field, from a Candidate or a label (a dict)."""
    get = item.get if isinstance(item, dict) else lambda key: getattr(item, key)

    def day(key):
        value = get(key)
        return value.isoformat() if isinstance(value, date) else value

    if name == "value":
        return (get("value"), get("low"), get("high"))
    if name == "place":
        return get("place_pcode")
    if name == "span":
        return (day("start_date"), day("end_date"))
    if name == "source":
        return ((get("source_name") or "").casefold() or None, get("source_type"))
    return get(name)


@dataclass
class Label:
    name: str
    raw: bytes  # the text file as it would be uploaded
    published: date | None
    publisher: str | None
    language: str | None
    held_out: bool
    error: str | None
    expected: list[dict]


def load_labels(directory: Path = LABELLED) -> list[Label]:
    labels = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = (directory / data["text"]).read_bytes()
        labels.append(
            Label(
                name=path.stem,
                raw=raw,
                published=date.fromisoformat(data["published"]) if data["published"] else None,
                publisher=data.get("publisher"),
                language=data.get("language"),
                held_out=bool(data.get("held_out")),
                error=data.get("error"),
                expected=data["expected"],
            )
        )
    return labels


@dataclass
class Outcome:
    """One labelled text: the candidates, each paired label (or None) and the labels missed."""

    label: Label
    candidates: list[Candidate] = field(default_factory=list)
    pairs: list[tuple[Candidate, dict | None]] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    error: str | None = None  # the field an IntakeInputError named


def run(label: Label) -> Outcome:
    outcome = Outcome(label)
    try:
        source = read_text(upload=SimpleUploadedFile(f"{label.name}.txt", label.raw))
        extraction = extract(
            source.text,
            published=label.published,
            language=label.language,
            publisher=label.publisher,
        )
    except IntakeInputError as error:
        outcome.error = error.field
        outcome.missed = list(label.expected)
        return outcome
    text = extraction.text
    outcome.candidates = extraction.candidates
    unpaired = list(label.expected)
    for candidate in extraction.candidates:
        paired = None
        for expected in unpaired:
            at = text.find(expected["quote"])
            if at < 0:
                raise ValueError(f"{label.name}: quote {expected['quote']!r} is not in the text")
            if candidate.figure_start < at + len(expected["quote"]) and at < candidate.figure_end:
                paired = expected
                break
        if paired is not None:
            unpaired.remove(paired)
        outcome.pairs.append((candidate, paired))
    outcome.missed = unpaired
    return outcome


@dataclass
class Score:
    correct: int = 0
    proposed: int = 0
    expected: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.proposed if self.proposed else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.expected if self.expected else None


@dataclass
class Report:
    texts: int = 0
    figures: Score = field(default_factory=Score)
    fields: dict[str, Score] = field(default_factory=lambda: {name: Score() for name in FIELDS})
    combatants_proposed: int = 0
    combatants_listed: int = 0
    combatants_expected: int = 0
    refusals_right: int = 0
    refusals_expected: int = 0


def score(outcomes: list[Outcome]) -> Report:
    report = Report()
    for outcome in outcomes:
        report.texts += 1
        if outcome.label.error:
            report.refusals_expected += 1
            report.refusals_right += outcome.error == outcome.label.error
        proposals = [e for e in outcome.label.expected if not e["excluded_reason"]]
        excluded = [e for e in outcome.label.expected if e["excluded_reason"]]
        report.figures.expected += len(proposals)
        report.combatants_expected += len(excluded)
        for name in FIELDS:
            report.fields[name].expected += len(proposals)
        for candidate, expected in outcome.pairs:
            if candidate.excluded_reason is None:
                report.figures.proposed += 1
                for name in FIELDS:
                    report.fields[name].proposed += 1
            if expected is None:
                continue
            if expected["excluded_reason"]:
                if candidate.excluded_reason is None:
                    report.combatants_proposed += 1
                else:
                    report.combatants_listed += 1
                continue
            if candidate.excluded_reason is not None:
                continue  # a civilian figure left out: a miss, counted by recall
            if all(
                field_value(n, candidate) == field_value(n, expected) for n in ("metric", "value")
            ):
                report.figures.correct += 1
            for name in FIELDS:
                if field_value(name, candidate) == field_value(name, expected):
                    report.fields[name].correct += 1
    return report


def _figure(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.2f}"


def render(title: str, report: Report) -> list[str]:
    lines = [
        f"{title}: {report.texts} texts, {report.figures.expected} figures labelled, "
        f"{report.figures.proposed} proposed",
        f"  {'field':<10} precision  recall",
        f"  {'FIGURES':<10} {_figure(report.figures.precision):>9}  "
        f"{_figure(report.figures.recall):>6}",
    ]
    for name, result in report.fields.items():
        lines.append(f"  {name:<10} {_figure(result.precision):>9}  {_figure(result.recall):>6}")
    lines.append(
        f"  combatant figures proposed as civilian harm: {report.combatants_proposed} "
        f"(listed as left out: {report.combatants_listed} of {report.combatants_expected})"
    )
    if report.refusals_expected:
        lines.append(
            f"  texts refused as labelled: {report.refusals_right} of {report.refusals_expected}"
        )
    return lines


def evaluate(directory: Path = LABELLED) -> dict[str, Report]:
    outcomes = [run(label) for label in load_labels(directory)]
    return {
        "tuning": score([o for o in outcomes if not o.label.held_out]),
        "held out": score([o for o in outcomes if o.label.held_out]),
        "all": score(outcomes),
    }
