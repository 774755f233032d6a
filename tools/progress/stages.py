"""The progress protocol and the two reporters the domain needs: none, and a stopwatch."""

import time
from collections import Counter
from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """Start a named step of `total` units (None when the size is not known up front)."""

    def advance(self, units: int = 1) -> None:
        """Count units done in the current step."""


class Silent:
    """Progress that goes nowhere: tests, library callers."""

    def stage(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, units: int = 1) -> None:
        return None


class StageClock:
    """Progress that records how long each stage took (benchmarks), and, when `statement` is
    listened to `before_cursor_execute`, how many SQL statements it ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.statements: Counter[str] = Counter()
        self._current: str | None = None
        self._since = time.perf_counter()

    def stage(self, name: str, total: int | None = None) -> None:
        self.finish()
        self._current, self._since = name, time.perf_counter()

    def advance(self, units: int = 1) -> None:
        return None

    def statement(self, *_: object) -> None:
        """A `before_cursor_execute` listener: an executemany counts once (one driver call)."""
        if self._current is not None:
            self.statements[self._current] += 1

    def finish(self) -> None:
        if self._current is not None:
            self.seconds[self._current] = (
                self.seconds.get(self._current, 0.0) + time.perf_counter() - self._since
            )
        self._current = None
