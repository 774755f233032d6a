"""A circuit breaker for a remote model: after a run of failures, stop calling it for a while.

During an outage every call would otherwise spend its retries and their waits before falling back;
with the breaker open, calls go to the fallback at once, and after `reset_seconds` one probe call
is let through (half-open) to see whether the service is back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CircuitBreaker:
    failure_threshold: int = 5  # consecutive failed attempts that open the circuit
    reset_seconds: float = 30.0  # how long it stays open before a probe (and a probe may take)
    clock: Callable[[], float] = time.monotonic
    _failures: int = field(default=0, init=False)
    _opened_at: float | None = field(default=None, init=False)
    _probe_at: float | None = field(default=None, init=False)  # when the probe in flight went out

    @property
    def is_open(self) -> bool:
        """Open (calls should not be made) and not yet due a probe."""
        if self._opened_at is None:
            return False
        now = self.clock()
        if self._probe_at is not None:
            return now - self._probe_at < self.reset_seconds
        return now - self._opened_at < self.reset_seconds

    def allow(self) -> bool:
        """Whether a call may go out now; when the circuit is due a probe, the first caller gets it.
        A probe that never reported back (cancelled by a deadline) is given up after
        `reset_seconds`, so the circuit cannot stay open for good."""
        if self._opened_at is None:
            return True
        if self.is_open:
            return False
        self._probe_at = self.clock()
        return True

    def record_success(self) -> None:
        """The API answered (even with a rejection of the request itself): it is up."""
        self._failures, self._opened_at, self._probe_at = 0, None, None

    def record_failure(self) -> None:
        self._failures += 1
        if self._probe_at is not None or self._failures >= self.failure_threshold:
            self._opened_at, self._probe_at = self.clock(), None
