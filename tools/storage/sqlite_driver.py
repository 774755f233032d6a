"""SQLite for SQLAlchemy's asyncio engine, one thread round trip per statement.

SQLAlchemy's `sqlite+aiosqlite` dialect drives an aiosqlite connection: each connection owns a
thread, and every cursor operation crosses to it and back through the event loop — create the
cursor, execute, fetch, close: four round trips for a one-row SELECT. `benchmarks/sqlite_driver.py`
measured 0.60 ms for one through aiosqlite, 0.33 ms through this driver and 0.09 ms in synchronous
`sqlite3`; an agent decision makes ~30 statements in ~10 sessions, and with aiosqlite their
crossings were ~30% of its time.

`connect` returns a connection of the shape that dialect calls (aiosqlite's: awaitable `commit`,
`rollback`, `close`, `create_function`, cursors with awaitable `execute` / `fetch*` / `close`)
with the same thread model — one thread per connection, so queries never block the event loop and
SQLite's busy waits happen off it — but one crossing per statement: `execute` runs the statement
and fetches its first rows in the same trip; a cursor whose rows all came back is already closed;
`commit` and `rollback` outside a transaction (a read-only session ending) need no trip at all.

An engine opened `inline` runs statements on the event loop's own thread instead, except inside
`off_the_loop()`. It is for a process doing one thing at a time, a decision worker on the local
model: its statements are point reads and small writes, and the round trip to a thread cost more
than they do. `benchmarks/decision.py` measured a sent decision's p50 at 30–36 ms inline in most
runs, against 54–55 ms with the crossings, on the same machine in the same hour. Bulk reads that
take seconds (a whole-base profile frame, model training) mark themselves `off_the_loop()`, so a
background refresh never stalls the decisions. A busy wait on another process's write lock does
block such a process's loop: it has nothing else to do meanwhile. Servers answering concurrent
requests keep the crossings.
"""

import asyncio
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from tools.files import owner_only

T = TypeVar("T")

_OFF_THE_LOOP: ContextVar[bool] = ContextVar("sqlite_off_the_loop", default=False)


@contextmanager
def off_the_loop() -> Iterator[None]:
    """Statements awaited in this context (and in tasks it starts) run on their connection's
    thread even on an inline engine: for reads that take seconds."""
    token = _OFF_THE_LOOP.set(True)
    try:
        yield
    finally:
        _OFF_THE_LOOP.reset(token)


# Rows fetched together with the statement. SQLAlchemy fetches everything at once outside streaming,
# so results up to this size cost one trip; larger ones and server-side (streamed) results fetch
# the rest on demand.
PREFETCH_ROWS = 512


class Connection:
    """A `sqlite3` connection used from its own thread (check_same_thread off, one statement at a time:
    SQLAlchemy serialises a connection's statements)."""

    def __init__(
        self, connection: sqlite3.Connection, thread: ThreadPoolExecutor, *, inline: bool = False
    ) -> None:
        self._connection: sqlite3.Connection | None = connection  # SQLAlchemy's adapter tests this
        self._thread = thread
        self._inline = inline

    @property
    def raw(self) -> sqlite3.Connection:
        if self._connection is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._inline and not _OFF_THE_LOOP.get():
            return fn(*args)
        return await asyncio.get_running_loop().run_in_executor(self._thread, partial(fn, *args))

    def cursor(self) -> "Cursor":
        return Cursor(self)

    async def commit(self) -> None:
        if self.in_transaction:
            await self.run(self.raw.commit)

    async def rollback(self) -> None:
        if self.in_transaction:
            await self.run(self.raw.rollback)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        await self.run(partial(self.raw.create_function, *args, **kwargs))

    async def close(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            await self.run(connection.close)
        finally:
            self._thread.shutdown(wait=False)

    def stop(self) -> None:
        """Close without waiting (SQLAlchemy's terminate, e.g. when the event loop is gone)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            self._thread.submit(connection.close)
            self._thread.shutdown(wait=False)


class Cursor:
    """A cursor whose `execute` also fetches the first `PREFETCH_ROWS` rows.

    Every `sqlite3.Cursor` is closed on its connection's thread as soon as it has nothing more to
    give (a statement without rows, all rows fetched, an error, an `executemany`), so it no longer
    holds a statement when it is freed. `sqlite3` shares one prepared statement between the
    cursors that run the same SQL (its statement cache), and a cursor still holding one resets it
    when freed: freed on the event loop's thread (when SQLAlchemy drops it, or the garbage
    collector runs) while the connection's thread runs the same SQL again (the next chunk of a bulk
    insert), it reset the statement under that run, which failed with `sqlite3.InterfaceError: bad
    parameter or other API misuse` — in one chunk of five in `tests/tools/storage/test_sqlite_driver.py`.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor: sqlite3.Cursor | None = None
        self._rows: deque[Any] = deque()
        self._exhausted = True
        self.arraysize = 1

    async def __aenter__(self) -> "Cursor":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor is not None else None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount if self._cursor is not None else -1

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid if self._cursor is not None else None

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> "Cursor":
        self._cursor, rows, self._exhausted = await self._connection.run(self._execute, sql, parameters)
        self._rows = deque(rows)
        return self

    def _execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any]
    ) -> tuple[sqlite3.Cursor, list[Any], bool]:
        cursor = self._connection.raw.cursor()
        try:
            cursor.execute(sql, parameters)
            if cursor.description is None:
                cursor.close()
                return cursor, [], True
            rows = cursor.fetchmany(PREFETCH_ROWS)
        except BaseException:
            cursor.close()
            raise
        exhausted = len(rows) < PREFETCH_ROWS
        if exhausted:  # finalise the statement now, on this thread, so close() has nothing to do
            cursor.close()
        return cursor, rows, exhausted

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> "Cursor":
        self._cursor = await self._connection.run(self._executemany, sql, parameters)
        self._rows, self._exhausted = deque(), True
        return self

    def _executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> sqlite3.Cursor:
        cursor = self._connection.raw.cursor()
        try:
            cursor.executemany(sql, parameters)
        finally:
            cursor.close()
        return cursor

    async def fetchone(self) -> Any:
        if not self._rows and not self._exhausted:
            await self._fetch_more(PREFETCH_ROWS)
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = size or self.arraysize
        if len(self._rows) < wanted and not self._exhausted:
            await self._fetch_more(max(wanted - len(self._rows), PREFETCH_ROWS))
        return [self._rows.popleft() for _ in range(min(wanted, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        if not self._exhausted:
            await self._fetch_more(None)
        rows, self._rows = list(self._rows), deque()
        return rows

    async def _fetch_more(self, size: int | None) -> None:
        cursor = self._cursor
        assert cursor is not None
        rows = await self._connection.run(
            cursor.fetchall if size is None else partial(cursor.fetchmany, size)
        )
        self._rows.extend(rows)
        self._exhausted = size is None or len(rows) < size

    async def close(self) -> None:
        self._rows.clear()
        if self._cursor is not None and not self._exhausted:
            self._exhausted = True
            await self._connection.run(self._cursor.close)


async def connect(database: str, *, inline: bool = False) -> Connection:
    """Open `database` (a path, or ":memory:") on a new thread of its own; `inline`: its
    statements run on the event loop's thread, except inside `off_the_loop()`."""
    if database != ":memory:" and not database.startswith("file:"):
        # The database holds every member's personal data: created (or tightened) owner-only
        # before SQLite opens it, and SQLite gives its -wal and -shm files the same mode.
        owner_only(Path(database))
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
    try:
        raw = await asyncio.get_running_loop().run_in_executor(
            thread, partial(sqlite3.connect, database, check_same_thread=False)
        )
    except BaseException:
        thread.shutdown(wait=False)
        raise
    return Connection(raw, thread, inline=inline)
