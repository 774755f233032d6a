"""Ops chat on Claude at the HTTP edge (a mock Messages API): refusals, rejected requests, an outage
and a fenced answer each give one clear reply, marked degraded when the local model answered; the
command exits non-zero without a traceback."""

from collections.abc import Callable, Iterable

import httpx2
import pytest
from typer.testing import CliRunner

from agents.models.base import Model
from loyalty.cli.app import app
from loyalty.ops import chat as chat_module
from loyalty.ops.chat import open_chat
from loyalty.settings import Settings
from loyalty.wiring import model_for
from tests.agents import fake_anthropic as fake
from tests.mcp_servers.seeded_world import SeededWorld
from tools.decisions.log import trace

OUTAGE = [fake.error(529, "overloaded_error")] * 40
# No waiting between retries in tests; a breaker that opens after two failed calls.
FAST = {"claude_retry_max_wait_seconds": 0, "claude_retries": 1, "claude_breaker_failures": 2}


def claude_over(api: fake.FakeMessagesAPI) -> Callable[[Settings], Model]:
    def build(settings: Settings) -> Model:
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(api.handler))
        return model_for(settings.model_copy(update=FAST), client=api.client(http))

    return build


async def ask(world: SeededWorld, steps: Iterable[fake.Step], text: str = "How many dormant members?"):  # type: ignore[no-untyped-def]
    api = fake.FakeMessagesAPI(steps)
    settings = world.settings().model_copy(update=FAST)
    async with open_chat(settings, clock=lambda: world.now, model=claude_over(api)(settings)) as chat:
        return await chat.ask(text), api


async def test_a_refusal_is_a_clear_reply_not_silence(world: SeededWorld) -> None:
    reply, _ = await ask(world, [fake.message(fake.text(""), stop_reason="refusal")])
    assert not reply.ok and reply.termination == "model_refused"
    assert reply.text == "Claude declined to answer that request; nothing was done after its refusal."


async def test_a_truncated_tool_call_is_not_run_and_the_reply_says_so(world: SeededWorld) -> None:
    cut = fake.message(
        fake.tool_use("t1", "pause_use_case", {"use_case": "upsell"}), stop_reason="max_tokens"
    )
    reply, _ = await ask(world, [cut], "pause upsell")
    assert not reply.ok and reply.termination == "truncated" and "cut off (max_tokens)" in (reply.text or "")
    assert reply.operations == () and reply.trace_id
    async with world.open() as product:
        steps = await trace(product.db, reply.trace_id)
    assert [s["kind"] for s in steps if s["kind"].startswith("tool")] == []


async def test_a_fenced_answer_is_shown(world: SeededWorld) -> None:
    reply, _ = await ask(world, [fake.message(fake.text('```json\n{"dormant": 48}\n```'))])
    assert reply.ok and not reply.degraded and '"dormant": 48' in (reply.text or "")


async def test_an_outage_answers_with_the_local_commands_marked_degraded(world: SeededWorld) -> None:
    reply, api = await ask(world, OUTAGE, "segment dormant_recoverable")
    assert reply.ok and reply.degraded and reply.operation == "show_segment"
    assert "degraded: Claude was unavailable" in (reply.text or "")
    assert len(api.requests) <= 2  # the circuit opened: no retry storm
    free, _ = await ask(world, OUTAGE, "How many dormant members could we win back?")
    assert not free.ok and free.degraded and "degraded" in (free.text or "")


@pytest.mark.parametrize(
    ("status", "kind", "says"),
    [
        (401, "authentication_error", "HTTP 401 authentication_error"),
        (400, "invalid_request_error", "HTTP 400 invalid_request_error"),
    ],
)
def test_the_command_prints_one_line_and_exits_non_zero(
    world: SeededWorld, monkeypatch: pytest.MonkeyPatch, status: int, kind: str, says: str
) -> None:
    monkeypatch.setattr(
        chat_module, "model_for", claude_over(fake.FakeMessagesAPI([fake.error(status, kind)]))
    )
    env = {
        "ANTHROPIC_API_KEY": None,
        "LOYALTY_MODELS_DIR": str(world.models_dir),
        "LOYALTY_LOG_LEVEL": "error",
    }
    result = CliRunner().invoke(
        app, ["chat", "--once", "hello", "--db", world.url, "--at", world.now.isoformat()], env=env
    )
    assert result.exit_code == 1
    assert says in result.stdout and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_malformed_body_is_no_traceback_either(world: SeededWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    body = httpx2.Response(
        200,
        json={
            "id": "m",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-6",
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        },
    )
    monkeypatch.setattr(chat_module, "model_for", claude_over(fake.FakeMessagesAPI([body] * 4)))
    env = {
        "ANTHROPIC_API_KEY": None,
        "LOYALTY_MODELS_DIR": str(world.models_dir),
        "LOYALTY_LOG_LEVEL": "error",
    }
    result = CliRunner().invoke(
        app, ["chat", "--once", "hello", "--json", "--db", world.url, "--at", world.now.isoformat()], env=env
    )
    assert "Traceback" not in result.output and '"degraded": true' in result.stdout
