"""Writing the summary tables: many rows at once, and the advisory locks that serialise
concurrent changes (PostgreSQL; SQLite writes one at a time anyway)."""

import json
import zlib
from collections.abc import Collection
from operator import itemgetter

from django.db import connection


def bulk_insert(model, rows, encoded: Collection[str] = ()) -> None:
    """Insert many rows: COPY on PostgreSQL, batched INSERTs elsewhere. `encoded`: the JSON
    fields whose values the rows hold as JSON text already."""
    if isinstance(rows, list) and not rows:
        return  # (not even a COPY of nothing: a round trip)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor == "postgresql":
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        values = itemgetter(*(f.attname for f in fields))
        json_at = [
            i
            for i, f in enumerate(fields)
            if f.get_internal_type() == "JSONField" and f.attname not in encoded
        ]
        with connection.cursor() as cursor:
            sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608 - names
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    if json_at:
                        row_values = list(values(row))
                        for i in json_at:
                            row_values[i] = json.dumps(row_values[i])
                        copy.write_row(row_values)
                    else:
                        copy.write_row(values(row))
    else:
        if encoded:
            rows = ({**row, **{f: json.loads(row[f]) for f in encoded}} for row in rows)
        model.objects.bulk_create((model(**row) for row in rows), batch_size=500)


def advisory_locks(keys, before=(), settings=()) -> None:
    """Take these advisory locks in their sorted order, after the `before` ones ((key,
    shared), in the order given), in one statement: PostgreSQL evaluates a select list left
    to right. `settings`: (name, value) of settings made for the rest of the transaction
    (SET LOCAL) in the same statement."""
    if connection.vendor != "postgresql" or not (keys or before or settings):
        return
    calls = [("set_config", (name, value)) for name, value in settings]
    calls += [
        ("pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock", key)
        for key, shared in before
    ]
    calls += [("pg_advisory_xact_lock", key) for key in sorted(set(keys))]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                "set_config(%s, %s, true)" if function == "set_config" else f"{function}(%s, %s)"
                for function, _ in calls
            ),
            [part for _, key in calls for part in key],
        )


def lock_key(namespace: int, value) -> tuple[int, int]:
    return (namespace, zlib.crc32(str(value).encode()) - 2**31)


def lock_all(shared: bool = False) -> None:
    """rebuild() holds this exclusively; every refresh() shares it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
            cursor.execute(f"SELECT {lock}(%s, %s)", (REBUILD_LOCK, 0))


REBUILD_LOCK, EVENT_LOCK, SOURCE_LOCK, STOCK_LOCK, COVER_LOCK = 7100, 7101, 7102, 7103, 7104
