"""The file formats of a download: CSV (and HXL-tagged CSV) streamed row by row, XLSX and
GeoJSON."""

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path

import xlsxwriter
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from .tables import Table, area_label, areas_table


def filename(answer, kind: str, extension: str) -> str:
    """ "tracker-kayah-2023-11-01-2023-11-30-areas.csv": what, where and when."""
    q = answer.question
    start = q.start.isoformat() if q.start else "beginning"
    end = (q.end or timezone.localdate()).isoformat()
    return f"tracker-{slugify(area_label(answer)) or 'area'}-{start}-{end}-{kind}.{extension}"


# Rows of a plain table written into one chunk of a streamed CSV (about 300 kB of reports).
CSV_CHUNK_ROWS = 500


class _Echo:
    """csv.writer writes into this and gets the line back, so rows stream one at a time."""

    def write(self, value):
        return value


def cell(value):
    """A value for JSON (GeoJSON properties): dates as ISO text, the rest as it is."""
    return value.isoformat() if isinstance(value, date) else value


def csv_cell(value):
    """A value for CSV: dates as ISO text, booleans as true/false (what programs parse)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return cell(value)


def csv_lines(table: Table, *, hxl: bool = False) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([c.name for c in table.columns])
    if hxl:
        yield writer.writerow([c.hxl for c in table.columns])
    if table.plain:
        # Many rows a chunk: each chunk is a write to the socket (and a chunk header).
        buffer = io.StringIO()
        batch_writer = csv.writer(buffer)
        rows = iter(table.rows)
        while batch := list(islice(rows, CSV_CHUNK_ROWS)):
            batch_writer.writerows(batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        return
    for row in table.rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_response(table: Table, name: str, *, hxl: bool = False) -> StreamingHttpResponse:
    return StreamingHttpResponse(
        csv_lines(table, hxl=hxl),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# The rows of a worksheet, its header among them (Excel's limit; XlsxWriter ignores a cell
# beyond it without a word).
XLSX_SHEET_ROWS = 1_048_576
# The characters of a worksheet's name (Excel's limit).
XLSX_TITLE_LENGTH = 31
# The characters of a cell (Excel's limit; XlsxWriter cuts a longer text there without a word):
# a longer one is cut with a mark, and the About sheet names it.
XLSX_CELL_CHARACTERS = 32_767
CUT_MARK = " […]"
# At most so many cut cells named one by one in the About sheet (the rest counted).
CUT_NAMED = 20


def _sheet_title(title: str, part: int) -> str:
    """A table's title on its first sheet; "Reports (2)" and so on for the sheets its rows go
    on to past a sheet's limit."""
    if part == 1:
        return title
    suffix = f" ({part})"
    return title[: XLSX_TITLE_LENGTH - len(suffix)] + suffix


def _cut(text: str) -> str:
    """A text cut to a cell's limit, its mark at the end."""
    return text[: XLSX_CELL_CHARACTERS - len(CUT_MARK)] + CUT_MARK


def write_xlsx(output, sheets, about: list[tuple[str, str]]) -> int:
    """Write an XLSX file row by row (XlsxWriter's constant_memory mode) into `output` (a path
    or a binary file): `sheets` are (title, columns, rows), then an About sheet. A table longer
    than a worksheet holds goes on in more sheets ("Reports (2)", each with the header), and
    the About sheet says so; so does it of a text longer than a cell holds, cut with a mark.
    Returns the number of data rows written."""
    workbook = xlsxwriter.Workbook(
        str(output) if isinstance(output, Path) else output,
        {"constant_memory": True, "strings_to_urls": False},
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    number = workbook.add_format({"num_format": "#,##0"})
    count = 0
    continued: list[tuple[str, int]] = []
    cut: list[tuple[str, int, str, int]] = []  # sheet, row (as Excel numbers it), column, length
    for title, columns, rows in sheets:
        header = [c.name for c in columns]
        part, r = 0, XLSX_SHEET_ROWS
        for row in rows:
            if r == XLSX_SHEET_ROWS:
                part += 1
                sheet = workbook.add_worksheet(_sheet_title(title, part))
                sheet.write_row(0, 0, header, bold)
                r = 1
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(r, c, value, number)
                elif isinstance(value, str) and len(value) > XLSX_CELL_CHARACTERS:
                    cut.append((_sheet_title(title, part), r + 1, header[c], len(value)))
                    sheet.write_string(r, c, _cut(value))
                else:
                    sheet.write(r, c, value)
            r += 1
            count += 1
        if part == 0:  # no rows: the header alone
            workbook.add_worksheet(title).write_row(0, 0, header, bold)
        elif part > 1:
            continued.append((title, part))
    notes = [
        (
            title,
            f"Longer than one worksheet holds ({XLSX_SHEET_ROWS - 1:,} rows): continued in "
            + ", ".join(_sheet_title(title, p) for p in range(2, parts + 1))
            + ".",
        )
        for title, parts in continued
    ]
    notes += [
        (
            sheet_title,
            f"Row {row:,}, {column}: {length:,} characters, cut to a cell's limit "
            f"({XLSX_CELL_CHARACTERS:,}) and marked {CUT_MARK.strip()}. The CSV download "
            "and the API give the whole text.",
        )
        for sheet_title, row, column, length in cut[:CUT_NAMED]
    ]
    if len(cut) > CUT_NAMED:
        notes.append(
            (
                cut[CUT_NAMED][0],
                f"{len(cut) - CUT_NAMED:,} more cells cut to a cell's limit the same way.",
            )
        )
    sheet = workbook.add_worksheet("About")
    for r, (label, value) in enumerate([*about, *notes]):
        sheet.write(r, 0, label, bold)
        sheet.write(r, 1, value)
    workbook.close()
    return count


def xlsx_response(sheets: list[tuple[str, Table]], about: list[tuple[str, str]], name: str):
    """An XLSX file written to a temporary file that is streamed back and removed when the
    response closes."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(output, [(title, t.columns, t.rows) for title, t in sheets], about)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def area_features(answer, sort: str = "", site: str = "") -> list[dict]:
    """The area rows (and the figures spanning beyond the period, at their place's point when
    the gazetteer has one) as GeoJSON features (RFC 7946: longitude first); a row without a
    point (the "unspecified within" row) is a feature with a null geometry, so the properties
    still add up to the totals."""
    table = areas_table(answer, with_total=False, sort=sort, site=site)
    names = [c.name for c in table.columns]
    features = []
    for row in table.rows:
        # A blank cell is JSON's null, as in the API's answer (an open high, no date, ...).
        properties = dict(zip(names, (None if v == "" else cell(v) for v in row), strict=True))
        latitude, longitude = properties.pop("latitude"), properties.pop("longitude")
        geometry = (
            {"type": "Point", "coordinates": [longitude, latitude]}
            if latitude is not None and longitude is not None
            else None
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def geojson_response(answer, name: str, sort: str = "", site: str = "") -> HttpResponse:
    collection = {"type": "FeatureCollection", "features": area_features(answer, sort, site)}
    return HttpResponse(
        json.dumps(collection, ensure_ascii=False, indent=1),
        content_type="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
