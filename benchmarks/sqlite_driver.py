"""SQLite driver benchmark: what one small statement costs through SQLAlchemy's asyncio engine.

    python -P benchmarks/sqlite_driver.py [--statements 3000]

Times, on a 10,000-member table in a temporary file, a one-row SELECT by primary key (ORM `get`)
and a whole session around one (open, query, end), through:

- SQLAlchemy's stock `sqlite+aiosqlite` driver (aiosqlite: four thread crossings per statement);
- the product's driver (`tools.storage.sqlite_driver`: one crossing per statement, none to end
  a read-only session);
- plain synchronous SQLAlchemy on `sqlite3`, the floor (no thread, no event loop).
"""

import argparse
import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session

from tools.storage.db import create_engine as product_engine

ROWS = 10_000


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"
    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)


def seed(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE members (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)")
        conn.executemany(
            "INSERT INTO members VALUES (?, ?)", ((i, f"member {i}") for i in range(1, ROWS + 1))
        )


async def time_async(engine: AsyncEngine, n: int) -> tuple[float, float]:
    sessions = async_sessionmaker(engine)
    async with sessions() as session:  # open the pool's connection outside the timing
        await session.get(Member, 1)
    started = time.perf_counter()
    async with sessions() as session:
        for i in range(n):
            await session.get(Member, i % ROWS + 1)
    statement = (time.perf_counter() - started) / n
    started = time.perf_counter()
    for i in range(n):
        async with sessions() as session:
            await session.get(Member, (i * 7) % ROWS + 1)
    whole = (time.perf_counter() - started) / n
    await engine.dispose()
    return statement, whole


def time_sync(url: str, n: int) -> tuple[float, float]:
    engine = create_engine(url)
    with Session(engine) as session:
        session.get(Member, 1)
    started = time.perf_counter()
    with Session(engine) as session:
        for i in range(n):
            session.get(Member, i % ROWS + 1)
    statement = (time.perf_counter() - started) / n
    started = time.perf_counter()
    for i in range(n):
        with Session(engine) as session:
            session.get(Member, (i * 7) % ROWS + 1)
    whole = (time.perf_counter() - started) / n
    engine.dispose()
    return statement, whole


def main(n: int) -> None:
    path = Path(tempfile.mkdtemp(prefix="bench-sqlite-")) / "members.db"
    seed(path)
    url = f"sqlite+aiosqlite:///{path}"
    runs: list[tuple[str, Callable[[], tuple[float, float]]]] = [
        (
            "aiosqlite (SQLAlchemy's stock driver)",
            lambda: asyncio.run(time_async(create_async_engine(url), n)),
        ),
        ("tools.storage.sqlite_driver", lambda: asyncio.run(time_async(product_engine(url), n))),
        ("synchronous sqlite3 (the floor)", lambda: time_sync(f"sqlite:///{path}", n)),
    ]
    table = Table(title=f"One-row SELECT by primary key, {n:,} times each")
    for column in ("driver", "statement in an open session (ms)", "session + statement (ms)"):
        table.add_column(column, justify="right" if column != "driver" else "left")
    for name, timed in runs:
        statement, whole = timed()
        table.add_row(name, f"{statement * 1000:.3f}", f"{whole * 1000:.3f}")
    Console(width=120).print(table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--statements", type=int, default=3000)
    main(parser.parse_args().statements)
