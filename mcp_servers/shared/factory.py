"""Creating an MCPServer with or without HTTP authentication, the same way for every server."""

from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult
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


def new_server(name: str, title: str, instructions: str, http: HttpAuth | None = None) -> MCPServer:
    token = StaticToken(http.token) if http is not None else None
    return LoyaltyServer(name, title=title, instructions=instructions, version="0.1.0", token=token)
