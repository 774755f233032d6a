"""Writing a generated world: every table in one transaction, column-wise through `bulk_insert`.

Tables go in foreign-key order, in slices so the Python objects the driver needs exist for one
slice at a time rather than for millions of rows at once. If anything fails the transaction rolls
back and the database is as it was.

On SQLite two settings apply to this connection for the load only:
- CHECK constraints are verified once per table after loading instead of row by row: SQLite
  evaluates `col IN ('a', 'b', ...)` by building a small index for every row inserted, which made
  those checks a third of the seeding time. Every check still holds before the transaction commits
  (a violation raises and rolls everything back); PostgreSQL checks rows as usual.
- A larger page cache, so a transaction of millions of rows does not spill and re-read pages
  through the write-ahead log at every step.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from sqlalchemy import CheckConstraint, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.importers.progress import Progress
from tools.storage.bulk import bulk_insert
from tools.storage.db import Database
from tools.storage.models import Base
from tools.world.generator import World
from tools.world.rows import Columns
from tools.world.stamp import WorldInfo, stamp_world

SLICE_ROWS = 200_000
LOAD_CACHE_KIB = -262_144  # negative: KiB, so 256 MiB


class ConstraintViolation(AssertionError):
    """Generated rows broke a CHECK constraint: a bug in the generator, never bad user input."""


def _slices(columns: Columns, rows: int) -> Iterator[Columns]:
    for start in range(0, rows, SLICE_ROWS):
        yield {name: values[start:start + SLICE_ROWS] for name, values in columns.items()}


async def _verify_checks(conn: AsyncConnection, tables: list[Table]) -> None:
    for table in tables:
        checks = [c for c in table.constraints if isinstance(c, CheckConstraint)]
        if not checks:
            continue
        broken = " OR ".join(f"NOT ({c.sqltext})" for c in checks)
        row = (await conn.exec_driver_sql(f"SELECT * FROM {table.name} WHERE {broken} LIMIT 1")).first()
        if row is not None:
            raise ConstraintViolation(f"{table.name} row breaks a CHECK constraint: {tuple(row)}")


@asynccontextmanager
async def _sqlite_bulk_load(conn: AsyncConnection, tables: list[Table]) -> AsyncIterator[None]:
    if conn.dialect.name != "sqlite":
        yield
        return
    cache = (await conn.exec_driver_sql("PRAGMA cache_size")).scalar()
    await conn.exec_driver_sql(f"PRAGMA cache_size = {LOAD_CACHE_KIB}")
    await conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        await conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
        await conn.exec_driver_sql(f"PRAGMA cache_size = {cache}")
    await _verify_checks(conn, tables)


async def write_world(db: Database, world: World, info: WorldInfo, progress: Progress) -> None:
    counts = world.row_counts()
    progress.stage("writing", sum(counts.values()))
    tables = [t for t in Base.metadata.sorted_tables if t.name in world.tables]
    async with db.engine.begin() as conn:
        async with _sqlite_bulk_load(conn, tables):
            for table in tables:
                for part in _slices(world.tables[table.name], counts[table.name]):
                    progress.advance(await bulk_insert(conn, table, part))
        await stamp_world(conn, info)
