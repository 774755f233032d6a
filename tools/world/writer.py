"""Writing a generated world: every table in one transaction, column-wise through `bulk_insert`.

Tables go in foreign-key order, in slices so the Python objects the driver needs exist for one
slice at a time rather than for millions of rows at once. If anything fails the transaction rolls
back and the database is as it was.

On SQLite the load is arranged the way bulk loaders do it, all inside the same transaction:
- CHECK constraints are verified once per table after loading instead of row by row: SQLite
  evaluates `col IN ('a', 'b', ...)` by building a small index for every row inserted, which made
  those checks a third of the seeding time. Every check still holds before the transaction commits
  (a violation raises and rolls everything back).
- Secondary (non-unique) indexes of large tables are dropped before their rows go in and rebuilt
  after: one sort instead of millions of random B-tree inserts. SQLite DDL is transactional, so a
  failure restores them with everything else. Unique indexes stay and keep guarding their keys.
- A larger page cache, so a transaction of millions of rows does not spill and re-read pages
  through the write-ahead log at every step.
PostgreSQL loads with COPY and checks rows as usual.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from sqlalchemy import CheckConstraint, Index, Table
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, DropIndex

from tools.progress import Progress
from tools.storage import Base, Database, bulk_insert
from tools.world.generator import World
from tools.world.rows import Columns
from tools.world.stamp import WorldInfo, stamp_world

SLICE_ROWS = 200_000
REBUILD_ROWS = 100_000  # tables at least this large load without their secondary indexes
LOAD_CACHE_KIB = -262_144  # negative: KiB, so 256 MiB


class ConstraintViolationError(RuntimeError):
    """Generated rows broke a CHECK constraint: a bug in the generator, never bad user input, so
    outside the `LoyaltyError` tree (the CLI logs it with its traceback)."""


def _slices(columns: Columns, rows: int) -> Iterator[Columns]:
    for start in range(0, rows, SLICE_ROWS):
        yield {name: values[start : start + SLICE_ROWS] for name, values in columns.items()}


async def _verify_checks(conn: AsyncConnection, tables: list[Table]) -> None:
    for table in tables:
        checks = [c for c in table.constraints if isinstance(c, CheckConstraint)]
        if not checks:
            continue
        broken = " OR ".join(f"NOT ({c.sqltext})" for c in checks)
        row = (await conn.exec_driver_sql(f"SELECT * FROM {table.name} WHERE {broken} LIMIT 1")).first()
        if row is not None:
            raise ConstraintViolationError(f"{table.name} row breaks a CHECK constraint: {tuple(row)}")


class _Loader:
    """Inserts tables on one connection; on SQLite, in the bulk-load arrangement described above."""

    def __init__(self, conn: AsyncConnection, progress: Progress) -> None:
        self.conn = conn
        self.progress = progress
        self.sqlite = conn.dialect.name == "sqlite"
        self.dropped: list[Index] = []

    async def insert(self, table: Table, columns: Columns, rows: int) -> None:
        if self.sqlite and rows >= REBUILD_ROWS:
            await self._drop_secondary_indexes(table)
        for part in _slices(columns, rows):
            self.progress.advance(await bulk_insert(self.conn, table, part))

    async def _drop_secondary_indexes(self, table: Table) -> None:
        driver = (await self.conn.get_raw_connection()).driver_connection
        if driver is None or not driver.in_transaction:  # DDL outside it would commit on its own
            raise RuntimeError("secondary indexes may only be dropped inside the load's transaction")
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if not index.unique:
                await self.conn.execute(DropIndex(index))
                self.dropped.append(index)

    async def finish(self) -> None:
        for index in self.dropped:
            await self.conn.execute(CreateIndex(index))


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
            loader = _Loader(conn, progress)
            for table in tables:
                await loader.insert(table, world.tables[table.name], counts[table.name])
            await loader.finish()
        await stamp_world(conn, info)
