"""The real-time profile path: what a cold profile costs in SQL statements, that reusing the
categories between profiles never hides a change to them, and when a whole-base frame or a frame
primed for the members of a batch serves one."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from tests.tools.profiles.conftest import AS_OF, service_for
from tests.tools.profiles.small_world import WorldIds, add_later_activity
from tools.storage.statements import counting
from tools.profiles import service as service_module
from tools.profiles.artefact import ModelStore
from tools.profiles.frame import SEGMENT_FIELDS
from tools.profiles.service import FRAME_REUSE, ProfileService
from tools.segments.definitions import load_segments
from tools.storage.db import Database
from tools.storage.models import Category


def on_a_clock(db: Database, models: Path, now: list[datetime]) -> ProfileService:
    """A service whose clock the test moves (`now[0]`)."""
    return ProfileService(db=db, store=ModelStore(models), segments=load_segments(SEGMENT_FIELDS), clock=lambda: now[0])


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
    service = on_a_clock(db, tmp_path / "models", now)
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


async def test_a_fresh_frame_serves_members_with_nothing_new_in_one_statement(
        db: Database, world: WorldIds, tmp_path: Path) -> None:
    now = [AS_OF]
    service = on_a_clock(db, tmp_path / "models", now)
    frame = await service.frame()
    now[0] = frame.as_of + FRAME_REUSE / 3
    member = world.customers[2]
    with counting(db) as statements:
        served = await service.profile(member)
    assert len(statements) == 1  # is anything of theirs dated since the frame? no: its row it is
    assert served == frame.profile(frame.position(member)) and served.as_of == frame.as_of.replace(tzinfo=UTC)


async def test_a_member_with_a_newer_record_or_an_old_frame_is_computed_afresh(
        db: Database, world: WorldIds, tmp_path: Path) -> None:
    now = [AS_OF]
    service = on_a_clock(db, tmp_path / "models", now)
    frame = await service.frame()
    buyer, other = world.customers[0], world.customers[3]
    await add_later_activity(db, world, after=frame.as_of)  # an order for `buyer` dated at the frame's moment
    now[0] = frame.as_of + FRAME_REUSE / 3
    fresh = await service.profile(buyer)
    assert fresh.as_of == now[0].replace(tzinfo=UTC)
    assert fresh.frequency.orders_total == frame.profile(frame.position(buyer)).frequency.orders_total + 1

    now[0] = frame.as_of + FRAME_REUSE + timedelta(seconds=1)  # the frame is too old to describe this moment
    assert (await service.profile(other)).as_of == now[0].replace(tzinfo=UTC)


async def test_priming_named_members_serves_them_as_the_whole_frame_would(
        db: Database, world: WorldIds, tmp_path: Path) -> None:
    now = [AS_OF]
    service = on_a_clock(db, tmp_path / "models", now)
    named, other = world.customers[:2], world.customers[3]
    await service.prime(AS_OF, named)
    with counting(db) as statements:
        served = [await service.profile(m) for m in named]
    assert len(statements) == 0  # the primed frame describes this very moment: nothing can have come since
    whole = await on_a_clock(db, tmp_path / "models", now).frame()
    assert served == [whole.profile(whole.position(m)) for m in named]  # one member's row, whatever the batch
    with counting(db) as statements:
        assert await service.profile(other) == whole.profile(whole.position(other))
    assert len(statements) == 3  # not named: computed live (the member, their records, the categories)


async def test_too_many_named_members_prime_the_whole_base(db: Database, world: WorldIds, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "MAX_NAMED_MEMBERS", 2)
    service = on_a_clock(db, tmp_path / "models", [AS_OF])
    await service.prime(AS_OF, world.customers[:3])
    assert (await service.frame()).position(world.customers[-1]) is not None  # built for everyone, and reused


async def test_priming_no_members_is_harmless(db: Database, world: WorldIds, tmp_path: Path) -> None:
    service = on_a_clock(db, tmp_path / "models", [AS_OF])
    await service.prime(AS_OF, [])  # a quiet day: nothing due
    assert (await service.profile(world.customers[0])).customer_id == world.customers[0]  # computed live
