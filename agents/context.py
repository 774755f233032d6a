"""The state of one agent run, handed to every tool call it makes."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.decision_log import DecisionLog
from agents.limits import RunBudget
from agents.messages import Usage
from agents.transcript import Transcript


@dataclass
class RunContext:
    """Mutable per-run state. Tools read it; a finished sub-run is absorbed into its parent's."""

    trace_id: str
    agent: str
    log: DecisionLog
    budget: RunBudget
    depth: int = 0
    parent: RunContext | None = None
    turn: int = 0
    usage: Usage = field(default_factory=Usage)
    degraded: bool = False
    delegations: list[Transcript] = field(default_factory=list)

    def absorb(self, child: Transcript) -> None:
        """Fold a finished sub-run into this run: its usage, degradation and transcript."""
        self.usage = self.usage + child.usage
        self.degraded = self.degraded or child.degraded
        self.delegations.append(child)
