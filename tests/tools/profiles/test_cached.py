"""The per-moment profile cache: a profile asked for long after the data ends reads the newest
order at most once per TTL, and is still reported stale."""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from tests.tools.profiles.conftest import AS_OF
from tests.tools.profiles.small_world import build_small_world
from tools.profiles.artefact import ModelStore
from tools.profiles.cached import CachedProfiles
from tools.profiles.frame import SEGMENT_FIELDS
from tools.segments.definitions import load_segments
from tools.storage.db import Database
from tools.storage.statements import counting


async def test_long_after_the_data_the_newest_order_is_read_once_per_ttl(
    db: Database, tmp_path: Path
) -> None:
    world = await build_small_world(db)
    now = [AS_OF + timedelta(days=200)]  # far past the data: models are chosen from the newest order
    cached = CachedProfiles(
        db=db,
        store=ModelStore(tmp_path / "models"),
        segments=load_segments(SEGMENT_FIELDS, None),
        clock=lambda: now[0],
    )

    async def cold_profile(member: int, moment: datetime) -> tuple[bool, int]:
        with counting(db) as statements:
            profile = await cached.profile(member, moment)
        return profile.freshness.stale, len(statements)

    await cached.profile(world.customers[0])  # fits the models, reads the categories
    assert await cold_profile(world.customers[1], now[0]) == (True, 2)  # stale, and only the member's reads
    now[0] += cached.ttl + timedelta(seconds=1)
    assert await cold_profile(world.customers[2], now[0]) == (True, 3)  # the newest order read again
    cached.forget(world.customers[3])  # new data for a member: it may be the newest order
    assert await cold_profile(world.customers[3], now[0]) == (True, 3)


async def test_concurrent_requests_for_one_member_share_one_computation(db: Database, tmp_path: Path) -> None:
    world = await build_small_world(db)
    cached = CachedProfiles(
        db=db,
        store=ModelStore(tmp_path / "models"),
        segments=load_segments(SEGMENT_FIELDS, None),
        clock=lambda: AS_OF,
    )
    await cached.profile(world.customers[0], AS_OF)  # fits the models, reads the categories
    with counting(db) as alone:
        await cached.profile(world.customers[1], AS_OF)
    with counting(db) as together:
        first, second = await asyncio.gather(
            cached.profile(world.customers[2], AS_OF),
            cached.profile(world.customers[2], AS_OF + timedelta(seconds=1)),
        )
    assert first is second and len(together) == len(alone) > 0


async def test_a_row_served_from_an_older_frame_is_kept_for_the_ttl(db: Database, tmp_path: Path) -> None:
    world = await build_small_world(db)
    now = [AS_OF]
    cached = CachedProfiles(
        db=db,
        store=ModelStore(tmp_path / "models"),
        segments=load_segments(SEGMENT_FIELDS, None),
        clock=lambda: now[0],
    )
    frame = await cached.frame()
    now[0] = frame.as_of + timedelta(minutes=5)  # the frame is minutes old: its rows' as-of too
    with counting(db) as first:
        served = await cached.profile(world.customers[0])
    now[0] += cached.ttl / 2
    with counting(db) as again:
        assert await cached.profile(world.customers[0]) is served
    assert served.as_of.replace(tzinfo=None) == frame.as_of
    assert (len(first), len(again)) == (1, 0)  # one check for newer records, then the cache
