"""A simulation's world: the past written to a database, the future replayed a day at a time, and
the hidden traits that decide how members respond (never visible to the policy)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import delete

from evals.simulation.world_split import Future, rows_between, split_world
from policies.vocabulary import UseCase
from tools.progress import Progress, Silent
from tools.storage import Base, Budget, Database, bulk_insert, database, init_schema
from tools.world import (
    HiddenTraits,
    Population,
    ResponseModel,
    WorldInfo,
    WorldRequest,
    generate_world,
    write_world,
)


@dataclass(frozen=True)
class SimWorld:
    db: Database
    db_url: str
    start: datetime  # aware UTC: the first simulated moment (midnight after the last day of history)
    days: int
    future: Future
    truth: HiddenTraits
    response: ResponseModel
    population: Population

    def day_window(self, day: int) -> tuple[datetime, datetime]:
        begin = self.start + timedelta(days=day)
        return begin, begin + timedelta(days=1)

    async def replay(self, day: int) -> int:
        """Write the members' own behaviour of simulated day `day`: orders, lines, events."""
        begin, end = (np.datetime64(t.replace(tzinfo=None), "us") for t in self.day_window(day))
        orders = rows_between(self.future.orders, "placed_at", begin, end)
        ids = np.asarray(orders["id"])
        lines = {
            k: np.asarray(v, dtype=object)[np.isin(np.asarray(self.future.order_lines["order_id"]), ids)]
            for k, v in self.future.order_lines.items()
        }
        events = rows_between(self.future.events, "occurred_at", begin, end)
        tables = Base.metadata.tables
        async with self.db.engine.begin() as conn:
            written = await bulk_insert(conn, tables["orders"], orders)
            written += await bulk_insert(conn, tables["order_lines"], lines)
            written += await bulk_insert(conn, tables["events"], events)
        return written


async def build_world(
    population: Population,
    *,
    members: int,
    seed: int,
    history_months: int,
    days: int,
    start: date,
    directory: Path,
    budgets: dict[UseCase, float] | None = None,
    progress: Progress | None = None,
) -> SimWorld:
    """Generate history up to `start` plus `days` of future, write the past to a fresh SQLite file."""
    end = start + timedelta(days=days - 1)
    world = generate_world(
        WorldRequest(population, members, seed, history_months + 1, end), progress or Silent()
    )
    cutoff = datetime(start.year, start.month, start.day, tzinfo=UTC)
    past, future = split_world(world, cutoff)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"sim-seed{seed}.db"
    for leftover in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        leftover.unlink(missing_ok=True)  # an earlier run's world: this one starts fresh
    url = f"sqlite+aiosqlite:///{path}"
    db = database(url)
    await init_schema(db)
    info = WorldInfo(
        seed=seed,
        truth_file="(in memory: simulation)",
        population="simulation",
        first_day=world.clock.first,
        last_day=start - timedelta(days=1),
        customers=members,
    )
    await write_world(db, past, info, progress or Silent())
    await _budgets_for_the_run(
        db, cutoff, days, budgets or {u: population.budgets.amount[u.value] for u in UseCase}
    )
    return SimWorld(
        db=db,
        db_url=url,
        start=cutoff,
        days=days,
        future=future,
        truth=world.truth,
        response=ResponseModel.from_population(population),
        population=population,
    )


async def _budgets_for_the_run(
    db: Database, start: datetime, days: int, amounts: dict[UseCase, float]
) -> None:
    # One day past the run: what the last day decides goes out the day after, inside the budget period.
    naive = start.replace(tzinfo=None)
    async with db.session() as session, session.begin():
        await session.execute(delete(Budget))
        for use_case, amount in amounts.items():
            session.add(
                Budget(
                    use_case=use_case.value,
                    period_start=naive,
                    period_end=naive + timedelta(days=days + 1),
                    amount=amount,
                    spent=0.0,
                )
            )
