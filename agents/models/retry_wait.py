"""How long to wait before retrying a failed API call: what the server asked for, else backoff.

A 429 or 529 carries `retry-after` (seconds) or `retry-after-ms`; waiting less only earns another
rejection. The wait is capped so a server asking for minutes makes the call fail over instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anthropic
from tenacity import RetryCallState, wait_random_exponential
from tenacity.wait import wait_base


def retry_after_seconds(error: BaseException | None) -> float | None:
    """The wait an API error's response asks for, if any."""
    if not isinstance(error, anthropic.APIStatusError):
        return None
    headers = error.response.headers
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue  # an HTTP date: rare from this API; fall back to our own backoff
        if seconds >= 0:
            return seconds
    return None


@dataclass(frozen=True)
class WaitRetryAfter(wait_base):
    """The server's `retry-after` when it sent one (capped at `max_seconds`), else `backoff`."""

    backoff: wait_base = field(default_factory=lambda: wait_random_exponential(multiplier=0.5, max=8))
    max_seconds: float = 30.0

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        asked = retry_after_seconds(error)
        if asked is not None:
            return min(asked, self.max_seconds)
        return min(self.backoff(retry_state), self.max_seconds)
