"""The seeded world the campaign tests share: built once per session, copied per test."""

from pathlib import Path

import pytest

from tests.mcp_servers.seeded_world import SeededWorld, build_world


@pytest.fixture(scope="session")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> SeededWorld:
    """Read-only: never write to it (use `world`)."""
    return build_world(tmp_path_factory.mktemp("campaign-world"))


@pytest.fixture
def world(shared_world: SeededWorld, tmp_path: Path) -> SeededWorld:
    return shared_world.copy_to(tmp_path / "world")
