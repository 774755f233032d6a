"""Run limits, and the budget they become once a run starts.

A budget is shared down a delegation tree: a sub-agent's budget has the parent's as its parent,
so tokens it spends are charged all the way up, and it can never outlive the parent's deadline
or overspend the parent's tokens, however its own limits are set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import anyio


@dataclass(frozen=True)
class Limits:
    max_turns: int = 10
    max_seconds: float | None = 60.0
    max_total_tokens: int | None = None


@dataclass
class RunBudget:
    max_total_tokens: int | None
    deadline: float  # on anyio's clock; math.inf for none
    parent: RunBudget | None = None
    spent_tokens: int = 0

    @classmethod
    def start(cls, limits: Limits, parent: RunBudget | None = None) -> RunBudget:
        deadline = math.inf if limits.max_seconds is None else anyio.current_time() + limits.max_seconds
        if parent is not None:
            deadline = min(deadline, parent.deadline)
        return cls(max_total_tokens=limits.max_total_tokens, deadline=deadline, parent=parent)

    def charge(self, tokens: int) -> None:
        budget: RunBudget | None = self
        while budget is not None:
            budget.spent_tokens += tokens
            budget = budget.parent

    @property
    def tokens_exhausted(self) -> bool:
        budget: RunBudget | None = self
        while budget is not None:
            if budget.max_total_tokens is not None and budget.spent_tokens >= budget.max_total_tokens:
                return True
            budget = budget.parent
        return False
