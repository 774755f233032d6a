"""The always-on pass's set-based screen changes no decision: on two copies of the seeded world, the
whole base considered at once (`cycle_days = 1`), the pass with the screen queues exactly the
messages the pass without it does, and every member it screened out was decided "nothing"."""

from pathlib import Path
from typing import Any

from sqlalchemy import select

from agents.team import local_model
from loyalty.runtime.service import screen_always_on
from loyalty.runtime.worker import WorkReport, drain
from loyalty.wiring import open_agents
from tests.loyalty.runtime.passes import queued_messages, whole_base_rule
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.runtime import QueuedTrigger
from tools.triggers.schedule import run_due_triggers


async def always_on_pass(world: SeededWorld, screen: bool) -> tuple[WorkReport, dict[int, str], set[Any]]:
    async with world.open() as product, open_agents(product, local_model()) as team:
        await product.profiles.frame(world.now)  # as `loyalty worker` keeps one
        ran = await run_due_triggers(product.db, world.now, rules=whole_base_rule(), force=True)
        assert ran.enqueued > 0
        screened = await screen_always_on(product, world.now) if screen else 0
        report = await drain(product.db, team, clock=lambda: world.now, workers=1, name="test")
        report.screened = screened
        async with product.db.session() as session:
            statuses = dict(
                (await session.execute(select(QueuedTrigger.customer_id, QueuedTrigger.status))).all()
            )
        contacts = await queued_messages(product.db)
    return report, statuses, contacts


async def test_the_screen_skips_members_without_changing_a_decision(
    world: SeededWorld, tmp_path: Path
) -> None:
    plain, plain_status, plain_sent = await always_on_pass(world.copy_to(tmp_path / "plain"), screen=False)
    screened, screened_status, screened_sent = await always_on_pass(world, screen=True)
    assert screened.screened > 0 and plain.screened == 0
    assert screened.decided + screened.screened == plain.decided
    assert screened_sent == plain_sent and plain.outcomes["sent"] == screened.outcomes["sent"] > 0
    assert screened_status == plain_status  # skipped by the screen is skipped ("nothing") by the agents
