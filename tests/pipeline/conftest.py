"""The seeded world the pipeline tests share (the same builder the server tests use)."""

from pathlib import Path

import pytest

from tests.mcp_servers.seeded_world import SeededWorld, build_world


@pytest.fixture(scope="session")
def pipeline_world(tmp_path_factory: pytest.TempPathFactory) -> SeededWorld:
    return build_world(tmp_path_factory.mktemp("pipeline-world"))


@pytest.fixture
def world(pipeline_world: SeededWorld, tmp_path: Path) -> SeededWorld:
    return pipeline_world.copy_to(tmp_path / "world")
