"""The ops functions as an MCP server, so the chat's Claude orchestrator reaches them the way every
agent reaches the world (DESIGN §2): through an MCP client, never by calling Python directly.

Served in-process to the chat session (`loyalty.ops.chat`); its tools are the operations of
`loyalty.ops.operations`, with the same schemas the local grammar fills. Arguments are validated
here (pydantic), and a wrong argument or a domain error comes back as a tool error the model reads.
"""

import json
from collections.abc import Mapping

from mcp import types
from mcp.server import Server, ServerRequestContext
from pydantic import ValidationError

from loyalty.ops.operations import OPERATIONS, Operation
from loyalty.ops.service import OpsService
from tools.errors import LoyaltyError

OPS_SERVER = "ops"


def ops_server(service: OpsService, operations: Mapping[str, Operation] = OPERATIONS) -> Server:
    tools = [
        types.Tool(name=op.name, description=op.description, input_schema=op.input_schema)
        for op in operations.values()
    ]

    async def list_tools(
        ctx: ServerRequestContext, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        operation = operations.get(params.name)
        if operation is None:
            return _error(f"unknown tool {params.name!r}")
        try:
            result = await operation.run(service, params.arguments or {})
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors()
            )
            return _error(f"invalid arguments for {params.name!r}: {problems}")
        except LoyaltyError as error:  # something the person or the model can act on
            return _error(str(error))
        payload = result.model_dump(mode="json")
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=json.dumps(payload, default=str))],
            structured_content=payload,
        )

    return Server(
        OPS_SERVER,
        instructions="The loyalty product's ops functions.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)
