"""The reports list's CSV rows (tables.REPORT_COLUMNS) from the stored public records, with
PostgreSQL taking out of each record only the fields the columns need (one JSON parse a record,
in C) instead of Python parsing every whole record: the loop a large CSV download spends its
time in (docs/exports.md). Elsewhere (SQLite), the same rows from tables.document_rows.

The text written is the same either way: JSON strings come back un-escaped, numbers as the
record's own text (which is what Python writes for the number json.loads gives), dates as the
record's ISO text (what the csv module writes for a date), and a missing value as NULL, which
the csv module writes as an empty cell as it does "". The XLSX keeps document_rows: it needs
dates and numbers as values, not text."""

import json
from collections.abc import Collection, Iterator

from django.db import connection

from reports import selectors

from .tables import document_rows, documents_of_batch

# One row per figure of the asked metrics of each record (a record without one gives none),
# in the columns of REPORT_COLUMNS without "counted" (added in Python: it belongs to the
# question), in report id and figure order. `{records}` is a subquery of the public records
# (report_id, document) to read. Mirrors tables.document_rows line for line.
SQL = """
SELECT d.id, d.event->>'id', d.event->>'name', d.title, d.start_date, d.end_date,
       d.date_precision, d.place->>'pcode', d.place->>'name', d.place->>'kind',
       d.latitude, d.longitude, d.cause, d.cause_name,
       d.alleged_perpetrator->>'code',
       CASE WHEN json_typeof(d.alleged_perpetrator->'party') = 'object'
            THEN d.alleged_perpetrator->'party'->>'name'
            WHEN d.alleged_perpetrator->>'code' <> '' THEN 'unknown' END,
       (SELECT string_agg(s.value->>'label', '; ' ORDER BY s.n)
          FROM json_array_elements(d.alleged_perpetrator->'sources') WITH ORDINALITY
               AS s(value, n)),
       (SELECT string_agg(t.value, '; ' ORDER BY t.n)
          FROM json_array_elements_text(d.tags) WITH ORDINALITY AS t(value, n)),
       f.metric, f.metric_name, f.measure, f.as_reported, f.count_low, f.count_best,
       f.count_high, f.destination->>'pcode', f.destination->>'name',
       d.public_summary,
       (SELECT string_agg(s.value->>'label', '; ' ORDER BY s.n)
          FROM json_array_elements(d.sources) WITH ORDINALITY AS s(value, n)),
       (SELECT string_agg(s.value->>'url', ' ' ORDER BY s.n) FILTER (WHERE s.value->>'url' <> '')
          FROM json_array_elements(d.sources) WITH ORDINALITY AS s(value, n)),
       left(d.approved_at, 10)
  FROM ({records}) AS r
 CROSS JOIN LATERAL json_to_record(r.document::json) AS d(
         id bigint, title text, start_date text, end_date text, date_precision text,
         place json, latitude text, longitude text, cause text, cause_name text, tags json,
         public_summary text, event json, figures json, sources json, approved_at text,
         alleged_perpetrator json)
 CROSS JOIN LATERAL ROWS FROM (
         json_to_recordset(d.figures) AS (
           metric text, metric_name text, measure text, as_reported text, count_low text,
           count_best text, count_high text, destination json)
       ) WITH ORDINALITY AS f(metric, metric_name, measure, as_reported, count_low,
                              count_best, count_high, destination, n)
 WHERE {metrics}
 ORDER BY r.report_id, f.n
"""
# Where "counted" goes, and where the figure's metric is, in a row of SQL.
COUNTED_AT = 25
METRIC_AT = 18


def in_database() -> bool:
    """Whether the database takes the rows out of the records (PostgreSQL's JSON functions)."""
    return connection.vendor == "postgresql"


def _query(records: str, metrics: Collection[str] | None) -> str:
    table = selectors.public_records().model._meta.db_table
    return SQL.format(
        records=records.format(table=connection.ops.quote_name(table)),
        metrics="f.metric = ANY(%s)" if metrics is not None else "TRUE",
    )


def _with_counted(rows, counted: set[tuple[int, str]] | None) -> Iterator:
    if counted is None:
        return iter(rows)
    return (
        (*row[:COUNTED_AT], "yes" if (row[0], row[METRIC_AT]) in counted else "no",
         *row[COUNTED_AT:])
        for row in rows
    )  # fmt: skip


def rows_of_batch(
    batch: list[int], metrics: Collection[str] | None, counted: set[tuple[int, str]] | None
) -> Iterator:
    """The CSV rows of the public records of these report ids (sorted), in id order, one per
    figure of `metrics` (None: every metric); `counted` None leaves that column out (the
    mirror's and the API's columns)."""
    if not in_database():
        loads = json.loads
        wanted = _AllMetrics() if metrics is None else set(metrics)
        for _, document in documents_of_batch(batch):
            yield from document_rows(loads(document), wanted, counted)
        return
    # The ids as one array parameter: one value for psycopg to send, an index probe each.
    sql = _query("SELECT report_id, document FROM {table} WHERE report_id = ANY(%s)", metrics)
    params: list = [batch] if metrics is None else [batch, [str(m) for m in metrics]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        yield from _with_counted(cursor.fetchall(), counted)


class _AllMetrics:
    """A set that holds every metric (document_rows keeps the figures of the metrics asked)."""

    def __contains__(self, metric: object) -> bool:
        return True
