"""Creating an MCPServer with or without HTTP authentication, the same way for every server."""

from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, Tool
from pydantic import ValidationError
from starlette.applications import Starlette

from mcp_servers.shared.auth import BearerAuth, StaticToken
from mcp_servers.shared.errors import readable


@dataclass(frozen=True)
class HttpAuth:
    """Where a server listens over HTTP and the bearer token clients must send."""

    host: str
    port: int
    token: str


class LoyaltyServer(MCPServer):
    """MCPServer whose argument errors read as a model can act on (`customer_id: Input should be
    a valid integer`, not pydantic's multi-line report with echoed values and links), and whose
    HTTP app requires the bearer token when one is given (`mcp_servers.shared.auth`)."""

    def __init__(self, *args: Any, token: StaticToken | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token = token

    async def list_tools(self) -> list[Tool]:
        """Schemas without pydantic's generated `title` on every field and model ("Page Size"
        for `page_size`): they repeat the name, and a model reads every one of them."""
        return [tool.model_copy(update={"input_schema": untitled(tool.input_schema),
                                        "output_schema": untitled(tool.output_schema)})
                for tool in await super().list_tools()]

    def streamable_http_app(self, **kwargs: Any) -> Starlette:
        app = super().streamable_http_app(**kwargs)
        if self._token is not None:
            app.add_middleware(BearerAuth, token=self._token)
        return app

    async def call_tool(self, name: str, arguments: dict[str, Any],
                        context: Context[Any, Any] | None = None) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(f"invalid arguments for {name}: {readable(exc.__cause__)}") from exc.__cause__
            raise


def untitled(schema: Any) -> Any:
    """`schema` without `title` keywords; a property that is itself named `title` stays."""
    if isinstance(schema, list):
        return [untitled(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: ({name: untitled(sub) for name, sub in value.items()} if key in ("properties", "$defs")
                   else untitled(value))
            for key, value in schema.items() if not (key == "title" and isinstance(value, str))}


def new_server(name: str, title: str, instructions: str, http: HttpAuth | None = None) -> MCPServer:
    token = StaticToken(http.token) if http is not None else None
    return LoyaltyServer(name, title=title, instructions=instructions, version="0.1.0", token=token)
