"""A whole run as one record: exportable as JSON, re-loadable, replayable.

A transcript holds what the model saw and said, what the run cost and how it ended, and the
transcripts of any sub-agents it delegated to, so a decision can be explained after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from agents.errors import TerminationReason
from agents.messages import Message, Usage


@dataclass(frozen=True)
class Transcript:
    trace_id: str
    agent: str
    system_prompt: str
    messages: tuple[Message, ...]
    output: str
    termination: TerminationReason
    usage: Usage
    degraded: bool
    delegations: tuple[Transcript, ...] = ()
    detail: str = ""  # why a run that did not complete stopped, in one line

    def to_json(self, *, indent: int | None = None) -> str:
        return _ADAPTER.dump_json(self, indent=indent).decode()

    @classmethod
    def from_json(cls, data: str | bytes) -> Transcript:
        return _ADAPTER.validate_json(data)


_ADAPTER = TypeAdapter(Transcript)
