"""The schema protects its data on every backend: keys, uniqueness, checks, revision check."""

from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from tools.errors import StorageError
from tools.storage.bulk import bulk_insert
from tools.storage.db import Database, check_schema, checked_database, database, init_schema, parse_url
from tools.storage.models import Base, Budget, Customer, Order, SchemaInfo

NOW = datetime(2026, 1, 15, 12, 0)


def customer(i: int, **extra: object) -> Customer:
    return Customer(id=i, external_id=f"C{i}", first_name="Ann", last_name="Lee", joined_at=NOW, **extra)


async def test_init_is_idempotent_and_stamps_version(db: Database) -> None:
    await init_schema(db)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(SchemaInfo)) == 1


async def test_external_id_is_unique(db: Database) -> None:
    async with db.session() as s:
        s.add_all([customer(1), customer(2)])
        await s.commit()
        s.add(Customer(id=3, external_id="C1", first_name="B", last_name="C", joined_at=NOW))
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_foreign_keys_are_enforced(db: Database) -> None:
    async with db.session() as s:
        s.add(
            Order(
                id=1,
                external_id="O1",
                customer_id=999,
                placed_at=NOW,
                channel="online",
                subtotal=10,
                discount_total=0,
                total=10,
            )
        )
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_check_constraints_reject_bad_values(db: Database) -> None:
    async with db.session() as s:
        s.add(customer(1, quiet_start_hour=25))
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_budget_cannot_be_overspent_in_the_database(db: Database) -> None:
    async with db.session() as s:
        s.add(Budget(id=1, use_case="reactivation", period_start=NOW, period_end=NOW, amount=100, spent=90))
        await s.commit()
        with pytest.raises(IntegrityError):
            await s.execute(update(Budget).where(Budget.id == 1).values(spent=Budget.spent + 20))


async def test_bulk_insert_round_trips_types(db: Database) -> None:
    when = np.array(["2026-01-01T08:30:00", "2026-02-03T23:59:59.5"], dtype="datetime64[us]")
    async with db.engine.begin() as conn:
        await bulk_insert(
            conn,
            Base.metadata.tables["customers"],
            {
                "id": np.array([1, 2]),
                "external_id": ["A", "B"],
                "first_name": ["Ann", "Bo"],
                "last_name": ["X", "Y"],
                "joined_at": when,
                "postcode": ["2000", None],
                "locale": ["en-AU"] * 2,
                "time_zone": ["Australia/Sydney"] * 2,
                "quiet_start_hour": np.array([21, 21]),
                "quiet_end_hour": np.array([8, 8]),
            },
        )
    async with db.session() as s:
        rows = (await s.scalars(select(Customer).order_by(Customer.id))).all()
        assert [r.joined_at for r in rows] == [
            datetime(2026, 1, 1, 8, 30),
            datetime(2026, 2, 3, 23, 59, 59, 500000),
        ]
        assert rows[1].postcode is None
        # ids given explicitly must not break later inserts (PostgreSQL sequences follow)
        s.add(Customer(external_id="C", first_name="C", last_name="Z", joined_at=NOW))
        await s.commit()
        assert await s.scalar(select(func.max(Customer.id))) == 3


async def test_bulk_insert_failure_leaves_nothing(db: Database) -> None:
    table = Base.metadata.tables["customers"]
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as conn:
            await bulk_insert(
                conn,
                table,
                {
                    "id": [1],
                    "external_id": ["A"],
                    "first_name": ["a"],
                    "last_name": ["b"],
                    "joined_at": [NOW],
                    "locale": ["x"],
                    "time_zone": ["UTC"],
                    "quiet_start_hour": [1],
                    "quiet_end_hour": [2],
                },
            )
            await bulk_insert(
                conn,
                table,
                {
                    "id": [2],
                    "external_id": ["A"],
                    "first_name": ["a"],
                    "last_name": ["b"],
                    "joined_at": [NOW],
                    "locale": ["x"],
                    "time_zone": ["UTC"],
                    "quiet_start_hour": [1],
                    "quiet_end_hour": [2],
                },
            )
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Customer)) == 0


async def test_an_older_revision_is_sent_to_upgrade(sqlite_db: Database) -> None:
    async with sqlite_db.session() as s:
        await s.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        await s.commit()
    with pytest.raises(StorageError, match="revision 0001, this build needs .*: run `loyalty db upgrade`"):
        await check_schema(sqlite_db)


async def test_uninitialised_database_is_refused(tmp_path) -> None:
    store = database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(StorageError, match="not initialised"):
            await check_schema(store)
    finally:
        await store.dispose()


async def test_a_checked_database_opens_only_what_this_build_created(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    with pytest.raises(StorageError, match="not initialised"):
        async with checked_database(url):
            pass
    store = database(url)
    await init_schema(store)
    await store.dispose()
    async with checked_database(url) as opened, opened.session() as session:
        assert await session.scalar(select(SchemaInfo.created_at)) is not None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "malformed database URL"),
        ("mysql://x@y/z", "unsupported database"),
        ("sqlite:////no/such/dir/x.db", "does not exist"),
    ],
)
def test_bad_urls_get_clear_errors(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        parse_url(url)
