"""Seeded databases: byte-identical per seed on every table, consistent, the same on PostgreSQL,
all-or-nothing, and never overwriting members unless asked to."""

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from tests.tools.world.conftest import DEFAULT, Seeded, seed_sqlite
from tools.errors import InvalidInput, StorageError
from tools.progress import Silent
from tools.storage.db import Database, database, init_schema
from tools.storage.models import (
    Base,
    BehaviouralEvent,
    Customer,
    LoyaltyAccount,
    Order,
    Outcome,
)
from tools.world import writer
from tools.world.accounts import tier_for
from tools.world.fingerprint import table_fingerprints
from tools.world.generator import WorldRequest, generate_world
from tools.world.offers import OFFERS_BY_CODE
from tools.world.population import Population
from tools.world.seeding import seed_world
from tools.world.stamp import WorldInfo, read_world_info
from tools.world.truth import load_truth


async def _fingerprint(url: str) -> dict[str, str]:
    store = database(url)
    try:
        return await table_fingerprints(store)
    finally:
        await store.dispose()


def test_same_seed_same_bytes_in_every_table(seeded: Seeded, tmp_path: Path) -> None:
    again = seed_sqlite(tmp_path / "again", 400, 11)
    other = seed_sqlite(tmp_path / "other", 400, 12)
    first, second, third = (asyncio.run(_fingerprint(s.url)) for s in (seeded, again, other))
    assert first == second
    assert set(first) == set(Base.metadata.tables)
    changed = {name for name in first if first[name] != third[name]}
    assert {"customers", "orders", "order_lines", "events", "contacts", "outcomes", "schema_info"} <= changed
    assert np.array_equal(
        load_truth(seeded.result.truth_path).taste, load_truth(again.result.truth_path).taste
    )


async def test_seeding_writes_the_same_world_on_each_backend(
    db: Database, seeded: Seeded, default_population: Population, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "REBUILD_ROWS", 1_000)  # take the large-table path with a small world
    spec = default_population
    world = generate_world(WorldRequest(spec, 400, 11, spec.world.months, spec.world.end_date), Silent())
    info = WorldInfo(
        11, seeded.result.info.truth_file, spec.world.name, world.clock.first, world.clock.last, 400
    )
    await writer.write_world(db, world, info, Silent())
    reference = database(seeded.url)
    try:
        assert await table_fingerprints(db) == await table_fingerprints(reference)
    finally:
        await reference.dispose()


async def test_every_foreign_key_and_check_holds(seeded_db: Database) -> None:
    async with seeded_db.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all() == []
        assert (await conn.exec_driver_sql("PRAGMA integrity_check")).scalar() == "ok"


async def test_orders_equal_their_lines(seeded_db: Database) -> None:
    async with seeded_db.engine.connect() as conn:
        mismatched = (
            await conn.execute(
                text("""
            SELECT o.id FROM orders o JOIN (
                SELECT order_id, SUM(unit_price * quantity) AS gross, SUM(discount) AS discount, COUNT(*) AS n
                FROM order_lines GROUP BY order_id) l ON l.order_id = o.id
            WHERE ABS(o.subtotal - l.gross) > 0.005 OR ABS(o.discount_total - l.discount) > 0.005
               OR ABS(o.total - (o.subtotal - o.discount_total)) > 0.005 OR o.total < 0
        """)
            )
        ).all()
        orphans = (
            await conn.execute(
                text("SELECT COUNT(*) FROM orders WHERE id NOT IN (SELECT order_id FROM order_lines)")
            )
        ).scalar()
        premium_discounted = (
            await conn.execute(
                text(
                    "SELECT COUNT(*) FROM order_lines l JOIN products p ON p.id = l.product_id "
                    "WHERE p.full_price_only AND l.discount > 0"
                )
            )
        ).scalar()
        before_launch = (
            await conn.execute(
                text(
                    "SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id "
                    "JOIN products p ON p.id = l.product_id WHERE p.launched_at > o.placed_at"
                )
            )
        ).scalar()
    assert mismatched == [] and orphans == 0 and premium_discounted == 0 and before_launch == 0


async def test_points_and_tiers_follow_spend(seeded_db: Database, seeded: Seeded) -> None:
    loyalty = seeded.population.loyalty
    async with seeded_db.session() as session:
        orders = (
            await session.execute(select(Order.customer_id, Order.total, Order.placed_at, Order.coupon_code))
        ).all()
        accounts = {a.customer_id: a for a in (await session.scalars(select(LoyaltyAccount))).all()}
    end = datetime.combine(seeded.result.info.last_day + timedelta(days=1), time())
    lifetime: dict[int, int] = defaultdict(int)
    last_year: dict[int, int] = defaultdict(int)
    for customer, total, placed, coupon in orders:
        offer = OFFERS_BY_CODE.get(coupon) if coupon else None
        multiplier = int(offer.points_multiplier or 1) if offer else 1
        bonus = (offer.bonus_points or 0) if offer else 0
        points = round(total * 100) * loyalty.points_per_dollar * multiplier // 100 + bonus
        lifetime[customer] += points
        if placed >= end - timedelta(days=365):
            last_year[customer] += points
    for customer, account in accounts.items():
        assert account.lifetime_points == lifetime[customer]
        assert 0 <= account.points_balance <= account.lifetime_points
        assert (account.lifetime_points - account.points_balance) % loyalty.redeem_block == 0
        assert account.tier == tier_for(np.array([last_year[customer]]), loyalty)[0]
    assert len({a.tier for a in accounts.values()}) == 4


async def test_message_events_match_outcomes(seeded_db: Database) -> None:
    async with seeded_db.session() as session:
        outcomes = (
            await session.execute(
                select(Outcome.type, Outcome.contact_id, Outcome.occurred_at).where(
                    Outcome.type.in_(("open", "click"))
                )
            )
        ).all()
        events = (
            await session.execute(
                select(BehaviouralEvent.type, BehaviouralEvent.payload, BehaviouralEvent.occurred_at).where(
                    BehaviouralEvent.type.in_(("message_open", "message_click"))
                )
            )
        ).all()
    async with seeded_db.engine.connect() as conn:
        statuses = (await conn.execute(text("SELECT DISTINCT status FROM contacts"))).scalars().all()
        order_outcomes = (
            await conn.execute(
                text(
                    "SELECT COUNT(*) FROM outcomes oc JOIN orders o ON o.id = oc.order_id "
                    "WHERE oc.type = 'order' AND (o.contact_id <> oc.contact_id OR ABS(oc.revenue - o.total) > 0.005)"
                )
            )
        ).scalar()
    as_events = sorted(
        ({"message_open": "open", "message_click": "click"}[t], p["contact_id"], at) for t, p, at in events
    )
    assert sorted((t, c, at) for t, c, at in outcomes) == as_events and len(as_events) > 100
    assert statuses == ["sent"] and order_outcomes == 0


async def test_world_is_stamped(seeded_db: Database, seeded: Seeded) -> None:
    info = await read_world_info(seeded_db)
    assert info is not None and info.seed == 11 and info.customers == 400
    assert info.truth_file == seeded.result.truth_path.name and seeded.result.truth_path.exists()
    assert info.last_day == seeded.population.world.end_date


def test_a_database_with_members_is_refused_unless_reset(seeded: Seeded, tmp_path: Path) -> None:
    copy = seed_sqlite(tmp_path / "w", 60, 1)
    spec = copy.population
    request = WorldRequest(spec, 80, 2, 3, spec.world.end_date)
    with pytest.raises(InvalidInput, match="already has 60 members: pass --reset"):
        asyncio.run(
            seed_world(copy.url, copy.truth_dir, request, population_name="x", reset=False, progress=Silent())
        )
    result = asyncio.run(
        seed_world(copy.url, copy.truth_dir, request, population_name="x", reset=True, progress=Silent())
    )
    assert result.info.customers == 80
    assert [p.name for p in copy.truth_dir.iterdir()] == [result.truth_path.name]


async def _members(url: str) -> int:
    store = database(url)
    try:
        async with store.session() as session:
            return int(await session.scalar(select(func.count()).select_from(Customer)) or 0)
    finally:
        await store.dispose()


def test_a_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_population: Population
) -> None:
    real = writer.bulk_insert

    async def failing(conn, table, columns):  # the disk fills up half way through the events
        if table.name == "events":
            raise OperationalError("INSERT INTO events", None, Exception("database or disk is full"))
        return await real(conn, table, columns)

    monkeypatch.setattr(writer, "bulk_insert", failing)
    monkeypatch.setattr(writer, "REBUILD_ROWS", 100)  # indexes were dropped before the failure
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    request = WorldRequest(default_population, 100, 1, 2, default_population.world.end_date)
    with pytest.raises(StorageError, match="nothing was written: database or disk is full"):
        asyncio.run(
            seed_world(url, tmp_path / "truth", request, population_name="x", reset=False, progress=Silent())
        )
    assert asyncio.run(_members(url)) == 0
    assert list((tmp_path / "truth").iterdir()) == []
    with sqlite3.connect(tmp_path / "w.db") as conn:
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {i.name for t in Base.metadata.tables.values() for i in t.indexes} <= indexes


def test_another_schema_version_is_refused_untouched(tmp_path: Path, default_population: Population) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"

    async def stamp_old() -> None:
        store = database(url)
        try:
            await init_schema(store)
            async with store.session() as session, session.begin():
                await session.execute(text("UPDATE alembic_version SET version_num = '0999'"))
        finally:
            await store.dispose()

    asyncio.run(stamp_old())
    request = WorldRequest(default_population, 10, 1, 2, default_population.world.end_date)
    with pytest.raises(StorageError, match="schema revision 0999"):
        asyncio.run(
            seed_world(url, tmp_path / "truth", request, population_name="x", reset=False, progress=Silent())
        )
    assert asyncio.run(_members(url)) == 0


SEED_IN_A_PROCESS = """
import asyncio, sys
from pathlib import Path
from tools.progress import Silent
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world
spec = load_population(Path(sys.argv[1]))
request = WorldRequest(spec, 150, 5, 3, spec.world.end_date)
asyncio.run(seed_world(sys.argv[2], Path(sys.argv[3]), request, population_name="p", reset=False, progress=Silent()))
"""


def test_separate_processes_write_the_same_bytes(tmp_path: Path) -> None:
    """Runs with different string-hash seeds (so different set and dict orders) agree."""
    urls = []
    for run in (1, 2):
        url = f"sqlite+aiosqlite:///{tmp_path / f'run{run}.db'}"
        done = subprocess.run(
            [sys.executable, "-c", SEED_IN_A_PROCESS, str(DEFAULT), url, str(tmp_path / f"t{run}")],
            env={**os.environ, "PYTHONHASHSEED": str(run)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        urls.append(url)
    first, second = (asyncio.run(_fingerprint(url)) for url in urls)
    assert first == second
