"""The real-time profile path: what a cold profile costs in SQL statements, and that reusing the
categories between profiles never hides a change to them."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, update

from tests.tools.profiles.conftest import AS_OF, service_for
from tests.tools.profiles.small_world import WorldIds
from tools.storage.statements import counting
from tools.profiles.artefact import ModelStore
from tools.profiles.frame import SEGMENT_FIELDS
from tools.profiles.service import FRAME_REUSE, ProfileService
from tools.segments.definitions import load_segments
from tools.storage.db import Database
from tools.storage.models import Category


async def test_a_cold_profile_costs_two_statements(db: Database, service: ProfileService, world: WorldIds) -> None:
    await service.models(AS_OF)  # fitted first: only the profile's own statements are counted
    with counting(db) as first:
        await service.profile(world.customers[0], AS_OF)
    with counting(db) as second:
        await service.profile(world.customers[1], AS_OF)
    assert len(first) == 3  # the member, their records with the categories' version, the categories
    assert len(second) == 2  # the categories are reused: the member, and their records


async def test_changed_categories_are_read_again(db: Database, service: ProfileService, world: WorldIds,
                                                 tmp_path: Path) -> None:
    member = world.customers[0]
    before = await service.profile(member, AS_OF)
    bought = {c.category for c in before.predictions.category_affinity}
    renamed = sorted(bought)[0]
    async with db.engine.begin() as conn:
        await conn.execute(update(Category).where(Category.name == renamed).values(name=f"{renamed} and more"))
        await conn.execute(insert(Category).values(id=100, name="kombucha", department="grocery"))
    with counting(db) as statements:
        after = await service.profile(member, AS_OF)
    assert len(statements) == 3  # the version changed: the categories are read again
    assert after == await service_for(db, tmp_path / "models").profile(member, AS_OF)  # as a new service sees it
    names = {c.category for c in after.predictions.category_affinity}
    assert f"{renamed} and more" in names and renamed not in names


async def test_categories_are_reused_for_a_bounded_time(db: Database, world: WorldIds, tmp_path: Path) -> None:
    now = [AS_OF]
    service = ProfileService(db=db, store=ModelStore(tmp_path / "models"), segments=load_segments(SEGMENT_FIELDS),
                             clock=lambda: now[0])
    member = world.customers[1]
    before = await service.profile(member, AS_OF)  # fits the models, reads the categories
    renamed = before.predictions.category_affinity[0].category
    async with db.engine.begin() as conn:  # a rename that keeps the length escapes the version check
        await conn.execute(update(Category).where(Category.name == renamed).values(name=renamed.upper()))
    with counting(db) as statements:
        await service.profile(world.customers[2], AS_OF)
    assert len(statements) == 2
    now[0] += FRAME_REUSE + timedelta(seconds=1)
    with counting(db) as statements:
        after = await service.profile(member, AS_OF)
    assert len(statements) == 3  # reread once the reuse time is over
    assert renamed.upper() in {c.category for c in after.predictions.category_affinity}
