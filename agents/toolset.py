"""What an agent can call: the `Toolset` protocol, combination, and argument checking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from agents.context import RunContext
from agents.errors import ConfigurationError, InvalidArgumentsError, UnknownToolError
from agents.messages import ToolCall, ToolResult
from agents.models import ToolDefinition


class Toolset(Protocol):
    """Tools an agent may see and call. `call` is only given names from `definitions`."""

    @property
    def definitions(self) -> Sequence[ToolDefinition]: ...

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult: ...


class CombinedToolset:
    """Several toolsets as one (e.g. MCP tools plus delegation tools), routed by tool name."""

    def __init__(self, *toolsets: Toolset) -> None:
        self._owners: dict[str, Toolset] = {}
        for toolset in toolsets:
            for definition in toolset.definitions:
                if definition.name in self._owners:
                    raise ConfigurationError(f"two toolsets define a tool named {definition.name!r}")
                self._owners[definition.name] = toolset
        self._definitions = tuple(d for toolset in toolsets for d in toolset.definitions)

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return self._definitions

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        owner = self._owners.get(call.name)
        if owner is None:
            raise UnknownToolError(f"unknown tool {call.name!r}")
        return await owner.call(call, ctx)


class ToolCatalog:
    """Checks a model's tool call against the tools it was offered, before anything runs: the name
    always; the arguments unless the tool's server validates them itself (MCP tools)."""

    def __init__(self, definitions: Sequence[ToolDefinition]) -> None:
        self._validators: dict[str, Draft202012Validator | None] = {
            d.name: None if d.server_validates else Draft202012Validator(d.input_schema) for d in definitions
        }

    def check(self, call: ToolCall) -> None:
        if call.name not in self._validators:
            available = ", ".join(sorted(self._validators)) or "none"
            raise UnknownToolError(f"unknown tool {call.name!r}; available tools: {available}")
        validator = self._validators[call.name]
        if validator is None:
            return
        problems = [
            f"{error.json_path}: {error.message}"
            for error in sorted(validator.iter_errors(call.arguments), key=lambda e: e.json_path)
        ]
        if problems:
            raise InvalidArgumentsError(f"invalid arguments for {call.name!r}: " + "; ".join(problems))
