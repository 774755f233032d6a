"""The Claude path at the HTTP edge: the real AsyncAnthropic client over a mock transport."""

from __future__ import annotations

import httpx2
import pytest
from mcp import Client
from tenacity import stop_after_attempt, wait_none

from agents.agent import Agent
from agents.decision_log import InMemoryDecisionLog
from agents.errors import ModelRequestError, TerminationReason
from agents.loop import run_agent
from agents.messages import ModelResponse, ToolResult, UserMessage
from agents.models.base import ModelRequest, ToolDefinition
from agents.models.claude import ClaudeConfig, ClaudeModel, RetryConfig
from agents.models.local import EchoPolicy, LocalModel
from agents.models.scripted import ScriptedModel
from agents.toolbox import Toolbox
from tests.agents import fake_anthropic as fake
from tests.agents.calc_server import calc_server

FAST_RETRY = RetryConfig(stop=stop_after_attempt(3), wait=wait_none())
SYSTEM = "You are the calculator agent."


def claude(api: fake.FakeMessagesAPI, http: httpx2.AsyncClient, **kwargs: object) -> ClaudeModel:
    config = ClaudeConfig(
        model_by_role={"specialist": "claude-haiku-4-5"}, retry=FAST_RETRY, max_tokens=512, timeout_seconds=5
    )
    return ClaudeModel(api.client(http), config=config, **kwargs)  # type: ignore[arg-type]


def request(role: str = "orchestrator") -> ModelRequest:
    return ModelRequest(
        role=role,
        system_prompt=SYSTEM,
        messages=(UserMessage.text("hi"),),
        tools=(
            ToolDefinition("calc__add", "Add.", {"type": "object", "properties": {"a": {"type": "integer"}}}),
            ToolDefinition("calc__lookup", "Look up.", {"type": "object", "properties": {}}),
        ),
    )


async def test_request_carries_system_prompt_tools_and_cache_breakpoints() -> None:
    api = fake.FakeMessagesAPI([fake.message(fake.text("hello"), cache_read=900, cache_write=100)])
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        response = await claude(api, http).request(request())

    (sent,) = api.requests
    assert sent["model"] == "claude-sonnet-4-6"
    assert sent["max_tokens"] == 512
    assert sent["system"] == [
        {"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral", "ttl": "5m"}}
    ]
    assert [tool["name"] for tool in sent["tools"]] == ["calc__add", "calc__lookup"]
    assert "cache_control" not in sent["tools"][0]
    assert sent["tools"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    assert sent["messages"] == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral", "ttl": "5m"}}],
        }
    ]

    assert response.text == "hello"
    assert not response.degraded
    usage = response.usage
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.cache_write_tokens) == (
        100,
        20,
        900,
        100,
    )
    # Sonnet: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million tokens.
    assert usage.cost_usd == pytest.approx((100 * 3 + 20 * 15 + 900 * 0.30 + 100 * 3.75) / 1e6)


async def test_model_is_chosen_per_role() -> None:
    api = fake.FakeMessagesAPI([fake.message(fake.text("ok"), model="claude-haiku-4-5")])
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        response = await claude(api, http).request(request(role="specialist"))
    assert api.requests[0]["model"] == "claude-haiku-4-5"
    assert response.model_name == "claude-haiku-4-5"
    assert response.usage.cost_usd == pytest.approx((100 * 1 + 20 * 5) / 1e6)


async def test_tool_use_round_trip_through_a_real_mcp_server() -> None:
    executed: list[str] = []
    api = fake.FakeMessagesAPI(
        [
            fake.message(
                fake.text("Let me add."),
                fake.tool_use("toolu_1", "calc__add", {"a": 1, "b": 2}),
                stop_reason="tool_use",
            ),
            fake.message(fake.text("1 + 2 = 3")),
        ]
    )
    log = InMemoryDecisionLog()
    async with (
        httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http,
        Toolbox.open({"calc": Client(calc_server(executed))}) as box,
    ):
        agent = Agent("calculator", SYSTEM, claude(api, http), tools=box.restricted_to(["calc__add"]))
        result = await run_agent(agent, "What is 1 + 2?", log=log)

    assert result.completed and result.output == "1 + 2 = 3"
    assert executed == ["add"]
    second = api.requests[1]["messages"]
    # The breakpoint moves to the newest block: the first turn's prefix is read back from the cache.
    assert second[0] == {"role": "user", "content": [{"type": "text", "text": "What is 1 + 2?"}]}
    assert second[1] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me add."},
            {"type": "tool_use", "id": "toolu_1", "name": "calc__add", "input": {"a": 1, "b": 2}},
        ],
    }
    assert second[2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_1",
                "content": [{"type": "text", "text": '{"result": 3}'}],
                "is_error": False,
                "cache_control": {"type": "ephemeral", "ttl": "5m"},
            }
        ],
    }
    assert result.usage.requests == 2 and result.usage.tool_calls == 1
    assert result.usage.input_tokens == 200 and result.usage.output_tokens == 40


@pytest.mark.parametrize(
    ("status", "kind"), [(429, "rate_limit_error"), (529, "overloaded_error"), (500, "api_error")]
)
async def test_error_storm_retries_then_falls_back_degraded(status: int, kind: str) -> None:
    api = fake.FakeMessagesAPI([fake.error(status, kind)] * 3)
    fallback = ScriptedModel([ModelResponse.from_text("local answer", model_name="local")])
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        response = await claude(api, http, fallback=fallback).request(request())

    assert len(api.requests) == 3  # tenacity's attempts; the SDK itself did not retry
    assert response.text == "local answer"
    assert response.degraded
    assert fallback.requests[0].role == "orchestrator"
    fallback.assert_consumed()


async def test_a_storm_that_clears_needs_no_fallback() -> None:
    api = fake.FakeMessagesAPI(
        [
            fake.error(529, "overloaded_error"),
            fake.error(429, "rate_limit_error"),
            fake.message(fake.text("made it")),
        ]
    )
    fallback = ScriptedModel([])
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        response = await claude(api, http, fallback=fallback).request(request())
    assert response.text == "made it" and not response.degraded
    assert fallback.requests == []


async def test_timeouts_retry_then_fall_back_to_the_local_model() -> None:
    api = fake.FakeMessagesAPI([httpx2.ReadTimeout("slow")] * 3)
    local = LocalModel({"orchestrator": EchoPolicy()})
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        response = await claude(api, http, fallback=local).request(request())
    assert len(api.requests) == 3
    assert response.degraded and response.model_name == "local" and response.text == "hi"


async def test_a_degraded_turn_marks_the_whole_run_degraded() -> None:
    api = fake.FakeMessagesAPI([fake.error(529, "overloaded_error")] * 3)
    local = LocalModel({"orchestrator": EchoPolicy()})
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        agent = Agent("orchestrator", SYSTEM, claude(api, http, fallback=local))
        result = await run_agent(agent, "plan a campaign", log=InMemoryDecisionLog())
    assert result.completed and result.degraded and result.output == "plan a campaign"


async def test_without_a_fallback_the_run_ends_model_unavailable() -> None:
    api = fake.FakeMessagesAPI([fake.error(529, "overloaded_error")] * 3)
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        agent = Agent("orchestrator", SYSTEM, claude(api, http))
        result = await run_agent(agent, "hello", log=InMemoryDecisionLog())
    assert result.termination is TerminationReason.MODEL_UNAVAILABLE
    assert result.output == ""


async def test_a_bad_request_is_not_retried_and_not_hidden_by_the_fallback() -> None:
    api = fake.FakeMessagesAPI([fake.error(400, "invalid_request_error")])
    fallback = ScriptedModel([])
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http:
        with pytest.raises(
            ModelRequestError, match=r"HTTP 400 invalid_request_error: fake invalid_request_error"
        ):
            await claude(api, http, fallback=fallback).request(request())
    assert len(api.requests) == 1


async def test_malformed_tool_use_is_fed_back_to_claude_as_an_error_result() -> None:
    executed: list[str] = []
    api = fake.FakeMessagesAPI(
        [
            fake.message(fake.tool_use("toolu_1", "calc__add", {"a": "one", "b": 2}), stop_reason="tool_use"),
            fake.message(fake.tool_use("toolu_2", "calc__multiply", {"a": 1}), stop_reason="tool_use"),
            fake.message(fake.text("I could not compute it.")),
        ]
    )
    async with (
        httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler)) as http,
        Toolbox.open({"calc": Client(calc_server(executed))}) as box,
    ):
        agent = Agent("calculator", SYSTEM, claude(api, http), tools=box.restricted_to(["calc__add"]))
        result = await run_agent(agent, "What is one plus 2?", log=InMemoryDecisionLog())

    assert result.completed
    assert executed == []
    bad_args = api.requests[1]["messages"][-1]["content"][0]
    assert bad_args["is_error"] is True and bad_args["tool_use_id"] == "toolu_1"
    assert "Input should be a valid integer" in bad_args["content"][0]["text"]
    unknown = api.requests[2]["messages"][-1]["content"][0]
    assert unknown["is_error"] is True
    assert "unknown tool 'calc__multiply'; available tools: calc__add" in unknown["content"][0]["text"]


def test_transcript_results_are_sent_as_json_text() -> None:
    from agents.models.claude_wire import message_params

    params = message_params(
        (
            UserMessage(
                parts=(ToolResult("t1", "x", {"a": [1, 2]}), ToolResult("t2", "y", "plain", is_error=True))
            ),
        )
    )
    assert params[0]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "t1",
            "content": [{"type": "text", "text": '{"a": [1, 2]}'}],
            "is_error": False,
        },
        {
            "type": "tool_result",
            "tool_use_id": "t2",
            "content": [{"type": "text", "text": "plain"}],
            "is_error": True,
        },
    ]
