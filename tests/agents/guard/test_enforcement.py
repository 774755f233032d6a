"""Enforcement is structural: no send tool for specialists (or the guard), and the channels server
refuses any send without a matching, unused, unexpired approval."""

from datetime import timedelta

from mcp import Client
from pydantic import JsonValue

from agents.agent import Agent
from agents.decision_log import InMemoryDecisionLog
from agents.guard import GUARD_TOOLS, guard_agent
from agents.loop import run_agent
from agents.messages import ModelResponse, ToolCall
from agents.models.scripted import ScriptedModel
from agents.toolbox import Toolbox
from mcp_servers.channels.server import build as build_channels
from mcp_servers.rules.server import build as build_rules
from tests.agents.guard.world import as_json, deps_for, guard_rig, local_guard_model, offer
from tests.tools.proposals import NOW, add_member
from tools.storage.db import Database

SPECIALIST_TOOLS = ("rules__check_proposal", "rules__get_policy", "channels__contact_status")


def calls(*tool_calls: tuple[str, dict[str, JsonValue]]) -> ModelResponse:
    return ModelResponse.from_calls(
        *(ToolCall(f"c{i}", name, args) for i, (name, args) in enumerate(tool_calls)), model_name="scripted"
    )


async def test_a_specialist_scripted_to_send_cannot(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    proposal = offer()
    async with guard_rig(deps) as rig:
        approval = (await rig.guard.review_proposal(proposal)).approval_id
        assert approval is not None  # the worst case: the specialist even holds a valid approval
        model = ScriptedModel(
            [
                calls(
                    (
                        "channels__send_approved_proposal",
                        {"proposal": as_json(proposal), "approval_id": approval},
                    ),
                    (
                        "rules__record_guard_verdict",
                        {"proposal": as_json(proposal), "verdict": "approve", "reasons": ["self-approved"]},
                    ),
                ),
                ModelResponse.from_text("done", model_name="scripted"),
            ]
        )
        async with Toolbox.open(
            {"rules": Client(build_rules(deps)), "channels": Client(build_channels(deps))}
        ) as box:
            specialist = Agent(
                "reactivation", "You propose offers.", model, tools=box.restricted_to(SPECIALIST_TOOLS)
            )
            result = await run_agent(specialist, "win back member 1", log=InMemoryDecisionLog())
        outbox = (await rig.channels.call_tool("outbox_status", {})).structured_content

    assert result.completed
    sent, recorded = model.requests[1].latest_tool_results
    assert sent.is_error and "unknown tool 'channels__send_approved_proposal'" in str(sent.content)
    assert recorded.is_error and "unknown tool 'rules__record_guard_verdict'" in str(recorded.content)
    assert outbox == {}


async def test_the_guard_itself_has_no_send_tool(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    deps = deps_for(sqlite_db)
    async with Toolbox.open(
        {"rules": Client(build_rules(deps)), "channels": Client(build_channels(deps))}
    ) as box:
        agent = guard_agent(box, local_guard_model())
        assert {d.name for d in agent.tools.definitions} == set(GUARD_TOOLS)
        assert not any(name.startswith("channels__") for name in GUARD_TOOLS)


async def test_forged_changed_reused_and_expired_approvals_are_refused(sqlite_db: Database) -> None:
    await add_member(sqlite_db)
    proposal = offer()
    async with guard_rig(deps_for(sqlite_db)) as rig:
        approval = (await rig.guard.review_proposal(proposal)).approval_id
        assert approval is not None

        async def send(sent: dict[str, JsonValue], approval_id: str, channels: Client = rig.channels) -> str:
            result = await channels.call_tool(
                "send_approved_proposal", {"proposal": sent, "approval_id": approval_id}
            )
            return "sent" if not result.is_error else result.content[0].text

        assert "no_approval" in await send(as_json(proposal), "forged-approval-id-000")
        changed = as_json(offer(message={"body": "Hi Sarah, 40% off everything this week."}))
        assert "content_changed" in await send(changed, approval)
        async with Client(build_channels(deps_for(sqlite_db, now=NOW + timedelta(hours=25)))) as later:
            assert "approval_expired" in await send(as_json(proposal), approval, later)
        assert await send(as_json(proposal), approval) == "sent"
        assert "approval_used" in await send(as_json(proposal), approval)
