"""The one narrow model interface: a request in, a response out.

Claude and the local model are peers behind `Model`; the agent loop never knows which brain it
drives.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from agents.messages import Message, ModelResponse, ToolResult, UserMessage, UserText


@dataclass(frozen=True)
class ToolDefinition:
    """A tool as a model sees it: a name, what it does, and the JSON schema of its arguments."""

    name: str
    description: str
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    # True for MCP tools: their server validates arguments against this schema (and answers a
    # tool error), so the loop need not check them a second time on the way.
    server_validates: bool = False


@dataclass(frozen=True)
class ModelRequest:
    """Everything a model may see for one turn, and nothing else.

    `role` names the agent (orchestrator, reactivation, guard, ...): Claude picks its model by it,
    the local model picks its policy by it.
    """

    role: str
    system_prompt: str
    messages: tuple[Message, ...]
    tools: tuple[ToolDefinition, ...] = ()

    @property
    def last_user_text(self) -> str:
        """The most recent text the user sent ("" if none)."""
        for message in reversed(self.messages):
            if isinstance(message, UserMessage):
                texts = [part.text for part in message.parts if isinstance(part, UserText)]
                if texts:
                    return "\n".join(texts)
        return ""

    @property
    def latest_tool_results(self) -> tuple[ToolResult, ...]:
        """The tool results the model has not answered yet (empty at the start of a run)."""
        if not self.messages or not isinstance(last := self.messages[-1], UserMessage):
            return ()
        return tuple(part for part in last.parts if isinstance(part, ToolResult))

    @property
    def turn(self) -> int:
        """How many responses the model has already given in this conversation."""
        return sum(isinstance(message, ModelResponse) for message in self.messages)


class Model(ABC):
    """An async model backend."""

    @property
    @abstractmethod
    def name(self) -> str:
        """A short name for logs and transcripts."""

    def model_id(self, role: str) -> str:
        """The model that answers for `role` when all is well (Claude's per-role model id)."""
        return self.name

    @abstractmethod
    async def request(self, request: ModelRequest) -> ModelResponse:
        """Answer one turn: with text, tool calls, or both."""
