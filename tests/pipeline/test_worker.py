"""Triggers from the seeded world's events are decided by workers; nothing is decided or sent twice."""

from sqlalchemy import func, select

from agents.team import local_model
from loyalty.runtime.worker import drain
from loyalty.wiring import open_agents
from tests.mcp_servers.seeded_world import SeededWorld
from tools.storage.models import Contact
from tools.storage.runtime import QueuedTrigger
from tools.triggers import run_due_triggers


async def queued_contacts(product) -> int:  # type: ignore[no-untyped-def]
    async with product.db.session() as s:
        return int(
            await s.scalar(select(func.count()).select_from(Contact).where(Contact.status == "queued")) or 0
        )


async def test_workers_decide_every_due_trigger_once(world: SeededWorld) -> None:
    async with world.open() as product, open_agents(product, local_model()) as team:
        report = await run_due_triggers(product.db, world.now, force=True)
        assert report.enqueued > 0
        await product.profiles.prime(world.now)
        work = await drain(product.db, team, clock=lambda: world.now, workers=3)
        assert work.failed == 0
        assert work.decided == sum(work.outcomes.values()) > 0
        async with product.db.session() as s:  # triggers due later (post-purchase waits a day) stay pending
            left = await s.scalar(
                select(func.count())
                .select_from(QueuedTrigger)
                .where(
                    (QueuedTrigger.status == "claimed")
                    | (
                        (QueuedTrigger.status == "pending")
                        & (QueuedTrigger.due_at <= world.now.replace(tzinfo=None))
                    )
                )
            )
        assert left == 0
        sent = await queued_contacts(product)
        assert sent == work.outcomes["sent"]
        # Running the scheduler and the workers again at the same moment changes nothing.
        again = await run_due_triggers(product.db, world.now, force=True)
        assert again.enqueued == 0
        second = await drain(product.db, team, clock=lambda: world.now, workers=3)
        assert second.decided == 0 and await queued_contacts(product) == sent
