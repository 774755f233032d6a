"""The seeded world shared by every test that needs a realistic retailer (loaded as a pytest
plugin): seeded and fitted once per session, copied per test that writes."""

from pathlib import Path

import pytest

from tests.mcp_servers.seeded_world import SeededWorld, build_world


@pytest.fixture(scope="session")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> SeededWorld:
    """Read-only: never write to it (use `world`)."""
    return build_world(tmp_path_factory.mktemp("seeded-world"))


@pytest.fixture
def world(shared_world: SeededWorld, tmp_path: Path) -> SeededWorld:
    """This test's own copy of the seeded world."""
    return shared_world.copy_to(tmp_path / "world")
