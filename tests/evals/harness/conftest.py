"""A small seeded world for the harness tests: seeded and fitted once per session, copied per test."""

import asyncio
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evals.harness.base_world import PreparedWorld, prepare_world
from evals.harness.suite import BaseWorld
from loyalty.settings import Settings

WORLD = BaseWorld(population="default", members=120, seed=11, months=12, end_date=date(2026, 6, 25))
NOW = datetime(2026, 6, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> PreparedWorld:
    """Read-only: cases copy it."""
    path = tmp_path_factory.mktemp("harness-world") / "base.db"
    return asyncio.run(prepare_world(WORLD, path, NOW, Settings()))


@pytest.fixture
def world_copy(shared_world: PreparedWorld, tmp_path: Path) -> PreparedWorld:
    """This test's own copy of the world (database and fitted models), for tests that reuse it by path."""
    target = tmp_path / "world"
    target.mkdir()
    shutil.copyfile(shared_world.db_path, target / "base.db")
    shutil.copytree(shared_world.models_dir, target / "base.models")
    return replace(shared_world, db_path=target / "base.db", models_dir=target / "base.models")
