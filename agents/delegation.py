"""Delegation as a tool call: the parent's model asks, a sub-agent runs on the parent's budget."""

from __future__ import annotations

from collections.abc import Sequence

from agents.agent import Agent
from agents.context import RunContext
from agents.errors import TerminationReason
from agents.loop import run_subagent
from agents.messages import ToolCall, ToolResult
from agents.models import ToolDefinition


class Delegation:
    """A one-tool toolset (`delegate_to_<agent>` by default) that runs `agent` on a request text."""

    def __init__(self, agent: Agent, *, description: str, tool_name: str | None = None) -> None:
        self._agent = agent
        self._definition = ToolDefinition(
            name=tool_name or f"delegate_to_{agent.name}",
            description=description,
            input_schema={
                "type": "object",
                "properties": {"request": {"type": "string", "description": f"What {agent.name} should do."}},
                "required": ["request"],
                "additionalProperties": False,
            },
        )

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return (self._definition,)

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        result = await run_subagent(self._agent, str(call.arguments["request"]), parent=ctx)
        return ToolResult(
            call.id,
            call.name,
            {"agent": self._agent.name, "termination": result.termination.value, "output": result.output},
            is_error=result.termination is not TerminationReason.COMPLETED,
        )
