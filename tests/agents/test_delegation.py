"""Delegation is a tool call; the sub-agent runs on the parent's budget and reports its usage up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import anyio

from agents.agent import Agent
from agents.context import RunContext
from agents.decision_log import InMemoryDecisionLog, StepKind
from agents.delegation import Delegation
from agents.errors import TerminationReason
from agents.limits import Limits
from agents.loop import run_agent
from agents.messages import ModelResponse, ToolCall, ToolResult, Usage
from agents.models.base import ToolDefinition
from agents.models.scripted import ScriptedModel

DELEGATE = "delegate_to_reactivation"


def delegate(call_id: str, request: str, tokens: int) -> ModelResponse:
    return ModelResponse.from_calls(
        ToolCall(call_id, DELEGATE, {"request": request}),
        model_name="scripted",
        usage=Usage(input_tokens=tokens),
    )


def answer(text: str, tokens: int) -> ModelResponse:
    return ModelResponse.from_text(text, model_name="scripted", usage=Usage(input_tokens=tokens))


class SlowTool:
    @property
    def definitions(self) -> Sequence[ToolDefinition]:
        return (ToolDefinition("slow", "Takes a long time."),)

    async def call(self, call: ToolCall, ctx: RunContext) -> ToolResult:
        await anyio.sleep(30)
        return ToolResult(call.id, call.name, "too late")


def orchestrator(model: ScriptedModel, child: Agent, limits: Limits | None = None) -> Agent:
    tools = Delegation(child, description="Hand a dormant member to the reactivation specialist.")
    return Agent("orchestrator", "You route work.", model, tools=tools, limits=limits or Limits())


async def test_sub_agent_usage_and_transcript_fold_into_the_parent() -> None:
    child_model = ScriptedModel([answer("offer early access", tokens=30)])
    parent_model = ScriptedModel(
        [delegate("d1", "member 1042 is dormant", tokens=10), answer("sent", tokens=5)]
    )
    child = Agent("reactivation", "You win members back.", child_model)
    log = InMemoryDecisionLog()

    result = await run_agent(orchestrator(parent_model, child), "trigger: member 1042", log=log)

    assert result.completed and result.output == "sent"
    assert result.usage.requests == 3 and result.usage.input_tokens == 45 and result.usage.tool_calls == 1
    (sub,) = result.transcript.delegations
    assert sub.agent == "reactivation" and sub.output == "offer early access" and sub.usage.input_tokens == 30
    assert child_model.requests[0].last_user_text == "member 1042 is dormant"
    (delegated,) = parent_model.requests[1].latest_tool_results
    assert delegated.content == {
        "agent": "reactivation",
        "termination": "completed",
        "output": "offer early access",
    }

    entries = log.for_trace(result.trace_id)
    assert {e.agent for e in entries} == {"orchestrator", "reactivation"}
    child_start = next(e for e in entries if e.agent == "reactivation" and e.kind is StepKind.RUN_START)
    assert child_start.payload["depth"] == 1


async def test_a_sub_agent_cannot_overspend_the_parents_token_budget() -> None:
    # The child has no limit of its own; the parent's remaining 60 tokens bind it.
    spender = ScriptedModel(
        [
            ModelResponse.from_calls(
                ToolCall("s1", "slow"), model_name="scripted", usage=Usage(input_tokens=70)
            )
        ]
    )
    child = Agent("reactivation", "You win members back.", spender, tools=SlowTool())
    parent_model = ScriptedModel([delegate("d1", "win back 1042", tokens=40)])

    result = await run_agent(
        orchestrator(parent_model, child, Limits(max_total_tokens=100)), "go", log=InMemoryDecisionLog()
    )

    assert result.termination is TerminationReason.USAGE_LIMIT
    (sub,) = result.transcript.delegations
    assert sub.termination is TerminationReason.USAGE_LIMIT
    assert result.usage.total_tokens == 110
    spender.assert_consumed()
    parent_model.assert_consumed()


async def test_a_sub_agent_inherits_the_parents_deadline() -> None:
    child_model = ScriptedModel([ModelResponse.from_calls(ToolCall("s1", "slow"), model_name="scripted")])
    unlimited = Limits(max_seconds=None)
    child = Agent("reactivation", "You win members back.", child_model, tools=SlowTool(), limits=unlimited)
    parent_model = ScriptedModel([delegate("d1", "win back 1042", tokens=0)])

    with anyio.fail_after(5):
        result = await run_agent(
            orchestrator(parent_model, child, Limits(max_seconds=0.05)), "go", log=InMemoryDecisionLog()
        )

    assert result.termination is TerminationReason.TIMEOUT
    (sub,) = result.transcript.delegations
    assert sub.termination is TerminationReason.TIMEOUT


async def test_a_degraded_sub_run_degrades_the_parent() -> None:
    degraded = replace(ModelResponse.from_text("fallback answer", model_name="local"), degraded=True)
    child_model = ScriptedModel([degraded])
    child = Agent("reactivation", "You win members back.", child_model)
    parent_model = ScriptedModel([delegate("d1", "win back 1042", tokens=0), answer("done", tokens=0)])

    result = await run_agent(orchestrator(parent_model, child), "go", log=InMemoryDecisionLog())

    assert result.completed and result.degraded
