"""Where every step of every run is written, under the decision's trace id.

`DecisionLog` is the seam: the SQL-backed sink lives with the storage code; `InMemoryDecisionLog`
serves tests, evals and the offline demo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from pydantic import JsonValue


class StepKind(StrEnum):
    RUN_START = "run_start"
    MODEL_REQUEST = "model_request"
    MODEL_RESPONSE = "model_response"
    TOOL_CALL = "tool_call"
    TOOL_RESULT = "tool_result"
    RUN_END = "run_end"


class DecisionLog(Protocol):
    async def record(
        self, trace_id: str, agent: str, step: int, kind: StepKind, payload: Mapping[str, JsonValue]
    ) -> None:
        """Persist one step. `step` is the agent's turn number (0 before the first model call)."""
        ...


@dataclass(frozen=True)
class LogEntry:
    trace_id: str
    agent: str
    step: int
    kind: StepKind
    payload: Mapping[str, JsonValue]


@dataclass
class InMemoryDecisionLog:
    entries: list[LogEntry] = field(default_factory=list)

    async def record(
        self, trace_id: str, agent: str, step: int, kind: StepKind, payload: Mapping[str, JsonValue]
    ) -> None:
        self.entries.append(LogEntry(trace_id, agent, step, kind, payload))

    def for_trace(self, trace_id: str) -> list[LogEntry]:
        return [entry for entry in self.entries if entry.trace_id == trace_id]
