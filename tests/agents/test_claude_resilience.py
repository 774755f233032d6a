"""The Claude path under the answers a real Messages API gives on a bad day, over a mock transport:
retry-after, storms that open the circuit, rejected requests, malformed bodies, refusals,
truncation (a cut-off tool call is never run), slow answers, unknown prices and a spent budget."""

from __future__ import annotations

import httpx2
import pytest
from mcp import Client
from tenacity import stop_after_attempt, wait_none

from agents.agent import Agent
from agents.decision_log import InMemoryDecisionLog, StepKind
from agents.errors import ModelRequestError, TerminationReason
from agents.limits import Limits
from agents.loop import run_agent
from agents.messages import UserMessage
from agents.models.base import ModelRequest
from agents.models.breaker import CircuitBreaker
from agents.models.claude import ClaudeConfig, ClaudeModel, RetryConfig
from agents.models.local import EchoPolicy, LocalModel
from agents.models.retry_wait import WaitRetryAfter
from agents.models.token_budget import DailyTokenBudget
from agents.toolbox import Toolbox
from tests.agents import fake_anthropic as fake
from tests.agents.calc_server import calc_server

SYSTEM = "You are the calculator agent."


class Sleeps:
    """Records the waits tenacity asks for instead of sleeping them."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


class Ticks:
    """A hand-moved monotonic clock for the circuit breaker."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def claude(
    api: fake.FakeMessagesAPI,
    http: httpx2.AsyncClient,
    *,
    attempts: int = 3,
    sleeps: Sleeps | None = None,
    fallback: LocalModel | None = None,
    breaker: CircuitBreaker | None = None,
    budget: DailyTokenBudget | None = None,
    timeout: float = 5,
) -> ClaudeModel:
    retry = RetryConfig(
        stop=stop_after_attempt(attempts), wait=WaitRetryAfter(backoff=wait_none()), sleep=sleeps or Sleeps()
    )
    config = ClaudeConfig(retry=retry, max_tokens=512, timeout_seconds=timeout)
    return ClaudeModel(api.client(http), config=config, fallback=fallback, breaker=breaker, budget=budget)


def echo() -> LocalModel:
    return LocalModel({"orchestrator": EchoPolicy(), "calculator": EchoPolicy()})


def request() -> ModelRequest:
    return ModelRequest(role="orchestrator", system_prompt=SYSTEM, messages=(UserMessage.text("hi"),))


def mock(api: fake.FakeMessagesAPI) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler))


def limited(status: int, kind: str, **headers: str) -> httpx2.Response:
    response = fake.error(status, kind)
    response.headers.update(headers)
    return response


async def test_retry_after_is_honoured() -> None:
    api = fake.FakeMessagesAPI(
        [
            limited(429, "rate_limit_error", **{"retry-after": "7"}),
            limited(529, "overloaded_error", **{"retry-after-ms": "1500"}),
            fake.message(fake.text("ok")),
        ]
    )
    sleeps = Sleeps()
    async with mock(api) as http:
        response = await claude(api, http, sleeps=sleeps).request(request())
    assert response.text == "ok" and not response.degraded
    assert sleeps.seconds == [7.0, 1.5]


async def test_a_retry_after_beyond_the_cap_waits_only_the_cap() -> None:
    wait = WaitRetryAfter(backoff=wait_none(), max_seconds=30)
    api = fake.FakeMessagesAPI([limited(429, "rate_limit_error", **{"retry-after": "3600"})] * 2)
    sleeps = Sleeps()
    async with mock(api) as http:
        model = claude(api, http, attempts=2, sleeps=sleeps, fallback=echo())
        model._config = ClaudeConfig(retry=RetryConfig(stop=stop_after_attempt(2), wait=wait, sleep=sleeps))
        response = await model.request(request())
    assert sleeps.seconds == [30] and response.degraded


async def test_an_outage_opens_the_circuit_and_later_calls_fall_back_without_calling() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker(failure_threshold=3, reset_seconds=30, clock=ticks)
    api = fake.FakeMessagesAPI([fake.error(529, "overloaded_error")] * 3 + [fake.message(fake.text("back"))])
    async with mock(api) as http:
        model = claude(api, http, attempts=4, fallback=echo(), breaker=breaker)
        first = await model.request(
            request()
        )  # three failures open the circuit: the fourth attempt is not made
        during = [await model.request(request()) for _ in range(20)]
        assert len(api.requests) == 3
        ticks.now = 31  # past the reset: one probe goes out, finds the API back, closes the circuit
        after = await model.request(request())
    assert first.degraded and all(r.degraded and r.model_name == "local" for r in during)
    assert after.text == "back" and not after.degraded and not breaker.is_open
    assert len(api.requests) == 4


async def test_a_failed_probe_reopens_the_circuit_at_once() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=30, clock=ticks)
    api = fake.FakeMessagesAPI([fake.error(500, "api_error")] * 3)
    async with mock(api) as http:
        model = claude(api, http, attempts=4, fallback=echo(), breaker=breaker)
        await model.request(request())
        ticks.now = 31
        probe = await model.request(request())
        await model.request(request())
    assert probe.degraded and breaker.is_open and len(api.requests) == 3


@pytest.mark.parametrize(
    ("status", "kind", "line"),
    [
        (
            401,
            "authentication_error",
            "HTTP 401 authentication_error: fake authentication_error (check ANTHROPIC_API_KEY)",
        ),
        (400, "invalid_request_error", "HTTP 400 invalid_request_error: fake invalid_request_error"),
        (404, "not_found_error", "is 'claude-sonnet-4-6' a model id?"),
    ],
)
async def test_a_rejected_request_ends_the_run_with_one_line_and_no_fallback(
    status: int, kind: str, line: str
) -> None:
    api = fake.FakeMessagesAPI([fake.error(status, kind)])
    async with mock(api) as http:
        agent = Agent("orchestrator", SYSTEM, claude(api, http, fallback=echo()))
        result = await run_agent(agent, "hello", log=InMemoryDecisionLog())
    assert result.termination is TerminationReason.MODEL_ERROR
    assert line in result.detail and "\n" not in result.detail
    assert len(api.requests) == 1 and not result.degraded


@pytest.mark.parametrize(
    "body",
    [
        httpx2.Response(200, content=b"<html>502 Bad Gateway</html>"),
        httpx2.Response(
            200, content=b"<html>502 Bad Gateway</html>", headers={"content-type": "application/json"}
        ),
        httpx2.Response(200, content=b'{"id": "msg_1", "type": "mess'),
        httpx2.Response(
            200,
            json={
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-6",
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        ),
    ],
    ids=["html", "html-labelled-json", "cut-off-json", "no-content"],
)
async def test_a_malformed_body_is_retried_then_the_fallback_answers(body: httpx2.Response) -> None:
    api = fake.FakeMessagesAPI([body, body, body])
    async with mock(api) as http:
        response = await claude(api, http, fallback=echo()).request(request())
    assert len(api.requests) == 3 and response.degraded and response.text == "hi"


async def test_a_malformed_body_without_a_fallback_is_model_unavailable_not_a_crash() -> None:
    api = fake.FakeMessagesAPI([httpx2.Response(200, content=b"not json")] * 3)
    async with mock(api) as http:
        result = await run_agent(
            Agent("orchestrator", SYSTEM, claude(api, http)), "hello", log=InMemoryDecisionLog()
        )
    assert result.termination is TerminationReason.MODEL_UNAVAILABLE
    assert "MalformedResponse" in result.detail


async def test_a_refusal_ends_the_run_refused_with_a_reason() -> None:
    api = fake.FakeMessagesAPI([fake.message(fake.text(""), stop_reason="refusal")])
    async with mock(api) as http:
        result = await run_agent(
            Agent("orchestrator", SYSTEM, claude(api, http)), "hello", log=InMemoryDecisionLog()
        )
    assert result.termination is TerminationReason.REFUSED and not result.completed
    assert result.output == "" and "declined" in result.detail


async def test_a_tool_call_cut_off_at_max_tokens_is_never_run() -> None:
    executed: list[str] = []
    api = fake.FakeMessagesAPI(
        [
            fake.message(
                fake.text("Adding."),
                fake.tool_use("toolu_1", "calc__add", {"a": 1}),
                stop_reason="max_tokens",
            )
        ]
    )
    log = InMemoryDecisionLog()
    async with mock(api) as http, Toolbox.open({"calc": Client(calc_server(executed))}) as box:
        agent = Agent("calculator", SYSTEM, claude(api, http), tools=box.restricted_to(["calc__add"]))
        result = await run_agent(agent, "What is 1 + 2?", log=log)
    assert result.termination is TerminationReason.TRUNCATED
    assert executed == [] and not any(e.kind is StepKind.TOOL_CALL for e in log.entries)
    assert "cut off at max_tokens in a tool call" in result.detail


async def test_a_text_answer_cut_off_at_max_tokens_is_not_passed_off_as_complete() -> None:
    api = fake.FakeMessagesAPI(
        [fake.message(fake.text('{"decision": "sent", "deta'), stop_reason="max_tokens")]
    )
    async with mock(api) as http:
        result = await run_agent(
            Agent("orchestrator", SYSTEM, claude(api, http)), "hello", log=InMemoryDecisionLog()
        )
    assert result.termination is TerminationReason.TRUNCATED and result.output == ""


async def test_a_call_never_waits_past_the_run_deadline() -> None:
    seen: list[float] = []
    api = fake.FakeMessagesAPI([fake.message(fake.text("ok"))])

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions["timeout"]["read"])
        return api.handler(request)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as http:
        agent = Agent("orchestrator", SYSTEM, claude(api, http, timeout=600), limits=Limits(max_seconds=20))
        await run_agent(agent, "hello", log=InMemoryDecisionLog())
    assert 0 < seen[0] <= 20


async def test_slow_answers_time_out_retry_and_fall_back() -> None:
    api = fake.FakeMessagesAPI([httpx2.ReadTimeout("slow")] * 3)
    async with mock(api) as http:
        response = await claude(api, http, fallback=echo()).request(request())
    assert len(api.requests) == 3 and response.degraded


async def test_an_unknown_model_is_counted_unpriced_not_free() -> None:
    api = fake.FakeMessagesAPI([fake.message(fake.text("ok"), model="claude-future-9")])
    async with mock(api) as http:
        response = await claude(api, http).request(request())
    assert response.usage.unpriced_requests == 1 and response.usage.cost_usd == 0


async def test_a_spent_daily_budget_falls_back_without_calling() -> None:
    api = fake.FakeMessagesAPI([fake.message(fake.text("ok"), input_tokens=900, output_tokens=200)])
    budget = DailyTokenBudget(limit=1_000)
    async with mock(api) as http:
        model = claude(api, http, fallback=echo(), budget=budget)
        first = await model.request(request())
        second = await model.request(request())
    assert not first.degraded and budget.spent == 1_100
    assert second.degraded and len(api.requests) == 1


def test_a_probe_that_never_reports_back_is_given_up() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=30, clock=ticks)
    breaker.record_failure()
    ticks.now = 31
    assert breaker.allow() and not breaker.allow()  # one probe; it is cancelled and never reports
    ticks.now = 62
    assert breaker.allow()


async def test_a_rejected_probe_closes_the_circuit() -> None:
    ticks = Ticks()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=30, clock=ticks)
    api = fake.FakeMessagesAPI(
        [
            fake.error(529, "overloaded_error"),
            fake.error(400, "invalid_request_error"),
            fake.message(fake.text("ok")),
        ]
    )
    async with mock(api) as http:
        model = claude(api, http, attempts=2, fallback=echo(), breaker=breaker)
        assert (await model.request(request())).degraded
        ticks.now = 31
        with pytest.raises(ModelRequestError):
            await model.request(request())
        assert not breaker.is_open and (await model.request(request())).text == "ok"
