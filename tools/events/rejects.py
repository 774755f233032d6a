"""Records an ingestion could not take, each with its line number and the reason.

Nothing is dropped silently: every reject is counted in the report, listed there (up to a bound,
so a file of garbage cannot exhaust memory) and, when a path is given, written in full to a JSON
Lines file whose lines can be corrected and fed back in.
"""

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tools.files import owner_only

MAX_RECORD_CHARS = 2_000


class Reject(BaseModel):
    line: int
    code: str
    reason: str


class EventRejects:
    """Collects rejects; `flush` appends the pending ones to the file (off the event loop)."""

    def __init__(self, path: Path | None, *, max_listed: int) -> None:
        self.path = path
        self.max_listed = max_listed
        self.listed: list[Reject] = []
        self.counts: Counter[str] = Counter()
        self._pending: list[str] = []
        if path is not None:
            # Truncate now: a clean run must not leave an earlier run's rejects looking current.
            owner_only(path).write_text("", encoding="utf-8")  # rejected records are member data

    def add(self, line: int, code: str, reason: str, record: Any) -> None:
        self.counts[code] += 1
        if len(self.listed) < self.max_listed:
            self.listed.append(Reject(line=line, code=code, reason=reason))
        if self.path is not None:
            self._pending.append(
                json.dumps(
                    {"line": line, "code": code, "reason": reason, "record": _bounded(record)},
                    ensure_ascii=False,
                    default=str,
                )
            )

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    async def flush(self) -> None:
        if self.path is None or not self._pending:
            return
        lines, self._pending = self._pending, []
        await asyncio.to_thread(_append, self.path, lines)


def _append(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _bounded(record: Any) -> Any:
    """The record as received, or its text cut short when it is too large to keep whole."""
    text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False, default=str)
    if len(text) <= MAX_RECORD_CHARS:
        return record
    return text[:MAX_RECORD_CHARS] + "…"
