"""A small hand-made retailer for profile tests: a few dozen members with distinct habits (weekly
regulars, monthly shoppers, members who stopped, newcomers), deterministic, written column-wise."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from tools.storage.bulk import bulk_insert
from tools.storage.db import Database
from tools.storage.models import (
    BehaviouralEvent,
    Category,
    ChannelConsent,
    Contact,
    Customer,
    LoyaltyAccount,
    Order,
    OrderLine,
    Outcome,
    Product,
)

START = datetime(2024, 1, 1)
END = datetime(2025, 1, 1)  # no record on or after this instant
CATEGORIES = [
    "milk",
    "bread",
    "coffee",
    "fruit",
    "cheese",
    "wine",
    "snacks",
    "pet food",
    "soap",
    "flowers",
    "eggs",
    "tea",
]


@dataclass(frozen=True)
class WorldIds:
    customers: list[int]
    next_order: int
    next_line: int
    next_contact: int


async def build_small_world(db: Database, members: int = 48, seed: int = 3) -> WorldIds:
    rng = np.random.default_rng(seed)
    days = (END - START).days
    async with db.engine.begin() as conn:
        await bulk_insert(
            conn,
            Category.__table__,
            {
                "id": np.arange(1, len(CATEGORIES) + 1),
                "name": CATEGORIES,
                "department": ["grocery"] * len(CATEGORIES),
            },
        )
        n_products = len(CATEGORIES) * 2
        await bulk_insert(
            conn,
            Product.__table__,
            {
                "id": np.arange(1, n_products + 1),
                "sku": [f"SKU{i:03d}" for i in range(1, n_products + 1)],
                "name": [f"product {i}" for i in range(1, n_products + 1)],
                "category_id": np.repeat(np.arange(1, len(CATEGORIES) + 1), 2),
                "price": np.round(rng.uniform(2, 30, n_products), 2),
                "unit_cost": np.round(rng.uniform(1, 2, n_products), 2),
                "season": ["all"] * n_products,
                "is_consumable": [True] * n_products,
                "full_price_only": [False] * n_products,
            },
        )
        ids = np.arange(1, members + 1)
        joined = np.array(
            [START - timedelta(days=int(d)) for d in rng.integers(0, 400, members)], dtype="datetime64[us]"
        )
        newcomers = ids[-4:]
        joined[newcomers - 1] = np.array(
            [END - timedelta(days=int(d)) for d in (200, 170, 150, 140)], dtype="datetime64[us]"
        )
        await bulk_insert(
            conn,
            Customer.__table__,
            {
                "id": ids,
                "external_id": [f"EXT{i:04d}" for i in ids],
                "first_name": [f"Member{i}" for i in ids],
                "last_name": ["Tester"] * members,
                "email": [f"m{i}@example.com" for i in ids],
                "phone": [f"+61 412 345 {i:03d}" for i in ids],
                "birth_year": rng.integers(1950, 2000, members),
                "locale": ["en-AU"] * members,
                "time_zone": ["Australia/Sydney" if i % 2 else "Europe/London" for i in ids],
                "quiet_start_hour": [21] * members,
                "quiet_end_hour": [8] * members,
                "joined_at": joined,
            },
        )
        await bulk_insert(
            conn,
            LoyaltyAccount.__table__,
            {
                "customer_id": ids,
                "tier": ["gold" if i % 5 == 0 else "silver" for i in ids],
                "points_balance": ids * 100,
                "lifetime_points": ids * 300,
                "enrolled_at": joined,
            },
        )
        channels = ["email", "sms"]
        await bulk_insert(
            conn,
            ChannelConsent.__table__,
            {
                "customer_id": np.repeat(ids, 2),
                "channel": channels * members,
                "granted": [bool(i % 3) for i in range(2 * members)],
                "updated_at": np.repeat(joined, 2),
            },
        )

        order_member, order_at = [], []
        for m in ids:
            gap = [7, 14, 30, 45][m % 4] * rng.uniform(0.8, 1.2)
            first = max(0.0, float((joined[m - 1] - np.datetime64(START)) / np.timedelta64(1, "D")))
            stop = days if m % 6 else days * rng.uniform(0.4, 0.7)  # every sixth member stops shopping
            t = first + rng.uniform(0, gap)
            while t < stop:
                order_member.append(m)
                order_at.append(np.datetime64(START) + np.timedelta64(int(t * 86_400), "s"))
                t += gap * rng.uniform(0.6, 1.4)
        n_orders = len(order_member)
        order_ids = np.arange(1, n_orders + 1)
        line_order, line_product = [], []
        for o, m in zip(order_ids, order_member, strict=True):
            favourites = [(m * 3 + k) % len(CATEGORIES) for k in range(4)]
            for c in favourites[: rng.integers(1, 5)]:
                line_order.append(o)
                line_product.append(c * 2 + 1 + int(rng.integers(0, 2)))
            if rng.random() < 0.3:
                line_order.append(o)
                line_product.append(int(rng.integers(1, n_products + 1)))
        n_lines = len(line_order)
        prices = np.round(rng.uniform(2, 30, n_lines), 2)
        quantity = rng.integers(1, 4, n_lines)
        discount = np.where(rng.random(n_lines) < 0.25, np.round(prices * 0.2, 2), 0.0)
        gross = np.bincount(np.array(line_order) - 1, weights=prices * quantity, minlength=n_orders)
        off = np.bincount(np.array(line_order) - 1, weights=discount, minlength=n_orders)
        await bulk_insert(
            conn,
            Order.__table__,
            {
                "id": order_ids,
                "external_id": [f"O{i:06d}" for i in order_ids],
                "customer_id": np.array(order_member),
                "placed_at": np.array(order_at, dtype="datetime64[us]"),
                "channel": [["store", "online", "app"][int(k) % 3] for k in order_ids],
                "subtotal": np.round(gross, 2),
                "discount_total": np.round(off, 2),
                "total": np.round(gross - off, 2),
            },
        )
        await bulk_insert(
            conn,
            OrderLine.__table__,
            {
                "id": np.arange(1, n_lines + 1),
                "order_id": np.array(line_order),
                "product_id": np.array(line_product),
                "quantity": quantity,
                "unit_price": prices,
                "unit_cost": np.round(prices * 0.6, 2),
                "discount": discount,
            },
        )

        n_contacts = members * 6
        contact_member = np.repeat(ids, 6)
        sent = np.array(
            [END - timedelta(days=int(d)) for d in rng.integers(5, 330, n_contacts)], dtype="datetime64[us]"
        )
        sent = np.maximum(sent, np.repeat(joined, 6) + np.timedelta64(1, "D"))
        await bulk_insert(
            conn,
            Contact.__table__,
            {
                "id": np.arange(1, n_contacts + 1),
                "idempotency_key": [f"c{i}" for i in range(n_contacts)],
                "customer_id": contact_member,
                "channel": ["email" if i % 3 else "sms" for i in range(n_contacts)],
                "status": ["sent"] * n_contacts,
                "attempts": [1] * n_contacts,
                "scheduled_at": sent,
                "sent_at": sent,
            },
        )
        opened = np.nonzero(rng.random(n_contacts) < 0.4)[0]
        await bulk_insert(
            conn,
            Outcome.__table__,
            {
                "id": np.arange(1, len(opened) + 1),
                "contact_id": opened + 1,
                "customer_id": contact_member[opened],
                "type": ["open" if i % 4 else "click" for i in range(len(opened))],
                "occurred_at": sent[opened] + np.timedelta64(3, "h"),
                "revenue": [0.0] * len(opened),
                "margin": [0.0] * len(opened),
            },
        )
        n_events = members * 10
        event_member = np.repeat(ids, 10)
        event_at = np.array(
            [END - timedelta(hours=int(h)) for h in rng.integers(1, 24 * 200, n_events)],
            dtype="datetime64[us]",
        )
        event_at = np.maximum(event_at, np.repeat(joined, 10) + np.timedelta64(1, "D"))
        await bulk_insert(
            conn,
            BehaviouralEvent.__table__,
            {
                "id": np.arange(1, n_events + 1),
                "idempotency_key": [f"e{i}" for i in range(n_events)],
                "customer_id": event_member,
                "type": [["view", "app_open", "cart_add", "store_visit"][i % 4] for i in range(n_events)],
                "occurred_at": event_at,
                "channel": [None if i % 4 == 3 else "in_app" for i in range(n_events)],
            },
        )
    return WorldIds(
        customers=ids.tolist(), next_order=n_orders + 1, next_line=n_lines + 1, next_contact=n_contacts + 1
    )


async def add_later_activity(db: Database, world: WorldIds, after: datetime) -> None:
    """Orders, contacts, outcomes, events and a new member, all dated at or after `after`."""
    later = np.array([after + timedelta(days=d) for d in (0, 1, 3, 10)], dtype="datetime64[us]")
    async with db.engine.begin() as conn:
        newcomer = max(world.customers) + 1
        await bulk_insert(
            conn,
            Customer.__table__,
            {
                "id": [newcomer],
                "external_id": [f"EXT{newcomer:04d}"],
                "first_name": ["Late"],
                "last_name": ["Joiner"],
                "locale": ["en-AU"],
                "time_zone": ["UTC"],
                "quiet_start_hour": [21],
                "quiet_end_hour": [8],
                "joined_at": later[:1],
            },
        )
        members = np.array([world.customers[0], world.customers[1], world.customers[5], newcomer])
        orders = np.arange(world.next_order, world.next_order + 4)
        await bulk_insert(
            conn,
            Order.__table__,
            {
                "id": orders,
                "external_id": [f"LATE{i}" for i in orders],
                "customer_id": members,
                "placed_at": later,
                "channel": ["store"] * 4,
                "subtotal": [50.0] * 4,
                "discount_total": [0.0] * 4,
                "total": [50.0] * 4,
            },
        )
        await bulk_insert(
            conn,
            OrderLine.__table__,
            {
                "id": np.arange(world.next_line, world.next_line + 4),
                "order_id": orders,
                "product_id": [1, 5, 9, 13],
                "quantity": [1] * 4,
                "unit_price": [50.0] * 4,
                "unit_cost": [20.0] * 4,
                "discount": [0.0] * 4,
            },
        )
        contacts = np.arange(world.next_contact, world.next_contact + 4)
        await bulk_insert(
            conn,
            Contact.__table__,
            {
                "id": contacts,
                "idempotency_key": [f"late{i}" for i in contacts],
                "customer_id": members,
                "channel": ["email"] * 4,
                "status": ["sent"] * 4,
                "attempts": [1] * 4,
                "scheduled_at": later,
                "sent_at": later,
            },
        )
        await bulk_insert(
            conn,
            Outcome.__table__,
            {
                "id": np.arange(100_000, 100_004),
                "contact_id": contacts,
                "customer_id": members,
                "type": ["click"] * 4,
                "occurred_at": later + np.timedelta64(1, "h"),
                "revenue": [0.0] * 4,
                "margin": [0.0] * 4,
            },
        )
        await bulk_insert(
            conn,
            BehaviouralEvent.__table__,
            {
                "id": np.arange(100_000, 100_004),
                "idempotency_key": [f"late-e{i}" for i in range(4)],
                "customer_id": members,
                "type": ["view"] * 4,
                "occurred_at": later,
            },
        )
