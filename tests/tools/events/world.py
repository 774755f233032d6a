"""A small retail world for runtime tests: members with consents, a catalogue, orders and events,
written set-based so a test can ask for thousands of members."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from policies.vocabulary import Channel
from tools.storage.bulk import bulk_insert
from tools.storage.db import Database
from tools.storage.models import (
    BehaviouralEvent,
    Category,
    ChannelConsent,
    CompetitorSignal,
    Customer,
    Order,
    OrderLine,
    Product,
)
from tools.time import to_storage

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NAIVE_NOW = NOW.replace(tzinfo=None)
CATEGORIES = ["activewear", "footwear", "coffee", "skincare"]


async def add_members(
    db: Database,
    ids: Sequence[int],
    *,
    consents: Iterable[Channel] = tuple(Channel),
    email: bool = True,
) -> None:
    n = len(ids)
    channels = list(consents)
    async with db.engine.begin() as conn:
        await bulk_insert(
            conn,
            Customer.__table__,
            {
                "id": np.array(ids),
                "external_id": [f"M{i}" for i in ids],
                "first_name": ["Sam"] * n,
                "last_name": ["Lee"] * n,
                "email": [f"m{i}@example.com" if email else None for i in ids],
                "phone": [f"+6140000{i:04d}" for i in ids],
                "locale": ["en-AU"] * n,
                "time_zone": ["UTC"] * n,
                "quiet_start_hour": np.full(n, 21),
                "quiet_end_hour": np.full(n, 8),
                "joined_at": np.full(n, np.datetime64(NAIVE_NOW - timedelta(days=800), "us")),
            },
        )
        pairs = [(i, c.value) for i in ids for c in channels]
        await bulk_insert(
            conn,
            ChannelConsent.__table__,
            {
                "customer_id": [p[0] for p in pairs],
                "channel": [p[1] for p in pairs],
                "granted": [True] * len(pairs),
                "updated_at": np.full(len(pairs), np.datetime64(NAIVE_NOW, "us")),
            },
        )


async def add_catalogue(db: Database) -> None:
    """Categories 1..4 (named in CATEGORIES), one product each: id = category id, sku P<id>."""
    async with db.session() as s, s.begin():
        for i, name in enumerate(CATEGORIES, 1):
            s.add(Category(id=i, name=name, department="dept"))
        await s.flush()
        for i in range(1, len(CATEGORIES) + 1):
            s.add(Product(id=i, sku=f"P{i}", name=f"product {i}", category_id=i, price=50.0, unit_cost=20.0))


async def add_orders(db: Database, orders: Iterable[tuple[int, datetime, int, float]]) -> None:
    """(customer id, placed at, product id, amount) — one line per order."""
    async with db.session() as s, s.begin():
        for n, (customer_id, placed_at, product_id, amount) in enumerate(orders, 1):
            s.add(
                Order(
                    id=n,
                    external_id=f"O{n}",
                    customer_id=customer_id,
                    placed_at=to_storage(placed_at),
                    channel="online",
                    subtotal=amount,
                    discount_total=0.0,
                    total=amount,
                )
            )
            await s.flush()
            s.add(
                OrderLine(
                    order_id=n,
                    product_id=product_id,
                    quantity=1,
                    unit_price=amount,
                    unit_cost=amount / 2,
                    discount=0.0,
                )
            )


async def add_events(db: Database, events: Iterable[dict[str, Any]]) -> None:
    """Rows for `events`: customer_id, type, occurred_at and any other column."""
    async with db.session() as s, s.begin():
        for n, row in enumerate(events, 1):
            row = dict(row)
            row["occurred_at"] = to_storage(row["occurred_at"])
            row.setdefault("idempotency_key", f"e{n}-{row['customer_id']}-{row['type']}-{row['occurred_at']}")
            s.add(BehaviouralEvent(**row))


async def add_signal(
    db: Database, *, category_id: int, discount: float, starts: datetime, ends: datetime
) -> int:
    async with db.session() as s, s.begin():
        signal = CompetitorSignal(
            competitor="Rival",
            category_id=category_id,
            discount_pct=discount,
            starts_at=to_storage(starts),
            ends_at=to_storage(ends),
        )
        s.add(signal)
        await s.flush()
        return signal.id
