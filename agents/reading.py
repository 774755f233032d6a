"""Reading a conversation the way a deterministic policy needs to: tool results by tool name and
the JSON request the run started with. Shared by every local policy."""

import json
from typing import Any

from agents.messages import ModelResponse, ToolCall, ToolResult, UserMessage
from agents.models.base import ModelRequest


def tool_results(request: ModelRequest, tool: str) -> list[ToolResult]:
    """Every result of `tool` in the conversation, oldest first."""
    return [
        part for message in request.messages if isinstance(message, UserMessage)
        for part in message.parts if isinstance(part, ToolResult) and part.tool_name == tool
    ]


def last_result(request: ModelRequest, tool: str) -> ToolResult | None:
    found = tool_results(request, tool)
    return found[-1] if found else None


def calls_made(request: ModelRequest, tool: str) -> list[ToolCall]:
    return [
        call for message in request.messages if isinstance(message, ModelResponse)
        for call in message.tool_calls if call.name == tool
    ]


def first_user_json(request: ModelRequest) -> dict[str, Any] | None:
    """The JSON object the run was started with (a trigger, a proposal to audit), if any."""
    for message in request.messages:
        if isinstance(message, UserMessage):
            return json_object_in("\n".join(getattr(part, "text", "") for part in message.parts))
    return None


def json_object_in(text: str) -> dict[str, Any] | None:
    """The JSON object a text holds, from its first `{` to its last `}` (a model may wrap its
    answer in prose); None when there is none."""
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        value = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def content(result: ToolResult | None) -> dict[str, Any]:
    """A tool result's JSON object ({} when absent, an error, or not an object)."""
    if result is None or result.is_error or not isinstance(result.content, dict):
        return {}
    return result.content
