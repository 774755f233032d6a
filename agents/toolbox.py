"""Agents' only window on the world: MCP servers, reached through `mcp.Client` objects.

`Toolbox.open` enters every client in one `AsyncExitStack`, lists their tools and routes calls
by public name. Each agent gets a `McpTools` view holding only its allow-listed tools: it can
neither see nor call anything else (least privilege).

Tool definitions are converted by hand rather than with `anthropic.lib.tools.mcp`: those helpers
build runnable tools for the SDK's beta tool runner and drop `structured_content` whenever text
content is present, while our loop needs neutral definitions and the exact JSON.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import structlog
from mcp import Client, MCPError
from mcp.types import CallToolResult, TextContent, Tool

from agents.context import RunContext
from agents.errors import ConfigurationError
from agents.messages import ToolCall, ToolResult
from agents.models import ToolDefinition

logger = structlog.get_logger()

SEPARATOR = "__"


@dataclass(frozen=True)
class RoutedTool:
    server: str
    mcp_name: str
    definition: ToolDefinition


class Toolbox:
    """Open MCP connections and every tool they expose, by public name."""

    def __init__(self, clients: Mapping[str, Client], tools: Mapping[str, RoutedTool]) -> None:
        self._clients = dict(clients)
        self._tools = dict(tools)

    @classmethod
    @asynccontextmanager
    async def open(
        cls, clients: Mapping[str, Client], *, prefix_names: bool = True
    ) -> AsyncIterator[Toolbox]:
        """Connect to every server for the duration of the block.

        With `prefix_names`, tools are public as `server__tool`; without it, names are kept and two
        servers exposing the same name is a `ConfigurationError`. Enter and leave the block in the
        same task: MCP clients hold anyio task groups.
        """
        try:
            async with AsyncExitStack() as stack:
                for client in clients.values():
                    await stack.enter_async_context(client)
                tools: dict[str, RoutedTool] = {}
                for server, client in clients.items():
                    for tool in await _list_all_tools(client):
                        public = f"{server}{SEPARATOR}{tool.name}" if prefix_names else tool.name
                        if public in tools:
                            raise ConfigurationError(
                                f"servers {tools[public].server!r} and {server!r} both expose {public!r}; "
                                "open the toolbox with prefix_names=True"
                            )
                        tools[public] = RoutedTool(server, tool.name, _definition(public, tool))
                yield cls(clients, tools)
        except BaseExceptionGroup as group:
            # The clients' task groups wrap whatever crosses them, even one error raised in the
            # block. Unwrap a lone error so callers can catch our error families directly
            # (`except*` handlers still match it).
            raise _sole_error(group) from None

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._tools)

    def restricted_to(self, allowed: Iterable[str]) -> McpTools:
        """The view one agent gets: only the named tools. Unknown names are a config error."""
        allowed = list(allowed)
        unknown = sorted(set(allowed) - self._tools.keys())
        if unknown:
            raise ConfigurationError(f"allow-list names tools no server exposes: {unknown}")
        return McpTools(self._clients, {name: self._tools[name] for name in allowed})


class McpTools:
    """An agent's allow-listed MCP tools. A call to any other name fails without reaching a server."""

    def __init__(self, clients: Mapping[str, Client], tools: Mapping[str, RoutedTool]) -> None:
        self._clients = clients
        self._tools = tools

    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return tuple(tool.definition for tool in self._tools.values())

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        routed = self._tools.get(call.name)
        if routed is None:
            # Same wording as an unknown tool: the model learns nothing about tools it may not use.
            logger.warning("toolbox.refused", trace_id=ctx.trace_id, agent=ctx.agent, tool=call.name)
            return ToolResult(call.id, call.name, f"unknown tool {call.name!r}", is_error=True)
        try:
            result = await self._clients[routed.server].call_tool(routed.mcp_name, dict(call.arguments))
        except Exception as exc:
            # The MCP client reports a failing server in many shapes (MCPError, RuntimeError from
            # output validation, pydantic and anyio stream errors, exception groups of these).
            # All of them are the server's failure: the model is told, the run goes on.
            logger.warning(
                "toolbox.call_failed", trace_id=ctx.trace_id, agent=ctx.agent, tool=call.name, exc_info=True
            )
            return ToolResult(
                call.id, call.name, f"tool {call.name!r} failed: {_describe(exc)}", is_error=True
            )
        return to_tool_result(call, result)


def to_tool_result(call: ToolCall, result: CallToolResult) -> ToolResult:
    """Structured content when the tool gave it (and did not fail), else the text blocks."""
    if result.structured_content is not None and not result.is_error:
        return ToolResult(call.id, call.name, result.structured_content)
    texts = [
        block.text if isinstance(block, TextContent) else f"[{block.type} content omitted]"
        for block in result.content
    ]
    return ToolResult(call.id, call.name, "\n".join(texts), is_error=result.is_error)


def _definition(public_name: str, tool: Tool) -> ToolDefinition:
    return ToolDefinition(
        name=public_name,
        description=tool.description or tool.title or "",
        input_schema=tool.input_schema,
        server_validates=True,
    )


async def _list_all_tools(client: Client) -> list[Tool]:
    tools: list[Tool] = []
    cursor: str | None = None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if cursor is None:
            return tools


def _sole_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(inner) for inner in exc.exceptions)
    if isinstance(exc, MCPError):
        return exc.message
    return str(exc) or type(exc).__name__
