"""The files export jobs write (reports.services.exports runs them): a dashboard download of the
reports behind the numbers, or the mirror file of every approved report (CSV, HXL-tagged CSV,
JSON lines), written row by row to a path with flat memory, saying how far it got."""

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from django.http import QueryDict
from django.utils import translation

from reports import aggregates, selectors

from .download import about_rows
from .formats import filename, write_xlsx
from .tables import (
    REPORT_BATCH,
    REPORT_COLUMNS,
    Column,
    document_rows,
    documents_of_batch,
    reports_answer,
    reports_behind,
)

# Progress is written every this many reports (one UPDATE each time).
PROGRESS_EVERY = 5000

# The dashboard downloads that may become jobs (the others are small: one row per area or
# period), and the mirror file's formats.
JOB_DOWNLOADS = ("reports.csv", "reports-hxl.csv", "reports.xlsx")
MIRROR_FORMATS = {"csv": "mirror.csv", "hxl": "mirror-hxl.csv", "jsonl": "mirror.jsonl"}
# The mirror's CSV has the API's report columns: a report's rows, without "counted", which
# belongs to a question (docs/api.md).
MIRROR_COLUMNS = [c for c in REPORT_COLUMNS if c.name != "counted"]

Progress = Callable[[int, int | None], object]


def question_from(query: str):
    """The Question of a job's normalized query string (checked when the job was asked)."""
    return aggregates.parse_question(QueryDict(query))


def download_file_name(name: str, query: str) -> str:
    """The file's name as the dashboard's streamed download gives it."""
    kind, _, extension = name.partition(".")
    with translation.override("en"):
        return filename(reports_answer(question_from(query)), kind, extension)


def write_download(name: str, query: str, url: str, path: Path, progress: Progress) -> int:
    """A dashboard download (one of JOB_DOWNLOADS) of the question `query` into `path`, in
    English as every file is. Returns the number of data rows."""
    with translation.override("en"):
        question = question_from(query)
        answer = reports_answer(question)
        report_ids, counted = reports_behind(question, answer.metrics)
        progress(0, len(report_ids))
        rows = _counted_rows(report_ids, counted, set(answer.metrics), progress)
        if name == "reports.xlsx":
            sheets = [("Reports", REPORT_COLUMNS, rows)]
            return write_xlsx(path, sheets, about_rows(answer, url))
        return _write_csv(path, REPORT_COLUMNS, rows, hxl=name == "reports-hxl.csv")


def _counted_rows(report_ids, counted, metrics, progress: Progress) -> Iterator[list]:
    ordered = sorted(report_ids)
    loads = json.loads
    for start in range(0, len(ordered), REPORT_BATCH):
        batch = ordered[start : start + REPORT_BATCH]
        for _, document in documents_of_batch(batch):
            yield from document_rows(loads(document), metrics, counted)
        done = start + len(batch)
        if done % PROGRESS_EVERY < REPORT_BATCH or done == len(ordered):
            progress(done, len(ordered))


def public_documents(progress: Progress | None = None) -> Iterator[str]:
    """Every approved report's public record, by report id, REPORT_BATCH a query (keyset:
    each batch starts after the last id of the one before)."""
    records = selectors.public_records()
    total = records.count()
    if progress:
        progress(0, total)
    after, done = 0, 0
    while True:
        batch = list(
            records.filter(report_id__gt=after)
            .order_by("report_id")
            .values_list("report_id", "document")[:REPORT_BATCH]
        )
        if not batch:
            return
        for _, document in batch:
            yield document
        after = batch[-1][0]
        done += len(batch)
        if progress and (done % PROGRESS_EVERY < REPORT_BATCH):
            progress(done, max(total, done))


def write_mirror(fmt: str, path: Path, progress: Progress) -> int:
    """Every approved report into `path`: "jsonl" one public record a line (exactly the API's
    JSON of a report), "csv"/"hxl" the API's CSV columns, one row per figure. Returns the
    number of records (JSON lines) or data rows (CSV)."""
    if fmt == "jsonl":
        count = 0
        with path.open("w", encoding="utf-8", newline="\n") as output:
            for document in public_documents(progress):
                output.write(document)
                output.write("\n")
                count += 1
        return count
    loads = json.loads
    metrics = _AllMetrics()

    def rows() -> Iterator[list]:
        for document in public_documents(progress):
            yield from document_rows(loads(document), metrics, None)

    return _write_csv(path, MIRROR_COLUMNS, rows(), hxl=fmt == "hxl")


class _AllMetrics:
    """A set that holds every metric (document_rows keeps the figures of the metrics asked)."""

    def __contains__(self, metric: object) -> bool:
        return True


def _write_csv(path: Path, columns: list[Column], rows, *, hxl: bool) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as output:
        writer = csv.writer(output)
        writer.writerow([c.name for c in columns])
        if hxl:
            writer.writerow([c.hxl for c in columns])
        # The reports' rows are plain (tables.Table.plain): written as they are.
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
