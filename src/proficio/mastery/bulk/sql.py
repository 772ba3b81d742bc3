"""The SQL the bulk path runs on both databases: rows read straight into NumPy record arrays,
and rows inserted or updated in bulk (COPY on PostgreSQL, executemany on SQLite)."""

from collections.abc import Iterable

import numpy as np
from django.db import connection
from numpy.typing import NDArray

from proficio.mastery.bulk.arrays import Layout

# Rows per statement when writing; keeps each batch's parameters in memory bounds.
WRITE_BATCH = 20_000
# Ids per `IN (…)` list: well under SQLite's limit of bound parameters.
ID_BATCH = 10_000
# Packed rows name a (student, stage) in one integer: student_id · 2³² + stage_id.
ID_BITS = 32


def competency_filter(layout: Layout, column: str) -> tuple[str, list[int]]:
    if layout.scope_competencies is None:
        return "", []
    marks = ", ".join(["%s"] * len(layout.scope_competencies))
    return f" AND {column} IN ({marks})", list(layout.scope_competencies)


def fetch_records(sql: str, params: list, dtype: np.dtype) -> NDArray[np.void]:
    """A query's rows straight into a record array; every column BIGINT or DOUBLE PRECISION.

    On PostgreSQL through COPY in binary: fixed-width fields NumPy reads as they arrive,
    with no Python object per value at all.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return np.fromiter(cursor, dtype=dtype)
        data = bytearray()
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", params) as copy:
            for block in copy:
                data += block
    # Header: an 11-byte signature, 4 bytes of flags, then an extension and its length.
    start = 19 + int.from_bytes(data[15:19], "big")
    fields: list[tuple[str, str]] = [("columns", ">i2")]
    for name in dtype.names:
        width = ">i8" if dtype[name].kind == "i" else ">f8"
        fields += [(f"{name}_length", ">i4"), (name, width)]
    # Each row: its column count, then each value's length and value; a 2-byte trailer ends.
    row = np.dtype(fields)
    raw = np.frombuffer(
        data, dtype=row, offset=start, count=(len(data) - start - 2) // row.itemsize
    )
    rows = np.empty(raw.size, dtype=dtype)
    for name in dtype.names:
        rows[name] = raw[name]
    return rows


def _batches(rows: Iterable[tuple]) -> Iterable[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == WRITE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(model: type, columns: list[str], rows: Iterable[tuple]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, table, columns, rows)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


def update_rows(model: type, columns: list[str], rows: Iterable[tuple]) -> None:
    """Set columns on each row whose id is the row's last value."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY the new values into a scratch table, then one UPDATE joins them in.
            scratch = f"recompute_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{scratch}")
            cursor.execute(
                f"CREATE TEMP TABLE {scratch} AS SELECT {', '.join(columns)}, id "
                f"FROM {table} WITH NO DATA"
            )
            _copy(cursor, scratch, [*columns, "id"], rows)
            assignments = ", ".join(f"{column} = s.{column}" for column in columns)
            cursor.execute(f"UPDATE {table} t SET {assignments} FROM {scratch} s WHERE t.id = s.id")
            cursor.execute(f"DROP TABLE {scratch}")
            return
        assignments = ", ".join(f"{column} = %s" for column in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE id = %s"
        for batch in _batches(rows):
            cursor.executemany(sql, batch)


def _copy(cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL's COPY, many times faster than INSERT for bulk rows."""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
