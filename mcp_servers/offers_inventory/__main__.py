"""`python -m mcp_servers.offers_inventory`: the offers-inventory server over stdio."""

from loyalty.mcp_entry import main

main("offers-inventory")
