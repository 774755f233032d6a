"""A server built again from the same definitions reuses their registrations, with its own
functions; a definition whose annotations differ gets its own schema."""

from typing import Annotated, Any

from pydantic import Field

from mcp_servers.shared import InProcessClient, new_server


def picking_server(limit: int, answer: int) -> Any:
    server = new_server("picking", "Picking", "Picks.")

    @server.tool()
    async def pick(n: Annotated[int, Field(ge=1, le=limit, description="How many.")]) -> int:
        return answer

    return server


async def test_a_rebuilt_server_keeps_its_own_function_and_a_changed_annotation_its_own_schema() -> None:
    first, again, wider = picking_server(3, 1), picking_server(3, 2), picking_server(5, 3)
    schemas = [(await server.list_tools())[0].input_schema for server in (first, again, wider)]
    assert schemas[0] == schemas[1] and schemas[0]["properties"]["n"]["maximum"] == 3
    assert schemas[2]["properties"]["n"]["maximum"] == 5
    for server, expected in ((first, 1), (again, 2), (wider, 3)):
        async with InProcessClient(server) as client:
            result = await client.call_tool("pick", {"n": 3})
        assert result.structured_content == {"result": expected}
    async with InProcessClient(again) as client:
        assert (await client.call_tool("pick", {"n": 4})).is_error  # its own limit, enforced
