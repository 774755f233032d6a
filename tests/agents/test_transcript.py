"""A run's transcript survives JSON and replays to the same decision."""

from __future__ import annotations

import json

from mcp import Client

from agents.agent import Agent
from agents.decision_log import InMemoryDecisionLog
from agents.delegation import Delegation
from agents.errors import TerminationReason
from agents.loop import run_agent
from agents.messages import ModelResponse, ToolCall, Usage
from agents.models.scripted import ScriptedModel
from agents.toolbox import Toolbox
from agents.toolset import CombinedToolset
from agents.transcript import Transcript
from tests.agents.calc_server import calc_server


def script() -> tuple[ScriptedModel, ScriptedModel]:
    child = ScriptedModel([ModelResponse.from_text("kale is a vegetable", model_name="scripted")])
    parent = ScriptedModel(
        [
            ModelResponse.from_calls(
                ToolCall("c1", "calc__lookup", {"key": "kale"}),
                ToolCall("c2", "delegate_to_helper", {"request": "explain kale"}),
                model_name="scripted",
                text="Checking.",
                usage=Usage(input_tokens=12, output_tokens=3),
            ),
            ModelResponse.from_text("kale: vegetable", model_name="scripted", usage=Usage(input_tokens=20)),
        ]
    )
    return parent, child


async def run(parent: ScriptedModel, child: ScriptedModel) -> Transcript:
    async with Toolbox.open({"calc": Client(calc_server([]))}) as box:
        helper = Agent("helper", "You help.", child)
        tools = CombinedToolset(
            box.restricted_to(["calc__lookup"]), Delegation(helper, description="Ask the helper.")
        )
        lead = Agent("lead", "You lead.", parent, tools=tools)
        result = await run_agent(lead, "what is kale?", log=InMemoryDecisionLog())
    return result.transcript


async def test_transcript_round_trips_through_json() -> None:
    transcript = await run(*script())

    text = transcript.to_json(indent=2)
    assert json.loads(text)["termination"] == "completed"
    assert Transcript.from_json(text) == transcript
    assert transcript.delegations[0].agent == "helper"


async def test_a_reloaded_transcript_replays_to_the_same_decision() -> None:
    recorded = Transcript.from_json((await run(*script())).to_json())

    replayed = await run(ScriptedModel.replaying(recorded), ScriptedModel.replaying(recorded.delegations[0]))

    assert replayed.termination is TerminationReason.COMPLETED
    assert replayed.messages == recorded.messages
    assert replayed.output == recorded.output == "kale: vegetable"
