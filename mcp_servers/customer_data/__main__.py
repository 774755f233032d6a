"""`python -m mcp_servers.customer_data`: the customer-data server over stdio."""

from loyalty.mcp_entry import main

main("customer-data")
