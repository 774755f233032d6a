"""A chat session with the local model over this test's copy of the seeded world."""

from collections.abc import AsyncIterator

import pytest

from agents.team import local_model
from loyalty.ops.chat import ChatSession, open_chat
from tests.mcp_servers.seeded_world import SeededWorld


@pytest.fixture
async def chat(world: SeededWorld) -> AsyncIterator[ChatSession]:
    async with open_chat(world.settings(), clock=lambda: world.now, model=local_model()) as session:
        yield session
