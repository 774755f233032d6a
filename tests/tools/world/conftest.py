"""Seeded worlds shared by the world tests: built once per session, opened per test."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from loyalty.settings import PACKAGE_ROOT
from tools.progress import Silent
from tools.storage.db import Database, database
from tools.world.generator import WorldRequest
from tools.world.population import Population, load_population
from tools.world.seeding import SeedResult, seed_world

POPULATIONS = PACKAGE_ROOT / "tools" / "world"
DEFAULT = POPULATIONS / "default_population.toml"
GROCER = POPULATIONS / "populations" / "value_grocer.toml"
FASHION = POPULATIONS / "populations" / "fashion.toml"
PET_PHARMACY = POPULATIONS / "populations" / "pet_pharmacy.toml"


@dataclass(frozen=True)
class Seeded:
    url: str
    truth_dir: Path
    population: Population
    result: SeedResult


def seed_sqlite(directory: Path, customers: int, seed: int, population: Path = DEFAULT) -> Seeded:
    directory.mkdir(parents=True, exist_ok=True)
    spec = load_population(population)
    url = f"sqlite+aiosqlite:///{directory / 'world.db'}"
    request = WorldRequest(spec, customers, seed, spec.world.months, spec.world.end_date)
    result = asyncio.run(
        seed_world(
            url, directory / "truth", request, population_name=spec.world.name, reset=False, progress=Silent()
        )
    )
    return Seeded(url, directory / "truth", spec, result)


@pytest.fixture(scope="session")
def default_population() -> Population:
    return load_population(DEFAULT)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """A 400-member world of the default population, seed 11."""
    return seed_sqlite(tmp_path_factory.mktemp("seeded"), 400, 11)


@pytest.fixture
async def seeded_db(seeded: Seeded) -> AsyncIterator[Database]:
    store = database(seeded.url)
    try:
        yield store
    finally:
        await store.dispose()
