"""The whole team on a seeded retailer, through in-memory MCP: trigger → orchestrator →
specialist → guard → channels, with every step in the decision log."""

import json

from sqlalchemy import func, select

from agents.decision_log import InMemoryDecisionLog
from agents.team import local_model
from loyalty.wiring import open_agents
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.models import Contact, GuardVerdict, Proposal

DECISIONS = {"sent", "nothing", "rejected", "review", "refused"}


async def decide(
    world: SeededWorld, members: range, use_case: str
) -> tuple[list[dict], InMemoryDecisionLog, dict]:
    log = InMemoryDecisionLog()
    async with world.open() as product, open_agents(product, local_model(), log) as team:
        await product.profiles.prime(world.now)
        answers = []
        for member in members:
            result = await team.handle(json.dumps({"customer_id": member, "use_case": use_case}))
            assert result.completed, result.termination
            answers.append(json.loads(result.output) | {"trace_id": result.trace_id})
        async with product.db.session() as s:
            counts = {
                "contacts": await s.scalar(
                    select(func.count()).select_from(Contact).where(Contact.status == "queued")
                ),
                "approved": await s.scalar(
                    select(func.count())
                    .select_from(GuardVerdict)
                    .where(GuardVerdict.approval_used_at.is_not(None))
                ),
                "proposals": await s.scalar(select(func.count()).select_from(Proposal)),
            }
    return answers, log, counts


async def test_every_trigger_ends_in_a_typed_decision_and_sends_only_approved_content(
    world: SeededWorld,
) -> None:
    answers, log, counts = await decide(world, range(1, 41), "reactivation")
    assert {a["decision"] for a in answers} <= DECISIONS
    sent = [a for a in answers if a["decision"] == "sent"]
    assert sent, "on 40 members the agents should find someone worth contacting"
    # Every queued message used exactly one guard approval.
    assert counts["contacts"] == counts["approved"] == len(sent)
    for answer in answers:
        assert answer["detail"]


async def test_one_trace_covers_orchestrator_specialist_and_guard(world: SeededWorld) -> None:
    answers, log, _ = await decide(world, range(1, 41), "upsell")
    sent = next(a for a in answers if a["decision"] == "sent")
    agents = {entry.agent for entry in log.for_trace(sent["trace_id"])}
    assert {"orchestrator", "upsell", "guard"} <= agents
    tools = [e.payload.get("name") for e in log.for_trace(sent["trace_id"]) if e.kind == "tool_call"]
    assert "channels__send_approved_proposal" in tools and "review_with_guard" in tools


async def test_stale_member_gets_nothing_and_the_reason(world: SeededWorld) -> None:
    async with world.open() as product:
        frame = await product.profiles.frame(world.now)
        stale = [
            int(c) for c, s in zip(frame.history.members.customer_id, frame.freshness.stale, strict=True) if s
        ]
    assert stale, "the seeded world has members whose data is stale"
    answers, _, counts = await decide(world, range(stale[0], stale[0] + 1), "reactivation")
    assert answers[0]["decision"] == "nothing" and "stale" in answers[0]["detail"]
    assert counts["contacts"] == 0
