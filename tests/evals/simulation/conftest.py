"""A small simulation world (120 members, 3 months of history, 4 days to replay)."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from evals.simulation.environment import SimWorld, build_world
from tests.evals.simulation.test_engine import POPULATION
from tools.world.population import load_population


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SimWorld]:
    population = load_population(POPULATION)
    start = population.world.end_date + timedelta(days=1)
    built = await build_world(
        population, members=120, seed=3, history_months=3, days=4, start=start, directory=tmp_path
    )
    try:
        yield built
    finally:
        await built.db.dispose()
