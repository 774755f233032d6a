"""Conversion between our neutral messages and the Anthropic Messages API.

The only module besides `claude.py` that touches Anthropic types.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from anthropic.types import (
    CacheControlEphemeralParam,
    Message,
    MessageParam,
    TextBlock,
    TextBlockParam,
    ToolParam,
    ToolResultBlockParam,
    ToolUseBlock,
    ToolUseBlockParam,
)
from anthropic.types import StopReason as AnthropicStopReason
from pydantic import JsonValue

from agents import messages as m
from agents.errors import ModelOutputError
from agents.models.base import ToolDefinition
from agents.models.pricing import ModelPrice


class MalformedResponse(ModelOutputError):
    """The API answered 200 with a body that is not a whole message (not JSON, no content, no
    usage): treated like a transient failure (retried, then the fallback answers)."""


def checked(message: object) -> Message:
    """`message` if it is a whole Messages-API message; the SDK does not validate bodies."""
    if not isinstance(message, Message):
        raise MalformedResponse(
            f"the API answered with a body that is not a message ({type(message).__name__})"
        )
    if not isinstance(getattr(message, "content", None), list) or getattr(message, "usage", None) is None:
        raise MalformedResponse("the API answered with a message without content or usage")
    return message


_STOP_REASONS: dict[AnthropicStopReason, m.StopReason] = {
    "end_turn": "end_turn",
    "stop_sequence": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",
    "refusal": "refusal",
}


def system_blocks(prompt: str, cache: CacheControlEphemeralParam) -> list[TextBlockParam]:
    # The system prompt is the stable prefix of every turn, so it carries a cache breakpoint.
    return [{"type": "text", "text": prompt, "cache_control": cache}] if prompt else []


def tool_params(tools: Sequence[ToolDefinition], cache: CacheControlEphemeralParam) -> list[ToolParam]:
    params: list[ToolParam] = [
        {"name": tool.name, "description": tool.description, "input_schema": tool.input_schema}
        for tool in tools
    ]
    if params:
        # Tools are rendered before the system prompt; one breakpoint on the last caches them all.
        params[-1]["cache_control"] = cache
    return params


def conversation_breakpoint(
    params: list[MessageParam], cache: CacheControlEphemeralParam
) -> list[MessageParam]:
    """A cache breakpoint on the newest block of the conversation.

    Every turn of a run re-sends the whole conversation so far, unchanged, and appends to it; with
    a breakpoint at its end, the next turn reads all of it from the cache (at a tenth of the input
    price) instead of paying for it again. With the tools' and the system prompt's breakpoints this
    makes three of the API's four.
    """
    if not params or not isinstance(content := params[-1]["content"], list) or not content:
        return params
    last = dict(content[-1])
    last["cache_control"] = cache
    return [*params[:-1], {**params[-1], "content": [*content[:-1], last]}]  # type: ignore[list-item]


def message_params(messages: Sequence[m.Message]) -> list[MessageParam]:
    params: list[MessageParam] = []
    for message in messages:
        if isinstance(message, m.UserMessage):
            user_blocks = [_user_block(part) for part in message.parts]
            if user_blocks:
                params.append({"role": "user", "content": user_blocks})
        else:
            # The API rejects empty text blocks, and an empty assistant turn altogether.
            assistant_blocks = [
                _assistant_block(part) for part in message.parts if part.kind == "tool_call" or part.text
            ]
            if assistant_blocks:
                params.append({"role": "assistant", "content": assistant_blocks})
    return params


def _user_block(part: m.UserText | m.ToolResult) -> TextBlockParam | ToolResultBlockParam:
    if isinstance(part, m.UserText):
        return {"type": "text", "text": part.text}
    text = part.content if isinstance(part.content, str) else json.dumps(part.content)
    return {
        "type": "tool_result",
        "tool_use_id": part.call_id,
        "content": [{"type": "text", "text": text}],
        "is_error": part.is_error,
    }


def _assistant_block(part: m.AssistantText | m.ToolCall) -> TextBlockParam | ToolUseBlockParam:
    if isinstance(part, m.AssistantText):
        return {"type": "text", "text": part.text}
    return {"type": "tool_use", "id": part.id, "name": part.name, "input": dict(part.arguments)}


def model_response(message: Message, price: ModelPrice | None) -> m.ModelResponse:
    parts: list[m.AssistantText | m.ToolCall] = []
    for block in message.content:
        if isinstance(block, TextBlock):
            parts.append(m.AssistantText(block.text))
        elif isinstance(block, ToolUseBlock):
            # The API sends the arguments as parsed JSON.
            arguments = cast(dict[str, JsonValue], block.input)
            parts.append(m.ToolCall(id=block.id, name=block.name, arguments=dict(arguments)))
        # Other block types (thinking, server tools) carry nothing the loop acts on.
    usage = m.Usage(
        input_tokens=message.usage.input_tokens,
        output_tokens=message.usage.output_tokens,
        cache_read_tokens=message.usage.cache_read_input_tokens or 0,
        cache_write_tokens=message.usage.cache_creation_input_tokens or 0,
    )
    usage = (
        replace(usage, cost_usd=price.cost(usage))
        if price is not None
        else replace(usage, unpriced_requests=1)
    )
    stop_reason = _STOP_REASONS.get(message.stop_reason, "other") if message.stop_reason else "other"
    return m.ModelResponse(parts=tuple(parts), model_name=message.model, stop_reason=stop_reason, usage=usage)
