"""A stand-in Messages API for trying the Claude path without a key: it answers like Claude on a
bad day, and decides like the local model.

`POST /v1/messages` takes the request the real API would (system prompt, tools, messages), turns
it back into the agents' neutral messages, lets the deterministic local policy of the role the
system prompt names answer (the ops chat's free text goes through the local grammar), and then
answers the way real responses come:

- final answers in a ```json fence, after a sentence;
- every `refuse_every`-th final answer a refusal (stop_reason "refusal", no content);
- every `truncate_every`-th tool call cut off at max_tokens (its arguments incomplete);
- every `overload_every`-th request 529 with retry-after-ms, every `limit_every`-th 429 with
  retry-after, every `malformed_every`-th a 200 whose body is not JSON, every `slow_every`-th
  answered after `slow_seconds`;
- `--outage`: every request 529 (retry-after 1 s); the key `bad-key` always gets 401.

Usage is estimated (characters / 4) with a prompt cache: a system + tools prefix seen before is
read from the cache. This is a harness for resilience, not a model: its decisions are the local
model's, so the figures it gives are about handling, latency and counting, never about quality.

    python -m benchmarks.claude_standin --port 8765 [--outage]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agents.guard.prompt import GUARD_SYSTEM_PROMPT
from agents.messages import (
    AssistantText,
    ModelResponse,
    ToolCall,
    ToolResult,
    UserMessage,
    UserText,
)
from agents.models.base import ModelRequest, ToolDefinition
from agents.orchestrator.ops_grammar import Command, parse
from agents.orchestrator.ops_prompt import OPS_PROMPT
from agents.orchestrator.prompt import ORCHESTRATOR_PROMPT
from agents.specialists.playbooks import PLAYBOOKS
from agents.team import local_model

CACHE_MINIMUM = 1024  # tokens: a shorter prefix is not cached (Sonnet 4.6's minimum)


@dataclass
class Faults:
    outage: bool = False
    refuse_every: int = 9
    truncate_every: int = 23
    overload_every: int = 7
    limit_every: int = 11
    malformed_every: int = 13
    slow_every: int = 29
    slow_seconds: float = 2.0


@dataclass
class StandIn:
    faults: Faults
    requests: int = 0
    finals: int = 0
    tool_turns: int = 0
    seen_prefixes: set[int] = field(default_factory=set)
    tally: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        self.tally[what] = self.tally.get(what, 0) + 1

    async def messages(self, request: Request) -> Response:
        body = await request.json()
        with self.lock:
            self.requests += 1
            n = self.requests
        f = self.faults
        if request.headers.get("authorization") == "Bearer bad-key":
            self.count("401")
            return _error(401, "authentication_error", {})
        if f.outage:
            self.count("529 (outage)")
            return _error(529, "overloaded_error", {"retry-after": "1"})
        if n % f.overload_every == 0:
            self.count("529")
            return _error(529, "overloaded_error", {"retry-after-ms": "200"})
        if n % f.limit_every == 0:
            self.count("429")
            return _error(429, "rate_limit_error", {"retry-after": "1"})
        if n % f.malformed_every == 0:
            self.count("malformed")
            return Response(
                b"<html><body>502 Bad Gateway</body></html>", status_code=200, media_type="application/json"
            )
        if n % f.slow_every == 0:
            self.count("slow")
            await asyncio.sleep(f.slow_seconds)
        answer = await _answer(body)
        return JSONResponse(self._render(body, answer))

    def _render(self, body: dict[str, Any], answer: ModelResponse) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        stop = "end_turn"
        if answer.tool_calls:
            with self.lock:
                self.tool_turns += 1
                cut = self.tool_turns % self.faults.truncate_every == 0
            if answer.text:
                content.append({"type": "text", "text": answer.text})
            for call in answer.tool_calls:
                content.append(
                    {
                        "type": "tool_use",
                        "id": f"toolu_{call.id}",
                        "name": call.name,
                        "input": {} if cut else call.arguments,
                    }
                )
                if cut:
                    break
            stop = "max_tokens" if cut else "tool_use"
            self.count("truncated tool call" if cut else "tool_use")
        else:
            with self.lock:
                self.finals += 1
                refuse = self.finals % self.faults.refuse_every == 0
            if refuse:
                stop = "refusal"
                self.count("refusal")
            else:
                text = answer.text
                if text.lstrip().startswith("{"):
                    text = f"Here is my decision.\n```json\n{text}\n```"
                    self.count("fenced answer")
                else:
                    self.count("text answer")
                content.append({"type": "text", "text": text})
        prefix = json.dumps([body.get("system"), body.get("tools")], sort_keys=True)
        prefix_tokens = len(prefix) // 4
        total = len(json.dumps(body)) // 4
        key = hash(prefix)
        cached = prefix_tokens >= CACHE_MINIMUM
        with self.lock:
            hit = cached and key in self.seen_prefixes
            self.seen_prefixes.add(key)
        usage = {
            "input_tokens": total - (prefix_tokens if cached else 0),
            "output_tokens": max(1, len(json.dumps(content)) // 4),
            "cache_read_input_tokens": prefix_tokens if hit else 0,
            "cache_creation_input_tokens": prefix_tokens if cached and not hit else 0,
        }
        return {
            "id": f"msg_{self.requests}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "stop_reason": stop,
            "content": content,
            "usage": usage,
        }


def _error(status: int, kind: str, headers: dict[str, str]) -> Response:
    return JSONResponse(
        {"type": "error", "error": {"type": kind, "message": f"stand-in {kind}"}},
        status_code=status,
        headers=headers,
    )


_ROLES = {ORCHESTRATOR_PROMPT: "orchestrator", GUARD_SYSTEM_PROMPT: "guard", OPS_PROMPT: "ops"}
_ROLES |= {playbook.system_prompt: use_case.value for use_case, playbook in PLAYBOOKS.items()}
_LOCAL = local_model()


async def _answer(body: dict[str, Any]) -> ModelResponse:
    system = "".join(block["text"] for block in body.get("system") or [])
    role = _ROLES.get(system, "orchestrator")
    request = ModelRequest(
        role=role,
        system_prompt=system,
        messages=_neutral(body["messages"]),
        tools=tuple(
            ToolDefinition(t["name"], t.get("description", ""), t["input_schema"])
            for t in body.get("tools") or []
        ),
    )
    if role == "ops":
        return _ops_answer(request)
    return await _LOCAL.request(request)


def _ops_answer(request: ModelRequest) -> ModelResponse:
    """The chat: the local grammar picks the operation; the tool's result is summed up."""
    results = request.latest_tool_results
    if results:
        result = results[0]
        if result.is_error:
            return ModelResponse.from_text(f"That failed: {str(result.content)[:300]}", model_name="stand-in")
        return ModelResponse.from_text(
            f"{result.tool_name} answered: {json.dumps(result.content)[:600]}", model_name="stand-in"
        )
    parsed = parse(request.last_user_text)
    if not isinstance(parsed, Command):
        return ModelResponse.from_text(
            "I can plan campaigns, explain decisions and show segments.", model_name="stand-in"
        )
    return ModelResponse.from_calls(
        ToolCall(f"ops-{request.turn}", parsed.operation, parsed.arguments), model_name="stand-in"
    )


def _neutral(messages: list[dict[str, Any]]) -> tuple[UserMessage | ModelResponse, ...]:
    names: dict[str, str] = {}
    out: list[UserMessage | ModelResponse] = []
    for message in messages:
        blocks = (
            message["content"]
            if isinstance(message["content"], list)
            else [{"type": "text", "text": message["content"]}]
        )
        if message["role"] == "assistant":
            parts: list[AssistantText | ToolCall] = []
            for block in blocks:
                if block["type"] == "text":
                    parts.append(AssistantText(block["text"]))
                elif block["type"] == "tool_use":
                    call_id = block["id"].removeprefix("toolu_")
                    names[block["id"]] = block["name"]
                    parts.append(ToolCall(call_id, block["name"], block["input"]))
            out.append(ModelResponse(parts=tuple(parts), model_name="stand-in"))
        else:
            user: list[UserText | ToolResult] = []
            for block in blocks:
                if block["type"] == "text":
                    user.append(UserText(block["text"]))
                elif block["type"] == "tool_result":
                    text = "".join(c.get("text", "") for c in block.get("content") or [])
                    try:
                        value: Any = json.loads(text)
                    except json.JSONDecodeError:
                        value = text
                    user.append(
                        ToolResult(
                            block["tool_use_id"].removeprefix("toolu_"),
                            names.get(block["tool_use_id"], ""),
                            value,
                            is_error=bool(block.get("is_error")),
                        )
                    )
            out.append(UserMessage(parts=tuple(user)))
    return tuple(out)


def build_app(faults: Faults) -> tuple[Starlette, StandIn]:
    standin = StandIn(faults)

    async def tally(request: Request) -> Response:
        return JSONResponse({"requests": standin.requests, **standin.tally})

    return Starlette(
        routes=[
            Route("/v1/messages", standin.messages, methods=["POST"]),
            Route("/tally", tally, methods=["GET"]),
        ]
    ), standin


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--outage", action="store_true", help="answer every request 529")
    args = parser.parse_args()
    app, _ = build_app(Faults(outage=args.outage))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
