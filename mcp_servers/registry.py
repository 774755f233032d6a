"""The four servers by name, as the CLI, Claude Desktop config and in-process clients know them.

A server's module is imported when it is built, not when this registry is: a process serving
`rules` never imports what `customer-data` needs (the profile models and scikit-learn), so it
starts in a fraction of the time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from mcp_servers.shared import HttpAuth, ServerDeps

Builder = Callable[["ServerDeps", "HttpAuth | None"], "MCPServer"]


@dataclass(frozen=True)
class LazyBuilder:
    """`build(deps, http)` of `mcp_servers.<package>.server`, imported on the first call."""

    package: str

    def __call__(self, deps: "ServerDeps", http: "HttpAuth | None" = None) -> "MCPServer":
        build: Builder = import_module(f"mcp_servers.{self.package}.server").build
        return build(deps, http)


# Public server name → (toolbox key used by the agents, builder).
SERVERS: dict[str, tuple[str, Builder]] = {
    "customer-data": ("customer_data", LazyBuilder("customer_data")),
    "offers-inventory": ("offers", LazyBuilder("offers_inventory")),
    "rules": ("rules", LazyBuilder("rules")),
    "channels": ("channels", LazyBuilder("channels")),
}
# The servers whose tools read profiles (and so load the fitted models).
PROFILE_SERVERS = frozenset({"customer-data", "offers-inventory"})


def build_all(deps: "ServerDeps") -> "dict[str, MCPServer]":
    """Every server for in-process use, keyed by the agents' toolbox keys."""
    return {key: builder(deps, None) for key, builder in SERVERS.values()}
