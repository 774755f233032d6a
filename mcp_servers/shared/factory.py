"""Creating an MCPServer with or without HTTP authentication, the same way for every server."""

from dataclasses import dataclass

from mcp.server.mcpserver import MCPServer

from mcp_servers.shared.auth import StaticTokenVerifier, auth_settings


@dataclass(frozen=True)
class HttpAuth:
    """Where a server listens over HTTP and the bearer token clients must send."""

    host: str
    port: int
    token: str


def new_server(name: str, instructions: str, http: HttpAuth | None = None) -> MCPServer:
    if http is None:
        return MCPServer(name, instructions=instructions, version="0.1.0")
    return MCPServer(
        name,
        instructions=instructions,
        version="0.1.0",
        token_verifier=StaticTokenVerifier(http.token),
        auth=auth_settings(http.host, http.port),
    )
