"""The channels server: the only way a message reaches a member (send an approved proposal, a member's contact state, outcomes).

Its surface is its `server` module (`server.build(deps, http)` makes the server; the registry and
`python -m mcp_servers.channels` name it), so importing the package loads nothing."""

__all__ = ["server"]
