"""A token budget per UTC day for a paid model: past it, the fallback answers until midnight."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DailyTokenBudget:
    limit: int | None  # None: unlimited
    clock: Callable[[], datetime] = _utc_now
    spent: int = 0  # today's, seeded from the usage already logged today when the process starts
    _day: date | None = field(default=None, init=False)

    def _roll(self) -> None:
        today = self.clock().astimezone(UTC).date()
        if self._day != today:
            if self._day is not None:
                self.spent = 0
            self._day = today

    @property
    def exhausted(self) -> bool:
        self._roll()
        return self.limit is not None and self.spent >= self.limit

    def charge(self, tokens: int) -> None:
        self._roll()
        self.spent += tokens
