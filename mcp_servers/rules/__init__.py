"""The rules server: the retailer's policy, checks against proposals, and the guard's verdicts.

Its surface is its `server` module (`server.build(deps, http)` makes the server; the registry and
`python -m mcp_servers.rules` name it), so importing the package loads nothing."""

__all__ = ["server"]
