"""The four servers by name, as the CLI, Claude Desktop config and in-process clients know them."""

from collections.abc import Callable

from mcp.server.mcpserver import MCPServer

from mcp_servers.channels.server import build as build_channels
from mcp_servers.customer_data.server import build as build_customer_data
from mcp_servers.offers_inventory.server import build as build_offers
from mcp_servers.rules.server import build as build_rules
from mcp_servers.shared.deps import ServerDeps
from mcp_servers.shared.factory import HttpAuth

Builder = Callable[[ServerDeps, HttpAuth | None], MCPServer]

# Public server name → (toolbox key used by the agents, builder).
SERVERS: dict[str, tuple[str, Builder]] = {
    "customer-data": ("customer_data", build_customer_data),
    "offers-inventory": ("offers", build_offers),
    "rules": ("rules", build_rules),
    "channels": ("channels", build_channels),
}


def build_all(deps: ServerDeps) -> dict[str, MCPServer]:
    """Every server for in-process use, keyed by the agents' toolbox keys."""
    return {key: builder(deps, None) for key, builder in SERVERS.values()}
