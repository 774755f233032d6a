"""The local model's role dispatch through the loop, and the scripted model's loud failures."""

from __future__ import annotations

import pytest
from mcp import Client

from agents.agent import Agent
from agents.decision_log import InMemoryDecisionLog
from agents.delegation import Delegation
from agents.errors import ConfigurationError, NoPolicyError, ScriptExhaustedError
from agents.loop import run_agent
from agents.messages import ModelResponse, ToolCall, ToolResult, UserMessage
from agents.models.base import ModelRequest
from agents.models.local import EchoPolicy, LocalModel, call_id
from agents.models.scripted import ScriptedModel
from agents.toolbox import Toolbox
from tests.agents.calc_server import calc_server


class LookupThenAnswer:
    """A policy in the shape the real ones take: call a tool first, answer from its result."""

    def respond(self, request: ModelRequest) -> ModelResponse:
        (result, *_) = request.latest_tool_results or (None,)
        if result is None:
            return ModelResponse.from_calls(
                ToolCall(call_id(request, 0), "calc__lookup", {"key": request.last_user_text}),
                model_name="local",
            )
        assert isinstance(result.content, dict)
        return ModelResponse.from_text(f"it is a {result.content['kind']}", model_name="local")


def req(role: str, *messages: UserMessage | ModelResponse) -> ModelRequest:
    return ModelRequest(role=role, system_prompt="sys", messages=messages)


async def test_local_model_dispatches_by_role_and_is_deterministic() -> None:
    model = LocalModel({"echo": EchoPolicy()})
    model.register("classifier", LookupThenAnswer())
    assert model.roles == {"echo", "classifier"}

    opening = UserMessage.text("kale")
    first = await model.request(req("classifier", opening))
    assert first == await model.request(req("classifier", opening))
    assert first.tool_calls == (ToolCall("classifier-0-0", "calc__lookup", {"key": "kale"}),)

    results = UserMessage(parts=(ToolResult("classifier-0-0", "calc__lookup", {"kind": "vegetable"}),))
    second = await model.request(req("classifier", opening, first, results))
    assert second.text == "it is a vegetable" and not second.tool_calls

    assert (await model.request(req("echo", opening))).text == "kale"


def test_echo_policy_answers_with_the_latest_tool_results() -> None:
    results = UserMessage(parts=(ToolResult("1", "calc__add", {"result": 3}),))
    response = EchoPolicy().respond(req("any", UserMessage.text("add"), results))
    assert response.text == '[{"tool": "calc__add", "is_error": false, "content": {"result": 3}}]'


async def test_a_role_without_a_policy_is_a_configuration_error() -> None:
    with pytest.raises(NoPolicyError, match="no policy for role 'guard'"):
        await LocalModel({"echo": EchoPolicy()}).request(req("guard", UserMessage.text("x")))
    assert (await LocalModel(default=EchoPolicy()).request(req("guard", UserMessage.text("x")))).text == "x"


def test_registering_a_role_twice_is_a_configuration_error() -> None:
    model = LocalModel({"echo": EchoPolicy()})
    with pytest.raises(ConfigurationError, match="already has a policy"):
        model.register("echo", EchoPolicy())


async def test_scripted_model_fails_loudly_when_exhausted_or_unconsumed() -> None:
    model = ScriptedModel([ModelResponse.from_text("one", model_name="scripted")] * 2)
    assert (await model.request(req("a", UserMessage.text("x")))).text == "one"
    with pytest.raises(AssertionError, match="1 unused scripted response"):
        model.assert_consumed()
    await model.request(req("a", UserMessage.text("x")))
    model.assert_consumed()
    with pytest.raises(ScriptExhaustedError, match="no response left for request 3"):
        await model.request(req("a", UserMessage.text("x")))


async def test_the_local_model_drives_the_same_loop_through_mcp() -> None:
    model = LocalModel({"classifier": LookupThenAnswer()})
    async with Toolbox.open({"calc": Client(calc_server([]))}) as box:
        agent = Agent("classifier", "Classify items.", model, tools=box.restricted_to(["calc__lookup"]))
        result = await run_agent(agent, "apple", log=InMemoryDecisionLog())
    assert result.completed and result.output == "it is a fruit"
    assert result.usage.requests == 2 and result.usage.tool_calls == 1 and result.usage.cost_usd == 0


async def test_developer_errors_in_a_sub_agent_surface_unwrapped() -> None:
    child = Agent("helper", "You help.", ScriptedModel([]))
    parent = ScriptedModel(
        [
            ModelResponse.from_calls(
                ToolCall("d1", "delegate_to_helper", {"request": "help"}), model_name="scripted"
            )
        ]
    )
    lead = Agent("lead", "You lead.", parent, tools=Delegation(child, description="Ask the helper."))
    with pytest.raises(ScriptExhaustedError):
        await run_agent(lead, "go", log=InMemoryDecisionLog())
