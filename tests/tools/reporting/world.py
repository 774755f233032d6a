"""A small database whose KPIs and intervals are worked out by hand in the tests.

Period: March 2026. Reactivation triggers on 5 March: members 1-4 in the treatment arm (1-3
messaged), 5-7 held out. Upsell: member 9 treatment (messaged), 10 held out. Member 8 is organic.

| order | member | placed | total | discount | lines (qty x price, unit cost)      | margin | message |
|-------|--------|--------|-------|----------|-------------------------------------|--------|---------|
| 1     | 1      | 02-Mar | 60    | 0        | 1 x 60 (10), product 1              | 50     | -       |
| 2     | 1      | 06-Mar | 100   | 10       | 2 x 50 (10) p1, 1 x 10 (5) p2        | 75     | c1      |
| 3     | 2      | 07-Mar | 50    | 0        | 1 x 50 (10) p1                       | 40     | c2      |
| 4     | 4      | 08-Mar | 30    | 0        | 3 x 10 (5) p2                        | 15     | -       |
| 5     | 5      | 09-Mar | 40    | 0        | 1 x 40 (10) p1                       | 30     | -       |
| 6     | 8      | 10-Mar | 20    | 0        | 2 x 10 (5) p2                        | 10     | -       |
| 7     | 9      | 13-Mar | 80    | 20       | 1 x 100 (10) p1                      | 70     | c4      |
| 8     | 2      | 20-Feb | 999   | 0        | 1 x 999 (10) p1 (before the period)  | -      | -       |

Messages: c1 (member 1, e-mail, offer) → order, redeem; c2 (member 2, SMS, offer) → order;
c3 (member 3, e-mail, no offer) → unsubscribe; c4 (member 9, upsell, e-mail, offer) → order,
redeem; c5 (member 4, cart abandonment) failed, never sent.
"""

from datetime import datetime

from sqlalchemy import insert

from tests.tools.events.world import add_members
from tools.reporting.period import Period
from tools.storage.db import Database
from tools.storage.models import (
    Budget,
    Category,
    Contact,
    GuardVerdict,
    LoyaltyAccount,
    Order,
    OrderLine,
    Outcome,
    Product,
    Proposal,
)
from tools.storage.runtime import QueuedTrigger

PERIOD = Period(datetime(2026, 3, 1), datetime(2026, 4, 1))


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour)


ORDERS = [  # id, member, placed, total, discount, contact, lines (product, qty, price, cost)
    (1, 1, at(2), 60.0, 0.0, None, [(1, 1, 60.0, 10.0)]),
    (2, 1, at(6), 100.0, 10.0, 1, [(1, 2, 50.0, 10.0), (2, 1, 10.0, 5.0)]),
    (3, 2, at(7), 50.0, 0.0, 2, [(1, 1, 50.0, 10.0)]),
    (4, 4, at(8), 30.0, 0.0, None, [(2, 3, 10.0, 5.0)]),
    (5, 5, at(9), 40.0, 0.0, None, [(1, 1, 40.0, 10.0)]),
    (6, 8, at(10), 20.0, 0.0, None, [(2, 2, 10.0, 5.0)]),
    (7, 9, at(13), 80.0, 20.0, 4, [(1, 1, 100.0, 10.0)]),
    (8, 2, at(20, month=2), 999.0, 0.0, None, [(1, 1, 999.0, 10.0)]),
]
CONTACTS = [  # id, member, channel, use case, offer, status, sent
    (1, 1, "email", "reactivation", "WB10", "sent", at(5, 11)),
    (2, 2, "sms", "reactivation", "WB10", "sent", at(5, 11)),
    (3, 3, "email", "reactivation", None, "sent", at(5, 11)),
    (4, 9, "email", "upsell", "UP20", "sent", at(12)),
    (5, 4, "email", "cart_abandonment", "CART5", "failed", None),
]
OUTCOMES = [  # contact, type, when, order
    (1, "open", at(5, 12), None),
    (1, "order", at(6), 2),
    (1, "redeem", at(6), 2),
    (2, "order", at(7), 3),
    (3, "unsubscribe", at(5, 12), None),
    (4, "order", at(13), 7),
    (4, "redeem", at(13), 7),
]
TRIGGERS = [  # member, use case, arm
    (1, "reactivation", "treatment"),
    (2, "reactivation", "treatment"),
    (3, "reactivation", "treatment"),
    (4, "reactivation", "treatment"),
    (5, "reactivation", "control"),
    (6, "reactivation", "control"),
    (7, "reactivation", "control"),
    (9, "upsell", "treatment"),
    (10, "upsell", "control"),
]
VERDICTS = [  # verdict, reason codes, when
    ("reject", ["max_discount", "contact_pressure"], at(5)),
    ("reject", ["max_discount"], at(6)),
    ("approve", ["guard.approved"], at(7)),
    ("reject", ["quiet_hours"], at(20, month=2)),  # before the period
]


async def build(db: Database) -> None:
    await add_members(db, list(range(1, 11)))
    async with db.session() as s, s.begin():
        s.add_all(
            [Category(id=1, name="shoes", department="d"), Category(id=2, name="socks", department="d")]
        )
        await s.flush()
        s.add_all(
            [
                Product(id=1, sku="P1", name="shoe", category_id=1, price=50.0, unit_cost=10.0),
                Product(id=2, sku="P2", name="sock", category_id=2, price=10.0, unit_cost=5.0),
            ]
        )
        s.add_all(
            [
                LoyaltyAccount(
                    customer_id=m,
                    tier="gold" if m <= 5 else "silver",
                    points_balance=0,
                    lifetime_points=0,
                    enrolled_at=at(1, month=1),
                )
                for m in range(1, 11)
            ]
        )
        s.add_all(
            [
                Contact(
                    id=c,
                    idempotency_key=f"k{c}",
                    customer_id=m,
                    channel=ch,
                    use_case=u,
                    offer_code=o,
                    status=st,
                    scheduled_at=sent or at(5),
                    sent_at=sent,
                )
                for c, m, ch, u, o, st, sent in CONTACTS
            ]
        )
        await s.flush()
        for oid, m, placed, total, discount, contact, lines in ORDERS:
            s.add(
                Order(
                    id=oid,
                    external_id=f"O{oid}",
                    customer_id=m,
                    placed_at=placed,
                    channel="online",
                    subtotal=total + discount,
                    discount_total=discount,
                    total=total,
                    contact_id=contact,
                )
            )
            await s.flush()
            s.add_all(
                [
                    OrderLine(
                        order_id=oid, product_id=p, quantity=q, unit_price=price, unit_cost=cost, discount=0.0
                    )
                    for p, q, price, cost in lines
                ]
            )
        await s.flush()
        s.add_all(
            [
                Outcome(
                    contact_id=c,
                    customer_id=next(m for i, m, *_ in CONTACTS if i == c),
                    type=t,
                    occurred_at=when,
                    order_id=o,
                )
                for c, t, when, o in OUTCOMES
            ]
        )
        s.add_all(
            [
                Budget(
                    use_case="reactivation",
                    period_start=at(1),
                    period_end=at(1, month=4),
                    amount=500.0,
                    spent=30.0,
                ),
                Budget(
                    use_case="upsell",
                    period_start=datetime(2026, 2, 1),
                    period_end=PERIOD.since,
                    amount=999.0,
                    spent=0.0,
                ),
                Budget(
                    use_case="upsell", period_start=at(1), period_end=at(1, month=4), amount=200.0, spent=20.0
                ),
            ]
        )
        for n, (verdict, codes, when) in enumerate(VERDICTS, 1):
            s.add(
                Proposal(
                    id=f"p{n}",
                    trace_id=f"t{n}",
                    customer_id=1,
                    use_case="reactivation",
                    channel="email",
                    content={},
                    content_hash="h",
                    estimated_cost=1.0,
                    status={"reject": "rejected", "approve": "approved"}[verdict],
                    created_at=when,
                )
            )
            await s.flush()
            s.add(
                GuardVerdict(
                    proposal_id=f"p{n}",
                    verdict=verdict,
                    reasons=[{"code": c, "message": c} for c in codes],
                    policy_version="v",
                    content_hash="h",
                    guard_model="local",
                    created_at=when,
                )
            )
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(QueuedTrigger),
            [
                {
                    "idempotency_key": f"{u}-{m}",
                    "rule": u,
                    "kind": "rhythm_lapse",
                    "customer_id": m,
                    "use_case": u,
                    "arm": arm,
                    "payload": {},
                    "status": "skipped" if arm == "control" else "done",
                    "attempts": 0,
                    "created_at": at(5, 9),
                    "due_at": at(5, 9),
                }
                for m, u, arm in TRIGGERS
            ],
        )
