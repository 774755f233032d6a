"""Set-based inserts for large loads (seeding, imports): columns in, one round trip per chunk.

Going through the ORM costs an object per row; through Core `insert()` it costs bind processing
per value. Here values are converted once per column (vectorised for numpy arrays) and sent with
the driver's executemany, or with COPY on PostgreSQL.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

Columns = Mapping[str, np.ndarray | Sequence[Any]]

CHUNK_ROWS = 50_000


async def bulk_insert(conn: AsyncConnection, table: Table, columns: Columns) -> int:
    """Insert the rows given column-wise; returns the row count. Runs inside the caller's
    transaction, so a failure leaves nothing behind once the caller rolls back."""
    names = list(columns)
    unknown = set(names) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
    lengths = {len(columns[n]) for n in names}
    if len(lengths) > 1:
        raise ValueError(f"columns for {table.name} differ in length: {lengths}")
    count = lengths.pop() if lengths else 0
    if count == 0:
        return 0
    dialect = conn.dialect.name
    values = [_to_python(columns[n], dialect) for n in names]
    if dialect == "postgresql":
        await _copy_postgres(conn, table, names, values)
        if "id" in names and table.c.id.autoincrement in (True, "auto"):
            # COPY with explicit ids does not move the SERIAL sequence; later inserts would collide.
            await conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT MAX(id) FROM {table.name}))"
            )
    else:
        await _executemany(conn, table, names, values)
    return count


def _to_python(column: np.ndarray | Sequence[Any], dialect: str) -> list[Any]:
    if not isinstance(column, np.ndarray):
        return list(column)
    if np.issubdtype(column.dtype, np.datetime64):
        micro = column.astype("datetime64[us]")
        if dialect == "sqlite":
            # SQLAlchemy's SQLite DateTime storage format; NaT becomes NULL.
            text = np.char.replace(np.datetime_as_string(micro, unit="us"), "T", " ").astype(object)
            text[np.isnat(micro)] = None
            return text.tolist()
        return micro.astype(object).tolist()
    if column.dtype == np.bool_:
        return column.tolist()
    return column.tolist()


async def _executemany(
    conn: AsyncConnection, table: Table, names: list[str], values: list[list[Any]]
) -> None:
    marks = _placeholders(conn.dialect.paramstyle, len(names))
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
    rows = list(zip(*values, strict=True))
    for start in range(0, len(rows), CHUNK_ROWS):
        await conn.exec_driver_sql(sql, rows[start : start + CHUNK_ROWS])


def _placeholders(paramstyle: str, n: int) -> str:
    if paramstyle == "qmark":
        return ", ".join("?" * n)
    if paramstyle in ("numeric_dollar", "numeric"):
        sign = "$" if paramstyle == "numeric_dollar" else ":"
        return ", ".join(f"{sign}{i + 1}" for i in range(n))
    if paramstyle in ("format", "pyformat"):
        return ", ".join(["%s"] * n)
    raise ValueError(f"unsupported paramstyle {paramstyle}")


async def _copy_postgres(
    conn: AsyncConnection, table: Table, names: list[str], values: list[list[Any]]
) -> None:
    # SQLAlchemy's asyncpg adapter opens its transaction lazily, on the first statement it runs;
    # run one so the COPY below is inside it rather than autocommitted.
    await conn.exec_driver_sql("SELECT 1")
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # asyncpg.Connection, inside the caller's transaction
    records = list(zip(*values, strict=True))
    try:
        await driver.copy_records_to_table(
            table.name, records=records, columns=names, schema_name=table.schema
        )
    except Exception as exc:
        # Raise what the SQLite path raises, so callers catch one family whatever the backend.
        if type(exc).__name__.endswith("ViolationError"):
            raise IntegrityError(f"COPY {table.name}", None, exc) from exc
        raise
