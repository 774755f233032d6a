"""The seeded world the ops tests share (built once per session, copied per test), and a chat
session over it with the local model."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents.team import local_model
from loyalty.ops.chat import ChatSession, open_chat
from tests.mcp_servers.seeded_world import SeededWorld, build_world


@pytest.fixture(scope="session")
def shared_world(tmp_path_factory: pytest.TempPathFactory) -> SeededWorld:
    """Read-only: never write to it (use `world`)."""
    return build_world(tmp_path_factory.mktemp("ops-world"))


@pytest.fixture
def world(shared_world: SeededWorld, tmp_path: Path) -> SeededWorld:
    return shared_world.copy_to(tmp_path / "world")


@pytest.fixture
async def chat(world: SeededWorld) -> AsyncIterator[ChatSession]:
    async with open_chat(world.settings(), clock=lambda: world.now, model=local_model()) as session:
        yield session
