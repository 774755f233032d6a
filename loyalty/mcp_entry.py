"""Running one MCP server from settings: over stdio (Claude Desktop) or Streamable HTTP.

Nothing may be printed to stdout here: under stdio it is the protocol wire.
"""

from functools import partial

import anyio

from loyalty.logs import configure_logging
from loyalty.runtime.frames import keep_frame_fresh
from loyalty.settings import Settings, load_settings
from loyalty.wiring import open_product
from mcp_servers.registry import SERVERS
from mcp_servers.shared.factory import HttpAuth
from tools.errors import InvalidInput
from tools.events.http import MIN_TOKEN_CHARS

# The servers whose calls read profiles most: a person browsing members, an agent scoring them.
PROFILE_SERVERS = ("customer-data", "offers-inventory")


def http_auth(settings: Settings, host: str, port: int) -> HttpAuth:
    token = settings.mcp_http_token.get_secret_value() if settings.mcp_http_token is not None else ""
    if len(token) < MIN_TOKEN_CHARS:
        raise InvalidInput(f"serving over HTTP needs a bearer token of {MIN_TOKEN_CHARS}+ characters: set "
                           f"LOYALTY_MCP_HTTP_TOKEN ({len(token)} given)")
    return HttpAuth(host=host, port=port, token=token)


async def serve(name: str, settings: Settings, *, http: tuple[str, int] | None = None) -> None:
    if name not in SERVERS:
        raise InvalidInput(f"unknown server {name!r}: choose one of {', '.join(SERVERS)}")
    auth = http_auth(settings, *http) if http else None
    _, builder = SERVERS[name]
    async with open_product(settings) as product, anyio.create_task_group() as background:
        if settings.profile_frame_refresh and name in PROFILE_SERVERS:
            background.start_soon(partial(keep_frame_fresh, product.profiles,
                                          every=settings.profile_catch_up_seconds))
        server = builder(product.deps, auth)
        if auth is None:
            await server.run_stdio_async()
        else:
            await server.run_streamable_http_async(host=auth.host, port=auth.port)
        background.cancel_scope.cancel()


def main(name: str) -> None:
    """`python -m mcp_servers.<name>`: stdio with settings from the environment."""
    settings = load_settings()
    configure_logging(settings.log_level, "json")
    anyio.run(serve, name, settings)
