"""The guard's credential on its verdict calls: added by the guard process, never seen by a model.

The rules server issues an approval only to a caller presenting the guard credential
(`ServerDeps.guard_credential`). The guard's model must not hold it — a model's context can be
read back or steered by injected text — so the guard's toolset hides the argument from the tool
definition the model sees and adds it to the call on the way to the server.
"""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from agents.context import RunContext
from agents.messages import ToolCall, ToolResult
from agents.models import ToolDefinition
from agents.toolset import Toolset

CREDENTIAL_ARGUMENT = "guard_credential"


class CredentialedTools:
    """`inner` with `credential` added to every call of `tool`, and the argument hidden from its schema."""

    def __init__(self, inner: Toolset, tool: str, credential: str) -> None:
        self._inner, self._tool, self._credential = inner, tool, credential
        self._definitions = tuple(_without_credential(d) if d.name == tool else d for d in inner.definitions)

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return self._definitions

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        if call.name != self._tool:
            return await self._inner.call(call, ctx)
        # Whatever the model put there is replaced: only the process's own credential goes out.
        arguments = {**call.arguments, CREDENTIAL_ARGUMENT: self._credential}
        return await self._inner.call(replace(call, arguments=arguments), ctx)


def _without_credential(definition: ToolDefinition) -> ToolDefinition:
    schema: dict[str, Any] = dict(definition.input_schema)
    schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k != CREDENTIAL_ARGUMENT}
    if "required" in schema:
        schema["required"] = [name for name in schema["required"] if name != CREDENTIAL_ARGUMENT]
    return replace(definition, input_schema=schema)
