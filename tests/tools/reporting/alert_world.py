"""Messages and orders around 31 March 2026 built so that some alert rules fire and others do not.

With the shipped rules evaluated at AT (recent week vs. the 28 days before, newest days left out):
- reactivation: conversion 30% → 10% (fires), unsubscribes 1% → 15% (fires);
- upsell: conversion 20% → 20%, no unsubscribes (quiet);
- cart_abandonment: conversion 30% → 0%, but only 10 recent messages (under min_contacts: quiet);
- tier gold: $15 discount per order over 25 orders (fires); silver $5 (quiet); bronze $50 over
  only 5 orders (under min_orders: quiet).
"""

from datetime import datetime, timedelta

from sqlalchemy import insert

from tests.tools.events.world import add_members
from tools.storage.db import Database
from tools.storage.models import Contact, LoyaltyAccount, Order, Outcome

AT = datetime(2026, 3, 31)
BASELINE_SENT = datetime(2026, 3, 10, 10)
RECENT_SENT = datetime(2026, 3, 25, 10)
# use case: (baseline messages, orders, unsubscribes), (recent messages, orders, unsubscribes)
MESSAGES = {
    "reactivation": ((100, 30, 1), (60, 6, 9)),
    "upsell": ((100, 20, 0), (60, 12, 0)),
    "cart_abandonment": ((100, 30, 0), (10, 0, 0)),
}
ORDERS = {"gold": (25, 15.0), "silver": (25, 5.0), "bronze": (5, 50.0)}  # tier: (orders, discount each)


async def build(db: Database) -> None:
    await add_members(db, list(range(1, 61)))
    tiers = ["gold"] * 20 + ["silver"] * 20 + ["bronze"] * 20
    contacts, outcomes, orders = [], [], []
    for use_case, windows in MESSAGES.items():
        for sent, (n, ordered, unsubscribed) in zip((BASELINE_SENT, RECENT_SENT), windows, strict=True):
            for k in range(n):
                cid = len(contacts) + 1
                member = 1 + cid % 60
                contacts.append(
                    {
                        "id": cid,
                        "idempotency_key": f"c{cid}",
                        "customer_id": member,
                        "channel": "email",
                        "use_case": use_case,
                        "status": "sent",
                        "scheduled_at": sent,
                        "sent_at": sent,
                        "attempts": 1,
                    }
                )
                for kind, count in (("order", ordered), ("unsubscribe", unsubscribed)):
                    if k < count:
                        outcomes.append(
                            {
                                "contact_id": cid,
                                "customer_id": member,
                                "type": kind,
                                "occurred_at": sent + timedelta(hours=3),
                                "revenue": 0.0,
                                "margin": 0.0,
                            }
                        )
    for tier, (n, discount) in ORDERS.items():
        first = 1 + 20 * ["gold", "silver", "bronze"].index(tier)
        for k in range(n):
            oid = len(orders) + 1
            orders.append(
                {
                    "id": oid,
                    "external_id": f"O{oid}",
                    "customer_id": first + k % 20,
                    "placed_at": AT - timedelta(days=2, hours=k),
                    "channel": "online",
                    "subtotal": 60.0 + discount,
                    "discount_total": discount,
                    "total": 60.0,
                }
            )
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(LoyaltyAccount),
            [
                {
                    "customer_id": m,
                    "tier": tiers[m - 1],
                    "points_balance": 0,
                    "lifetime_points": 0,
                    "enrolled_at": datetime(2025, 1, 1),
                }
                for m in range(1, 61)
            ],
        )
        await conn.execute(insert(Contact), contacts)
        await conn.execute(insert(Outcome), outcomes)
        await conn.execute(insert(Order), orders)
