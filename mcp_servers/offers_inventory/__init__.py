"""The offers-inventory server: offer templates, stock, budgets, bundles, and the next-best-action candidates drafted as complete proposals.

Its surface is its `server` module (`server.build(deps, http)` makes the server; the registry and
`python -m mcp_servers.offers_inventory` name it), so importing the package loads nothing."""

__all__ = ["server"]
