"""Serving one MCP server from settings."""

import pytest

from loyalty.mcp_entry import serve
from loyalty.settings import Settings
from tools.errors import InvalidInput


async def test_an_unknown_server_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown server 'billing'"):
        await serve("billing", Settings())
