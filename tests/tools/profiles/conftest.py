"""A small world and a profile service over it, shared by the profile tests."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.tools.profiles.small_world import END, WorldIds, build_small_world
from tools.profiles.artefact import ModelStore
from tools.profiles.frame import SEGMENT_FIELDS
from tools.profiles.service import ProfileService
from tools.segments.definitions import load_segments
from tools.storage.db import Database

AS_OF = END


@pytest.fixture
async def world(db: Database) -> WorldIds:
    return await build_small_world(db)


def service_for(db: Database, models: Path, segments: Path | None = None) -> ProfileService:
    return ProfileService(
        db=db, store=ModelStore(models), segments=load_segments(SEGMENT_FIELDS, segments), clock=lambda: AS_OF
    )


@pytest.fixture
async def service(db: Database, world: WorldIds, tmp_path: Path) -> AsyncIterator[ProfileService]:
    yield service_for(db, tmp_path / "models")
