"""Counting the SQL statements a block of code sends: a deterministic guard on round trips in
tests, and the round trips benchmarks report (an executemany counts once: one driver call)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from tools.storage.db import Database


@dataclass
class Statements:
    sent: list[str]

    def __len__(self) -> int:
        return len(self.sent)


@contextmanager
def counting(db: Database) -> Iterator[Statements]:
    found = Statements([])

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        found.sent.append(statement)

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)
