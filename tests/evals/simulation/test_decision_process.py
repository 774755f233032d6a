"""Two processes draining one trigger queue, as the simulator runs them on two cores: every trigger
is decided once, by one of them, and each does a share."""

import asyncio
from datetime import timedelta
from pathlib import Path

import anyio
from sqlalchemy import func, select

from agents.team import local_model
from evals.simulation.decision_process import DecisionProcess
from evals.simulation.engine import TICK_HOUR
from evals.simulation.environment import SimWorld, build_world
from loyalty.runtime.worker import drain
from loyalty.settings import Settings
from loyalty.wiring import open_agents, open_product
from tests.evals.simulation.test_engine import POPULATION
from tools.storage.runtime import QueuedTrigger
from tools.triggers import due_members, run_due_triggers
from tools.world.population import load_population


async def test_two_processes_decide_every_trigger_once(tmp_path: Path) -> None:
    population = load_population(POPULATION)
    world = await build_world(
        population,
        members=150,
        seed=1,
        history_months=6,
        days=1,
        start=population.world.end_date + timedelta(days=1),
        directory=tmp_path,
    )
    try:
        await _decide_the_first_day_in_two_processes(world, tmp_path)
    finally:
        await world.db.dispose()


async def _decide_the_first_day_in_two_processes(world: SimWorld, tmp_path: Path) -> None:
    begin, _ = world.day_window(0)
    await world.replay(0)
    now = begin + timedelta(hours=TICK_HOUR)
    await run_due_triggers(world.db, now, force=True)
    due = (QueuedTrigger.status == "pending") & (QueuedTrigger.due_at <= now.replace(tzinfo=None))
    async with world.db.session() as session:
        queued = await session.scalar(select(func.count()).select_from(QueuedTrigger).where(due))
    assert queued >= 10

    settings = Settings(db_url=world.db_url, outbox_dir=tmp_path / "outbox")
    async with (
        open_product(settings, clock=lambda: now) as product,
        open_agents(product, local_model()) as team,
    ):
        # fits the models here, so the child loads them instead of fitting too
        await product.profiles.models(now.replace(tzinfo=None))
        with DecisionProcess(settings, workers=2) as second:
            await second.started()  # as from the simulator's second day on: both at work from the start
            elsewhere = asyncio.ensure_future(second.decide(now))
            await product.profiles.prime(now, await due_members(world.db, now))
            # A decision takes milliseconds: this process would drain the whole queue while the
            # child still primes its profiles. It joins once the child holds its first claim.
            await _child_claimed(world, elsewhere)
            here = await drain(world.db, team, clock=lambda: now, workers=2)
            there = await elsewhere

    async with world.db.session() as session:
        still_due = await session.scalar(select(func.count()).select_from(QueuedTrigger).where(due))
        claimed = await session.scalar(
            select(func.count()).select_from(QueuedTrigger).where(QueuedTrigger.status == "claimed")
        )
    assert here.failed == there.failed == 0
    assert here.decided > 0 and there.decided > 0
    assert here.decided + there.decided == queued and still_due == claimed == 0


async def _child_claimed(world: SimWorld, child: "asyncio.Future[object]") -> None:
    """Returns once a trigger is claimed by the child process (or it has finished)."""
    by_child = QueuedTrigger.lease_owner.like("second-process%")
    with anyio.fail_after(120):
        while not child.done():
            async with world.db.session() as session:
                if await session.scalar(select(func.count()).select_from(QueuedTrigger).where(by_child)):
                    return
            await asyncio.sleep(0.01)
