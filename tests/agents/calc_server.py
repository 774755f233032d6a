"""A tiny in-process MCP server for agent tests; it records which tools really executed."""

from __future__ import annotations

from typing import Annotated

from mcp import MCPError
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

TABLE = {"apple": "fruit", "kale": "vegetable"}


def calc_server(executed: list[str], name: str = "calc") -> MCPServer:
    server = MCPServer(name)

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        executed.append("add")
        return a + b

    @server.tool()
    def lookup(key: Annotated[str, Field(description="Item to classify")]) -> dict[str, str]:
        """Classify an item."""
        executed.append("lookup")
        if key not in TABLE:
            raise ToolError(f"no item {key!r}")
        return {"key": key, "kind": TABLE[key]}

    @server.tool(structured_output=False)
    def shout(words: str) -> str:
        """Upper-case some words (text only, no structured output)."""
        executed.append("shout")
        return words.upper()

    @server.tool()
    def broken() -> str:
        """Fails at the protocol level."""
        executed.append("broken")
        raise MCPError(-32603, "database unavailable")

    return server
