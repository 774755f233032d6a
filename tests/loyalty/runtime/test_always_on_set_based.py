"""The always-on pass decided set-based decides as agent runs do: on two copies of the seeded world,
the whole base considered at once (`cycle_days = 1`), the set-based pass queues the messages the
pass of one agent run per member queues, leaves each trigger in the same state, and logs every
member's decision with the candidates and choice probabilities their agent run logs."""

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from agents.team import local_model
from loyalty.runtime.always_on import AlwaysOnReport, decide_always_on
from loyalty.runtime.worker import WorkReport, drain
from loyalty.wiring import open_agents
from tests.loyalty.runtime.passes import queued_messages, whole_base_rule
from tests.mcp_servers.seeded_world import SeededWorld
from tools.decisions import SqlDecisionLog
from tools.nba import DEFAULT_EXPLORATION_SHARE, logged_decisions
from tools.nba.choice import CHOICE_DRAWS
from tools.storage.models import DecisionLogEntry
from tools.storage.runtime import QueuedTrigger
from tools.triggers.schedule import run_due_triggers

SCORING = "offers__score_candidate_actions"


async def always_on_pass(
    world: SeededWorld, set_based: bool
) -> tuple[AlwaysOnReport, WorkReport, dict[int, str], set[Any], dict[int, list[dict[str, Any]]]]:
    async with (
        world.open() as product,
        open_agents(product, local_model(), SqlDecisionLog(product.db)) as team,
    ):
        await product.profiles.frame(world.now)  # as `loyalty worker` keeps one
        ran = await run_due_triggers(product.db, world.now, rules=whole_base_rule(), force=True)
        assert ran.enqueued > 0
        together = await decide_always_on(product, team, world.now) if set_based else AlwaysOnReport()
        work = await drain(product.db, team, clock=lambda: world.now, workers=1, name="test")
        async with product.db.session() as session:
            triggers = (
                await session.execute(
                    select(QueuedTrigger.id, QueuedTrigger.customer_id, QueuedTrigger.status)
                )
            ).all()
            scored = (
                await session.execute(
                    select(DecisionLogEntry.trace_id, DecisionLogEntry.payload).where(
                        DecisionLogEntry.kind == "tool_result"
                    )
                )
            ).all()
        contacts = await queued_messages(product.db)
        member_of = {f"trigger-{i}": c for i, c, _ in triggers}
        candidates = {
            member_of[trace]: json.loads(p["content"]) if isinstance(p["content"], str) else p["content"]
            for trace, p in scored
            if str(p.get("name", "")).endswith("score_candidate_actions") and trace in member_of
        }
        decided, _ = await logged_decisions(product.db)
        assert decided  # `loyalty eval offline` reads the pass's decisions
    statuses = {c: s for _, c, s in triggers}
    return together, work, statuses, contacts, {m: c["candidates"] for m, c in candidates.items()}


def actions(candidates: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Each listed action with its value now and at the posterior means, best first."""
    return [(c["channel"], c["action"], c["value"], c["expected_value"]) for c in candidates]


async def test_the_set_based_pass_decides_as_agent_runs_do(world: SeededWorld, tmp_path: Path) -> None:
    _, agents, agent_status, agent_sent, agent_logged = await always_on_pass(
        world.copy_to(tmp_path / "agents"), set_based=False
    )
    together, rest, status, sent, logged = await always_on_pass(world, set_based=True)
    assert together.decided > 0 and together.outcomes["sent"] > 0
    assert together.decided + rest.decided == agents.decided  # every member decided once
    assert rest.decided < agents.decided / 4  # most of the cohort without an agent run
    assert sent == agent_sent  # the same member, channel, offer, send time and copy
    assert status == agent_status
    assert set(logged) == set(agent_logged)
    assert {m: actions(c) for m, c in logged.items()} == {m: actions(c) for m, c in agent_logged.items()}
    # Choice probabilities: the same greedy choice and the same posterior draws per member; scored
    # a few hundred members at a time, a draw's fatigue and holdout terms take the batch's mean
    # order rate, not the member's own 64 draws', so now and then a draw ranks another action first.
    share = DEFAULT_EXPLORATION_SHARE
    worst = max(
        abs(a["choice_probability"] - b["choice_probability"])
        for m in logged
        for a, b in zip(logged[m], agent_logged[m], strict=True)
    )
    assert worst <= share * 3 / CHOICE_DRAWS
