"""What every MCP server is built from and with: its dependencies (passed in by the composition
root), the server factory with optional bearer-token HTTP authentication, how a tool names a
member, and the mapping of domain errors to tool errors."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from mcp_servers.shared.deps import ProfileFactsLookup, ServerDeps, system_clock
    from mcp_servers.shared.error_mapping import tool_errors
    from mcp_servers.shared.factory import HttpAuth, new_server
    from mcp_servers.shared.inprocess import InProcessClient
    from mcp_servers.shared.members import MemberRef

__all__ = [
    "HttpAuth",
    "InProcessClient",
    "MemberRef",
    "ProfileFactsLookup",
    "ServerDeps",
    "new_server",
    "system_clock",
    "tool_errors",
]

__getattr__ = lazy_exports(__name__)
