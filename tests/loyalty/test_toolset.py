"""Free-text ops chat: the orchestrator with the ops functions as its tools (served by the ops MCP
server), driven by a scripted model (never the network)."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from pydantic import JsonValue

from agents.messages import ModelResponse, ToolCall, ToolResult, UserMessage
from agents.models.base import Model, ModelRequest
from agents.models.scripted import ScriptedModel
from agents.orchestrator.ops_prompt import OPS_PROMPT
from agents.team import local_model
from loyalty.ops.chat import ChatSession, open_chat
from loyalty.ops.operations import NAMES
from tests.mcp_servers.seeded_world import SeededWorld


def call(name: str, **arguments: JsonValue) -> ModelResponse:
    return ModelResponse.from_calls(ToolCall(f"call-{name}", name, dict(arguments)), model_name="scripted")


def say(text: str) -> ModelResponse:
    return ModelResponse.from_text(text, model_name="scripted")


class ScriptedOrchestrator(Model):
    """The script answers the orchestrator (the chat); the guard and specialists keep the local
    model, as they would keep Claude in production."""

    def __init__(self, script: ScriptedModel) -> None:
        self._script, self._local = script, local_model()

    @property
    def name(self) -> str:
        return self._script.name

    async def request(self, request: ModelRequest) -> ModelResponse:
        chosen = self._script if request.role == "orchestrator" else self._local
        return await chosen.request(request)


@asynccontextmanager
async def scripted_chat(
    world: SeededWorld, script: Sequence[ModelResponse]
) -> AsyncIterator[tuple[ChatSession, ScriptedModel]]:
    model = ScriptedModel(script)
    async with open_chat(
        world.settings(), clock=lambda: world.now, model=ScriptedOrchestrator(model)
    ) as chat:
        yield chat, model
    model.assert_consumed()


def content(result: ToolResult) -> dict[str, Any]:
    assert not result.is_error and isinstance(result.content, dict), result.content
    return result.content


def results_seen(model: ScriptedModel, turn: int) -> list[ToolResult]:
    last = model.requests[turn].messages[-1]
    assert isinstance(last, UserMessage)
    return [part for part in last.parts if isinstance(part, ToolResult)]


async def test_the_orchestrator_sees_every_ops_function_as_a_tool(world: SeededWorld) -> None:
    async with scripted_chat(world, [say("Hello.")]) as (chat, model):
        reply = await chat.ask("hi")
    assert chat.free_text and reply.ok and reply.text == "Hello."
    request = model.requests[0]
    assert request.role == "orchestrator" and request.system_prompt == OPS_PROMPT
    assert [t.name for t in request.tools] == list(NAMES)
    # They are the ops MCP server's tools (reached through an MCP client), not Python calls.
    assert all(t.server_validates for t in request.tools)
    for tool in request.tools:
        Draft202012Validator.check_schema(tool.input_schema)
        assert tool.description and tool.input_schema["type"] == "object"


async def test_a_tool_call_runs_the_operation_and_the_answer_comes_back(world: SeededWorld) -> None:
    script = [
        call("show_segment", segment="dormant_recoverable"),
        say("48 members are dormant but recoverable."),
    ]
    async with scripted_chat(world, script) as (chat, model):
        reply = await chat.ask("How many dormant members could we win back?")
    assert reply.ok and reply.operations == ("show_segment",) and reply.trace_id
    assert reply.text == "48 members are dormant but recoverable."
    [result] = results_seen(model, 1)
    assert content(result)["summary"]["id"] == "dormant_recoverable"


async def test_bad_arguments_and_domain_errors_are_fed_back_to_the_model(world: SeededWorld) -> None:
    script = [
        call("plan_campaign", use_case="reactivation", segment="all", budget=-5),
        call("explain_decision", trace_id="0000deadbeef"),
        say("I could not do either."),
    ]
    async with scripted_chat(world, script) as (chat, model):
        reply = await chat.ask("plan something odd, then explain a decision that never happened")
    assert reply.ok and reply.operations == ("plan_campaign", "explain_decision")
    [bad_arguments] = results_seen(model, 1)
    [not_found] = results_seen(model, 2)
    assert bad_arguments.is_error and "budget" in str(bad_arguments.content)
    assert not_found.is_error and "no decision with trace id" in str(not_found.content)


async def test_plan_and_confirm_across_turns_keep_the_conversation(world: SeededWorld) -> None:
    script = [
        call("plan_campaign", use_case="upsell", segment="all", budget=300, limit=5),
        say("Preview ready."),
        call("confirm_campaign"),
        say("Done."),
    ]
    async with scripted_chat(world, script) as (chat, model):
        first = await chat.ask("plan an upsell campaign for everyone, $300, at most 5 members")
        planned = chat.service.pending
        second = await chat.ask("yes, go ahead")
    assert first.operations == ("plan_campaign",) and second.operations == ("confirm_campaign",)
    assert planned is not None and chat.service.pending is None
    [confirmed] = results_seen(model, 3)
    outcome = content(confirmed)
    assert outcome["campaign_id"] == planned.campaign_id
    assert outcome["queued"] + outcome["in_review"] + outcome["rejected"] + outcome["refused"] == len(
        planned.members
    )
    # the second turn's request carries the first turn: the model remembers what it planned
    assert len(model.requests[2].messages) == len(model.requests[1].messages) + 2
