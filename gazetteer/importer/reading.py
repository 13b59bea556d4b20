"""Reading one gazetteer file: decoding, CSV rows numbered by the line they start on, and each
row turned into places by its layout, rejecting the rows that are wrong on their own."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .layouts import HeaderError, Unit, detect_layout


@dataclass
class Row:
    line: int
    units: list[Unit]  # country first, the row's own unit last


@dataclass
class ParsedFile:
    name: str
    gazetteer: str
    rows: list[Row]
    rejected: list[tuple[int, str]]


def read_file(path: Path) -> ParsedFile:
    """Parse a file into rows of units, rejecting the rows that are wrong on their own
    (checks against other rows and the database come later)."""
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return ParsedFile(name, "", [], [(line, "not UTF-8 text")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return ParsedFile(name, "", [], [(1, "the file is empty (no header row)")])
        layout = detect_layout(header)
    except (HeaderError, csv.Error) as error:
        return ParsedFile(name, "", [], [(1, str(error))])

    rows, rejected = [], []
    last_line = reader.line_num
    try:
        for values in reader:
            # A quoted field may span lines: a row is numbered by the line it starts on.
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                reason = f"row has {len(values)} fields, the header has {len(header)}"
                rejected.append((line, reason))
                continue
            units, problems = layout.units(values)
            if problems:
                rejected.append((line, "; ".join(problems)))
            else:
                rows.append(Row(line, units))
    except csv.Error as error:
        rejected.append((last_line + 1, f"unreadable CSV ({error}); the rest of the file skipped"))
    return ParsedFile(name, layout.gazetteer, rows, rejected)
