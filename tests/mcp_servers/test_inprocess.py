"""The in-process client leaves output validation to the server, which makes it on every result."""

from typing import Any

from pydantic import BaseModel

from mcp_servers.shared import InProcessClient, new_server
from mcp_servers.shared.inprocess import ServerValidatedSession


class Count(BaseModel):
    n: int


def counting_server() -> Any:
    server = new_server("counting", "Counting", "Counts.")

    @server.tool()
    async def count(n: int) -> Count:
        return Count(n=n)

    @server.tool()
    async def miscount() -> Count:
        return {"n": "not a number"}  # type: ignore[return-value]  # the server must refuse it

    return server


async def test_an_in_process_client_gets_the_servers_validated_result() -> None:
    async with InProcessClient(counting_server()) as client:
        assert isinstance(client.session, ServerValidatedSession)
        result = await client.call_tool("count", {"n": 3})
    assert not result.is_error
    assert result.structured_content == {"n": 3}


async def test_output_that_breaks_the_schema_still_fails_on_the_server() -> None:
    async with InProcessClient(counting_server()) as client:
        result = await client.call_tool("miscount", {})
    assert result.is_error
    assert result.structured_content is None
