"""Creating an MCPServer with or without HTTP authentication, the same way for every server."""

import inspect
import re
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, Tool
from pydantic import ValidationError
from starlette.applications import Starlette

from mcp_servers.shared.auth import BearerAuth, StaticToken
from mcp_servers.shared.error_mapping import readable


@dataclass(frozen=True)
class HttpAuth:
    """Where a server listens over HTTP and the bearer token clients must send."""

    host: str
    port: int
    token: str


class LoyaltyServer(MCPServer):
    """MCPServer whose argument errors read as a model can act on (`customer_id: Input should be
    a valid integer`, not pydantic's multi-line report with echoed values and links), and whose
    HTTP app requires the bearer token when one is given (`mcp_servers.shared.auth`)."""

    def __init__(self, *args: Any, token: StaticToken | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token = token

    async def list_tools(self) -> list[Tool]:
        """Schemas as `lean` writes them and descriptions as `prose` does: a model reads every
        keyword and every character of every tool."""
        return [
            tool.model_copy(
                update={
                    "description": prose(tool.description),
                    "input_schema": lean(tool.input_schema),
                    "output_schema": lean(tool.output_schema),
                }
            )
            for tool in await super().list_tools()
        ]

    def streamable_http_app(self, **kwargs: Any) -> Starlette:
        app = super().streamable_http_app(**kwargs)
        if self._token is not None:
            app.add_middleware(BearerAuth, token=self._token)
        return app

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(f"invalid arguments for {name}: {readable(exc.__cause__)}") from exc.__cause__
            raise


# Keywords that constrain only non-null values: a `{X} or null` choice made of them can be written
# as one schema whose type list admits null.
_NULL_SAFE = frozenset(
    {
        "type",
        "format",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "enum",
        "items",
        "minItems",
        "maxItems",
    }
)


def prose(description: str | None) -> str | None:
    """A docstring as plain paragraphs: without the source's indentation and line wrapping, which
    the SDK passes on verbatim (eight spaces and a newline every line)."""
    if description is None:
        return None
    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(description))
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def lean(schema: Any) -> Any:
    """`schema` as a model reads it best: without pydantic's generated `title` keywords (they
    repeat the field names), without `default: null` (an optional property's absence says it), and
    `anyOf: [{type: X, ...}, {type: null}]` written `type: [X, "null"]`. All leave what the schema
    accepts unchanged; a property that is itself named `title` or `default` stays."""
    if isinstance(schema, list):
        return [lean(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    node = {
        key: (
            {name: lean(sub) for name, sub in value.items()}
            if key in ("properties", "$defs")
            else lean(value)
        )
        for key, value in schema.items()
        if not (key == "title" and isinstance(value, str)) and not (key == "default" and value is None)
    }
    options = node.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(option for option in options if option != {"type": "null"})
        if (
            isinstance(other.get("type"), str)
            and set(other) <= _NULL_SAFE
            and not set(other) & (set(node) - {"anyOf"})
        ):
            del node["anyOf"]
            node |= other | {"type": [other["type"], "null"]}
            if "enum" in other:
                node["enum"] = [*other["enum"], None]
    return node


def new_server(name: str, title: str, instructions: str, http: HttpAuth | None = None) -> MCPServer:
    token = StaticToken(http.token) if http is not None else None
    return LoyaltyServer(name, title=title, instructions=instructions, version="0.1.0", token=token)
