"""The customer-data server: profiles, segments and behaviour, PII masked by default.

Its surface is its `server` module (`server.build(deps, http)` makes the server; the registry and
`python -m mcp_servers.customer_data` name it), so importing the package loads nothing."""

__all__ = ["server"]
