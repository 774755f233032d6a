"""The real-time profile path: what a cold profile costs in SQL statements, that reusing the
categories between profiles never hides a change to them, and when a whole-base frame, a frame
primed for the members of a batch, or one caught up with the members active since serves one."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from tests.tools.profiles.conftest import AS_OF, service_for
from tests.tools.profiles.small_world import WorldIds, add_later_activity
from tools.profiles import service as service_module
from tools.profiles.artefact import ModelStore
from tools.profiles.frame import SEGMENT_FIELDS
from tools.profiles.loader import recorded_members
from tools.profiles.service import FRAME_RENEW, FRAME_REUSE, ProfileService
from tools.segments.definitions import load_segments
from tools.storage.db import Database
from tools.storage.models import Category, ChannelConsent
from tools.storage.statements import counting


def on_a_clock(db: Database, models: Path, now: list[datetime]) -> ProfileService:
    """A service whose clock the test moves (`now[0]`)."""
    return ProfileService(
        db=db, store=ModelStore(models), segments=load_segments(SEGMENT_FIELDS), clock=lambda: now[0]
    )


async def test_a_cold_profile_costs_two_statements(
    db: Database, service: ProfileService, world: WorldIds
) -> None:
    await service.models(AS_OF)  # fitted first: only the profile's own statements are counted
    with counting(db) as first:
        await service.profile(world.customers[0], AS_OF)
    with counting(db) as second:
        await service.profile(world.customers[1], AS_OF)
    assert len(first) == 3  # the member, their records with the categories' version, the categories
    assert len(second) == 2  # the categories are reused: the member, and their records


async def test_changed_categories_are_read_again(
    db: Database, service: ProfileService, world: WorldIds, tmp_path: Path
) -> None:
    member = world.customers[0]
    before = await service.profile(member, AS_OF)
    bought = {c.category for c in before.predictions.category_affinity}
    renamed = sorted(bought)[0]
    async with db.engine.begin() as conn:
        await conn.execute(
            update(Category).where(Category.name == renamed).values(name=f"{renamed} and more")
        )
        await conn.execute(insert(Category).values(id=100, name="kombucha", department="grocery"))
    with counting(db) as statements:
        after = await service.profile(member, AS_OF)
    assert len(statements) == 3  # the version changed: the categories are read again
    assert after == await service_for(db, tmp_path / "models").profile(
        member, AS_OF
    )  # as a new service sees it
    names = {c.category for c in after.predictions.category_affinity}
    assert f"{renamed} and more" in names and renamed not in names


async def test_categories_are_reused_for_a_bounded_time(
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
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
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
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
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
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
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
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


async def test_too_many_named_members_prime_the_whole_base(
    db: Database, world: WorldIds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "MAX_NAMED_MEMBERS", 2)
    service = on_a_clock(db, tmp_path / "models", [AS_OF])
    await service.prime(AS_OF, world.customers[:3])
    assert (await service.frame()).position(world.customers[-1]) is not None  # built for everyone, and reused


async def test_priming_no_members_is_harmless(db: Database, world: WorldIds, tmp_path: Path) -> None:
    service = on_a_clock(db, tmp_path / "models", [AS_OF])
    await service.prime(AS_OF, [])  # a quiet day: nothing due
    assert (await service.profile(world.customers[0])).customer_id == world.customers[0]  # computed live


async def test_recorded_members_are_those_with_anything_dated_in_the_window(
    db: Database, world: WorldIds
) -> None:
    await add_later_activity(
        db, world, after=AS_OF
    )  # order, send, view at AS_OF; a click an hour on; more days later
    changed = world.customers[2]
    async with db.engine.begin() as conn:
        await conn.execute(
            update(ChannelConsent)
            .where(ChannelConsent.customer_id == changed)
            .values(updated_at=AS_OF + timedelta(minutes=30))
        )
    assert await recorded_members(db, AS_OF, AS_OF + timedelta(hours=2)) == sorted(
        [world.customers[0], changed]
    )
    assert await recorded_members(db, AS_OF + timedelta(minutes=31), AS_OF + timedelta(hours=2)) == [
        world.customers[0]
    ]
    assert (
        await recorded_members(db, AS_OF + timedelta(hours=2), AS_OF + timedelta(days=1)) == []
    )  # the end is excluded
    assert await recorded_members(db, AS_OF + timedelta(hours=2), AS_OF + timedelta(days=1, seconds=1)) == [
        world.customers[1]
    ]


async def test_catching_up_serves_members_active_since_the_frame_from_a_frame(
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
    now = [AS_OF]
    service = on_a_clock(db, tmp_path / "models", now)
    whole = await service.frame()
    buyer = world.customers[0]
    await add_later_activity(db, world, after=whole.as_of)  # `buyer` orders at the frame's very moment
    now[0] = whole.as_of + FRAME_REUSE / 3
    assert await service.catch_up() == 1
    caught_up_at = now[0]
    now[0] += timedelta(minutes=1)
    with counting(db) as statements:
        served = await service.profile(buyer)
    assert len(statements) == 1  # nothing of theirs since the catch-up: their row of its frame
    assert served == await on_a_clock(db, tmp_path / "other", [caught_up_at]).profile(
        buyer
    )  # as computed then
    assert served.frequency.orders_total == whole.profile(whole.position(buyer)).frequency.orders_total + 1

    assert await service.catch_up() == 0  # nobody new since the last catch-up
    with counting(db) as statements:
        untouched = await service.profile(world.customers[3])
    assert len(statements) == 1 and untouched.as_of == whole.as_of.replace(
        tzinfo=UTC
    )  # the whole frame's row


async def test_a_record_after_the_catch_up_is_computed_live_until_the_next(
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
    now = [AS_OF]
    service = on_a_clock(db, tmp_path / "models", now)
    await service.frame()
    now[0] = AS_OF + timedelta(minutes=1)
    assert await service.catch_up() == 0
    await add_later_activity(db, world, after=AS_OF + timedelta(minutes=2))
    now[0] = AS_OF + timedelta(minutes=3)
    live = await service.profile(world.customers[0])
    assert live.as_of == now[0].replace(tzinfo=UTC)  # computed from the records, the new order included
    assert await service.catch_up() == 1
    with counting(db) as statements:
        assert (
            await service.profile(world.customers[0]) == live
        )  # the same moment: now from the caught-up frame
    assert len(statements) == 0


async def test_catching_up_needs_a_fresh_whole_frame_and_rebuilds_it_for_a_crowd(
    db: Database, world: WorldIds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [AS_OF]
    service = on_a_clock(db, tmp_path / "models", now)
    assert await service.catch_up() == 0  # no whole-base frame to catch up with
    whole = await service.frame()
    await add_later_activity(db, world, after=AS_OF)
    monkeypatch.setattr(service_module, "MAX_NAMED_MEMBERS", 0)  # more active members than can be named
    now[0] = AS_OF + timedelta(minutes=5)
    assert await service.catch_up() == 1
    rebuilt = await service.frame()
    assert rebuilt is not whole and rebuilt.as_of == now[0]
    now[0] = AS_OF + FRAME_REUSE * 3  # every frame too old: nothing to catch up with
    assert await service.catch_up() == 0


async def test_refreshing_builds_renews_ahead_of_expiry_and_catches_up_between(
    db: Database, world: WorldIds, tmp_path: Path
) -> None:
    now = [AS_OF]
    service = on_a_clock(db, tmp_path / "models", now)
    assert await service.refresh() == 0  # no frame yet: the whole base is built
    first = await service.frame()
    assert first.as_of == AS_OF
    await add_later_activity(db, world, after=AS_OF)
    now[0] = AS_OF + timedelta(minutes=1)
    assert await service.refresh() == 1  # the member active since is caught up
    assert await service.frame() is first
    now[0] = AS_OF + FRAME_RENEW
    assert await service.refresh() == 0
    renewed = await service.frame()
    assert renewed.as_of == now[0] < first.as_of + FRAME_REUSE  # rebuilt while the old one still served
