"""`python -m mcp_servers.channels`: the channels server over stdio."""

from loyalty.mcp_entry import main

main("channels")
