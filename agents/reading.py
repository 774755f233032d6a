"""Reading a conversation the way a deterministic policy needs to: tool results by tool name and
the JSON request the run started with. Shared by every local policy."""

import json
import re
from typing import Any

from agents.messages import ModelResponse, ToolCall, ToolResult, UserMessage
from agents.models import ModelRequest


def tool_results(request: ModelRequest, tool: str) -> list[ToolResult]:
    """Every result of `tool` in the conversation, oldest first."""
    return [
        part
        for message in request.messages
        if isinstance(message, UserMessage)
        for part in message.parts
        if isinstance(part, ToolResult) and part.tool_name == tool
    ]


def last_result(request: ModelRequest, tool: str) -> ToolResult | None:
    found = tool_results(request, tool)
    return found[-1] if found else None


def calls_made(request: ModelRequest, tool: str) -> list[ToolCall]:
    return [
        call
        for message in request.messages
        if isinstance(message, ModelResponse)
        for call in message.tool_calls
        if call.name == tool
    ]


def first_user_json(request: ModelRequest) -> dict[str, Any] | None:
    """The JSON object the run was started with (a trigger, a proposal to audit), if any."""
    for message in request.messages:
        if isinstance(message, UserMessage):
            return json_object_in("\n".join(getattr(part, "text", "") for part in message.parts))
    return None


def json_object_in(text: str) -> dict[str, Any] | None:
    """The JSON object an agent's answer holds, read tolerantly; None when there is none.

    The one reader of agents' answers (worker, chat, evals, demo, guard): a model may wrap its
    object in a ```json fence, put a sentence before or after it, or write several objects (the
    first whole one wins). An empty, refused or truncated answer holds none.
    """
    if not text or "{" not in text:
        return None
    for block in _FENCED.findall(text):
        if (value := _first_object(block)) is not None:
            return value
    return _first_object(text)


_FENCED = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()


def _first_object(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    while start != -1:
        try:
            value, _ = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            rest = text[start:]
            if rest.count("{") > rest.count("}"):
                return None  # cut off mid-object: an object nested in it is not the answer
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def content(result: ToolResult | None) -> dict[str, Any]:
    """A tool result's JSON object ({} when absent, an error, or not an object)."""
    if result is None or result.is_error or not isinstance(result.content, dict):
        return {}
    return result.content
