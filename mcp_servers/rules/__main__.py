"""`python -m mcp_servers.rules`: the rules server over stdio."""

from loyalty.mcp_entry import main

main("rules")
