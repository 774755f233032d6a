"""A fake Messages API served over httpx2.MockTransport to the real AsyncAnthropic client."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from typing import Any

import httpx2
from anthropic import AsyncAnthropic

Step = httpx2.Response | Exception


def message(
    *content: dict[str, Any],
    stop_reason: str = "end_turn",
    model: str = "claude-sonnet-4-6",
    input_tokens: int = 100,
    output_tokens: int = 20,
    cache_read: int = 0,
    cache_write: int = 0,
) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": model,
            "stop_reason": stop_reason,
            "content": list(content),
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "cache_read_input_tokens": cache_read,
                "cache_creation_input_tokens": cache_write,
            },
        },
    )


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": call_id, "name": name, "input": arguments}


def error(status: int, kind: str) -> httpx2.Response:
    return httpx2.Response(status, json={"type": "error", "error": {"type": kind, "message": f"fake {kind}"}})


class FakeMessagesAPI:
    """Serves scripted responses (or raises scripted transport errors) and records every request."""

    def __init__(self, steps: Iterable[Step]) -> None:
        self._steps = deque(steps)
        self.requests: list[dict[str, Any]] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/messages", request.url
        self.requests.append(json.loads(request.content))
        if not self._steps:
            raise AssertionError(f"fake Messages API got unscripted request {len(self.requests)}")
        step = self._steps.popleft()
        if isinstance(step, Exception):
            raise step
        return step

    def client(self, http: httpx2.AsyncClient) -> AsyncAnthropic:
        return AsyncAnthropic(api_key="test-key", http_client=http)

    @property
    def consumed(self) -> bool:
        return not self._steps
