"""A claimed trigger becomes the orchestrator's request in the names the agents' tools speak."""

from datetime import timedelta
from typing import Any

from tests.tools.events.world import CATEGORIES, NAIVE_NOW, add_catalogue
from tools.storage.db import Database
from tools.triggers import ClaimedTrigger, already_sent, trigger_request, trigger_trace


def claimed(kind: str, payload: dict[str, Any]) -> ClaimedTrigger:
    return ClaimedTrigger(
        id=7,
        idempotency_key="k",
        rule=kind,
        kind=kind,
        customer_id=3,
        use_case="cart_abandonment",
        payload=payload,
        attempts=0,
        due_at=NAIVE_NOW,
        lease_expires_at=NAIVE_NOW + timedelta(minutes=5),
    )


async def test_a_product_becomes_its_sku_and_category(db: Database) -> None:
    await add_catalogue(db)
    request = await trigger_request(db, claimed("cart_abandoned", {"product_id": 2, "value": "42.5"}))
    assert request == {
        "customer_id": 3,
        "use_case": "cart_abandonment",
        "trigger": "cart_abandoned",
        "context": {"anchor_category": CATEGORIES[1], "cart_skus": ["P2"], "cart_value": 42.5},
    }
    browsed = await trigger_request(db, claimed("browse_intent", {"product_id": 2}))
    assert browsed["context"] == {"anchor_category": CATEGORIES[1]}  # a cart only for a cart


async def test_a_category_or_an_unknown_id(db: Database) -> None:
    await add_catalogue(db)
    by_category = await trigger_request(
        db, claimed("competitor_promotion", {"category_id": 1, "discount_pct": 15})
    )
    assert by_category["context"] == {"anchor_category": CATEGORIES[0], "competitor_discount_pct": 15.0}
    unknown = await trigger_request(db, claimed("cart_abandoned", {"product_id": 999}))
    assert unknown["context"] == {}


async def test_a_trigger_has_one_trace_and_nothing_sent_under_a_new_one(db: Database) -> None:
    assert trigger_trace(7) == trigger_trace(7) == "trigger-7"
    assert not await already_sent(db, trigger_trace(7))
