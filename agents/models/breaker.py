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
    reset_seconds: float = 30.0  # how long it stays open before a probe
    clock: Callable[[], float] = time.monotonic
    _failures: int = field(default=0, init=False)
    _opened_at: float | None = field(default=None, init=False)
    _probing: bool = field(default=False, init=False)

    @property
    def is_open(self) -> bool:
        """Open (calls should not be made) and not yet due a probe."""
        return self._opened_at is not None and (self._probing or self.clock() - self._opened_at < self.reset_seconds)

    def allow(self) -> bool:
        """Whether a call may go out now; when the circuit is due a probe, the first caller gets it."""
        if self._opened_at is None:
            return True
        if self._probing or self.clock() - self._opened_at < self.reset_seconds:
            return False
        self._probing = True
        return True

    def record_success(self) -> None:
        self._failures, self._opened_at, self._probing = 0, None, False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at, self._probing = self.clock(), False
