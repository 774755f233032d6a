"""Random but valid (proposal, context) pairs that break the rules in many combinations."""

import random
from datetime import timedelta
from typing import Any

from policies.context import RuleContext
from policies.proposal import Offer, OfferProposal, offer_fingerprint
from tests.policies.builders import SEND_AT, SMS_BODY, make_context, make_proposal

_TIME_ZONES = ("America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney", "UTC")
_SEGMENTS = ("discount_seeker", "full_price_buyer", "new_member", "lapsed", "high_value")
_CATEGORIES = ("snacks", "electronics", "alcohol", "grocery", None)
_CHANNELS = ("email", "sms", "push", "in_app")
_USE_CASES = ("reactivation", "cart_abandonment", "upsell", "competitive_response")
_GROUPS = ("N1", "E9", "SW4", None)


def _offer(rng: random.Random, skus: list[str]) -> dict[str, Any]:
    kind = rng.choice(
        ["percent_off", "amount_off", "bonus_points", "points_multiplier", "free_shipping", "none", "gift"]
    )
    offer: dict[str, Any] = {"type": kind, "skus": skus, "discount_pct": None}  # None: drop the default
    if kind == "percent_off":
        offer["discount_pct"] = float(rng.choice([5, 10, 15, 20, 25, 30, 35, 50]))
        offer["free_shipping"] = rng.random() < 0.2
    elif kind == "amount_off":
        offer["amount_off"] = float(rng.choice([5, 10, 15, 25, 40]))
        offer["min_spend"] = rng.choice([None, 50.0, 100.0])
    elif kind == "bonus_points":
        offer["bonus_points"] = rng.choice([200, 1_000, 6_000])
    elif kind == "points_multiplier":
        offer["points_multiplier"] = rng.choice([1.5, 2.0, 3.0])
    elif kind == "free_shipping":
        offer["free_shipping"] = True
    elif kind == "gift":
        offer["gift_sku"] = rng.choice(["SKU-1", "SKU-2", "SKU-404"])
    return offer


def random_case(rng: random.Random) -> tuple[OfferProposal, RuleContext]:
    channel = rng.choice(_CHANNELS)
    send_at = SEND_AT + timedelta(minutes=rng.randrange(-12 * 60, 12 * 60, 15))
    skus = rng.sample(["SKU-1", "SKU-2", "SKU-3", "SKU-404"], k=rng.randint(0, 2))
    offer = _offer(rng, skus)
    body = SMS_BODY if rng.random() < 0.6 else "Snacks are back " + "!" * rng.randint(0, 150)
    message = {"tone": "warm", "subject": None if channel == "sms" else "Hello", "body": body}
    proposal = make_proposal(
        customer_id=1042,
        use_case=rng.choice(_USE_CASES),
        channel=channel,
        send_at=send_at,
        valid_from=send_at - timedelta(hours=rng.choice([0, 0, 30])),
        valid_until=send_at + timedelta(hours=rng.choice([12, 24, 72, 24 * 7, 24 * 31])),
        offer=offer,
        message=message,
        sequence_step=rng.choice([1, 1, 2, 3]),
        estimated_cost=float(rng.choice([0, 2, 5, 10, 60])),
    )
    same_offer = Offer.model_validate({key: value for key, value in offer.items() if value is not None})
    recent = [
        {
            "channel": rng.choice(_CHANNELS),
            "sent_at": send_at - timedelta(hours=rng.uniform(-48, 24 * 16)),
            "offer_fingerprint": offer_fingerprint(same_offer if rng.random() < 0.3 else Offer(type="none")),
            "use_case": rng.choice(_USE_CASES),
        }
        for _ in range(rng.randint(0, 5))
    ]
    sku_facts = {  # None drops the SKU's record: the offer may name a product the context lacks
        sku: {
            "price": float(rng.choice([10, 40, 120])),
            "unit_cost": float(rng.choice([4, 20, 70])),
            "available_units": rng.choice([0, 1, 30]),
            "full_price": rng.random() < 0.2,
            "category": rng.choice(_CATEGORIES),
        }
        if rng.random() < 0.9
        else None
        for sku in ("SKU-1", "SKU-2", "SKU-3")
    }
    basket = float(rng.choice([30, 80, 250]))
    context = make_context(
        now=send_at - timedelta(minutes=rng.choice([0, 5, 30, 60 * 24 * 8])),
        tier=rng.choice(["bronze", "silver", "gold", "platinum"]),
        segments=rng.sample(_SEGMENTS, k=rng.randint(0, 3)),
        time_zone=rng.choice(_TIME_ZONES),
        consents={name: rng.random() < 0.85 for name in ("email", "sms", "push")},
        opted_out=[name for name in ("email", "sms", "push") if rng.random() < 0.1],
        recent_contacts=recent,
        consecutive_ignored=rng.choice([0, 0, 1, 3, 5]),
        profile_stale=rng.random() < 0.1,
        data_age_hours=rng.choice([1.0, 24.0, 48.0, 72.0]),
        budget_remaining=float(rng.choice([0, 3, 50, 1_000])),
        skus=sku_facts,
        expected_basket_value=basket,
        expected_basket_margin=basket * rng.choice([0.1, 0.2, 0.35]),
        postcode_group=rng.choice(_GROUPS),
        demographic_group=rng.choice(_GROUPS),
    )
    return proposal, context
