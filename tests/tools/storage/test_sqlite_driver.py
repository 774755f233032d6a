"""The SQLite driver: one thread trip per statement, whole results, and a loop that never waits on SQLite."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tools.storage import sqlite_driver
from tools.storage.db import Database, database


@pytest.fixture
async def numbers(tmp_path: Path) -> AsyncIterator[Database]:
    db = database(f"sqlite+aiosqlite:///{tmp_path / 'n.db'}")
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE n (i INTEGER PRIMARY KEY)"))
        await conn.execute(
            text("INSERT INTO n (i) VALUES (:i)"),
            [{"i": i} for i in range(sqlite_driver.PREFETCH_ROWS * 3 + 7)],
        )
    yield db
    await db.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every crossing to a connection's thread, by the function's name."""
    seen: list[str] = []
    real = sqlite_driver.Connection.run

    async def counting(self: sqlite_driver.Connection, fn, *args):  # type: ignore[no-untyped-def]
        seen.append(getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", "?"))
        return await real(self, fn, *args)

    monkeypatch.setattr(sqlite_driver.Connection, "run", counting)
    return seen


async def test_a_small_select_in_a_read_only_session_is_one_trip(numbers: Database, trips: list[str]) -> None:
    async with numbers.session() as session:  # warm the pool: opening a connection is a trip of its own
        await session.scalar(text("SELECT 1"))
    trips.clear()
    async with numbers.session() as session:
        assert await session.scalar(text("SELECT count(*) FROM n WHERE i < 10")) == 10
    assert trips == ["_execute"]  # no trip to create or close the cursor, none to end the session


async def test_a_write_is_one_trip_and_its_commit_another(numbers: Database, trips: list[str]) -> None:
    async with numbers.session() as session:
        await session.scalar(text("SELECT 1"))
    trips.clear()
    async with numbers.session() as session, session.begin():
        await session.execute(text("DELETE FROM n WHERE i = 0"))
    assert trips == ["_execute", "commit"]


async def test_results_larger_than_the_prefetch_come_back_whole(numbers: Database) -> None:
    async with numbers.session() as session:
        rows = (await session.execute(text("SELECT i FROM n ORDER BY i"))).scalars().all()
    assert rows == list(range(sqlite_driver.PREFETCH_ROWS * 3 + 7))


async def test_streamed_results_arrive_in_order_and_in_full(numbers: Database) -> None:
    async with numbers.engine.connect() as conn:
        result = await conn.stream(text("SELECT i FROM n ORDER BY i"))
        seen = [row.i async for row in result]
    assert seen == list(range(sqlite_driver.PREFETCH_ROWS * 3 + 7))


async def test_a_writer_waiting_for_the_lock_does_not_stop_the_event_loop(numbers: Database) -> None:
    """SQLite's busy wait runs on the connection's thread: the first writer, on this same loop, can
    commit while the second waits for its lock (an inline driver would deadlock here)."""
    async with numbers.engine.connect() as first, numbers.engine.connect() as second:
        await first.execute(text("BEGIN IMMEDIATE"))
        await first.execute(text("INSERT INTO n (i) VALUES (-1)"))
        waiting = asyncio.create_task(second.execute(text("INSERT INTO n (i) VALUES (-2)")))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # blocked on SQLite's lock, off the loop
        await first.execute(text("COMMIT"))
        await waiting
        await second.commit()
    async with numbers.session() as session:
        assert await session.scalar(text("SELECT count(*) FROM n WHERE i < 0")) == 2


async def test_a_failed_statement_leaves_the_connection_usable(numbers: Database) -> None:
    async with numbers.session() as session:
        with pytest.raises(Exception, match="no such table"):
            await session.execute(text("SELECT * FROM missing"))
        await session.rollback()
        assert await session.scalar(text("SELECT count(*) FROM n WHERE i < 3")) == 3


async def test_closing_twice_is_harmless(tmp_path: Path) -> None:
    connection = await sqlite_driver.connect(str(tmp_path / "x.db"))
    await connection.close()
    await connection.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        await connection.commit()


async def test_an_inline_engine_runs_statements_on_the_loop_thread_except_off_the_loop(
    tmp_path: Path,
) -> None:
    db = database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}", sqlite_inline=True)

    async def thread_of_a_statement() -> int:
        async with db.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.create_function("thread_id", 0, threading.get_ident)
            return int(await conn.scalar(text("SELECT thread_id()")))

    try:
        assert await thread_of_a_statement() == threading.get_ident()  # no crossing
        with sqlite_driver.off_the_loop():
            assert (
                await thread_of_a_statement() != threading.get_ident()
            )  # a bulk read: the connection's thread
        assert await thread_of_a_statement() == threading.get_ident()  # only inside the context
    finally:
        await db.dispose()


async def test_by_default_statements_never_run_on_the_loop_thread(numbers: Database) -> None:
    async with numbers.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        await raw.create_function("thread_id", 0, threading.get_ident)
        assert int(await conn.scalar(text("SELECT thread_id()"))) != threading.get_ident()


# --- the same SQL run again while the last run's cursor is freed elsewhere ------------------------

INSERT_CHUNK = "INSERT INTO chunk (a, b, c) VALUES (?, ?, ?)"


async def test_a_cursor_freed_on_the_loop_while_its_statement_runs_again_breaks_nothing(
    tmp_path: Path,
) -> None:
    """A bulk load sends chunk after chunk of one INSERT; sqlite3 runs them all on one cached
    statement. Each chunk's cursor used to keep that statement, and freeing the cursor on the
    event loop's thread while the next chunk ran on the connection's thread reset the statement
    under it: `InterfaceError: bad parameter or other API misuse`, in about one chunk in five here."""
    conn = await sqlite_driver.connect(str(tmp_path / "c.db"))
    await conn.cursor().execute("CREATE TABLE chunk (a TEXT, b REAL, c INTEGER)")
    rows = [(f"x{i}", i * 0.5, i) for i in range(2_000)]
    held: list[sqlite_driver.Cursor] = []
    failures: list[str] = []
    for _ in range(60):
        cursor = conn.cursor()
        running = asyncio.ensure_future(cursor.executemany(INSERT_CHUNK, rows))
        while not running.done():  # the loop thread drops the last chunk's cursor meanwhile
            await asyncio.sleep(0.0003)
            held.clear()
        try:
            await running
        except sqlite3.Error as exc:
            failures.append(repr(exc))
        held.append(cursor)
    await conn.commit()
    counted = await conn.cursor().execute("SELECT COUNT(*) FROM chunk")
    assert failures == [] and await counted.fetchone() == (120_000,)
    await conn.close()
