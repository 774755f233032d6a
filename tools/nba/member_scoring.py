"""Scoring candidate actions for one member now: profile + contact record → ranked candidates.

This is what the offers server's `score_candidate_actions` returns. It uses observed data only:
the profile's predictions and behaviour, the contact record, the catalogue and the policy.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from policies.model import Policy
from policies.vocabulary import Channel, OfferType, UseCase
from tools.catalogue import recommend_bundle
from tools.contacts import consecutive_ignored, contact_record
from tools.errors import NotFound
from tools.nba.response import LearnedLift
from tools.nba.scorer import CHANNELS, MemberBatch, ranked, rationale, score
from tools.nba.timing import send_time, valid_until
from tools.profiles.profile import Profile
from tools.storage.db import Database
from tools.storage.models import Category, Product

# Action horizons: how soon a response counts. Carts are decided within days; the rest within two weeks.
HORIZON_DAYS = {UseCase.CART_ABANDONMENT: 3, UseCase.UPSELL: 14, UseCase.REACTIVATION: 14,
                UseCase.COMPETITIVE_RESPONSE: 14}
CART_INTENT_BONUS = 0.10  # an abandoned cart is intent: members return to some carts unprompted
DEFAULT_BASKET = 50.0
DEFAULT_MARGIN_RATE = 0.40
DEFAULT_PRICE_SENSITIVITY = 0.2


@dataclass(frozen=True)
class MomentContext:
    """What the trigger knows about the moment, beyond the profile."""

    cart_value: float | None = None
    cart_skus: tuple[str, ...] = ()
    anchor_category: str | None = None
    competitor_discount_pct: float | None = None
    sequence_step: int = 1


def p_buy_anyway(profile: Profile, use_case: UseCase) -> float:
    """P(buy within the horizon | nothing), from the calibrated churn risk under a constant hazard."""
    horizon = HORIZON_DAYS[use_case]
    churn = min(max(profile.predictions.churn_risk, 1e-4), 1 - 1e-4)
    p = 1 - churn ** (horizon / profile.predictions.churn_horizon_days)
    if use_case is UseCase.CART_ABANDONMENT:
        p = min(p + CART_INTENT_BONUS, 0.95)
    return float(p)


def member_batch(profile: Profile, use_case: UseCase, moment: MomentContext, recent_7d: int,
                 ignored: int) -> MemberBatch:
    engagement = {e.channel: e for e in profile.engagement}
    one = np.ones(1)

    def per_channel(attr: str) -> dict[Channel, np.ndarray]:
        return {c: one * float(getattr(engagement[c.value], attr) if c.value in engagement else 0) for c in CHANNELS}

    basket = moment.cart_value or profile.monetary.aov_365 or profile.monetary.aov or DEFAULT_BASKET
    sensitivity = profile.price_sensitivity.discount_share
    return MemberBatch(
        customer_id=np.array([profile.customer_id]),
        p_buy_anyway=one * p_buy_anyway(profile, use_case),
        basket_value=one * basket,
        margin_rate=one * (profile.monetary.margin_rate or DEFAULT_MARGIN_RATE),
        price_sensitivity=one * (DEFAULT_PRICE_SENSITIVITY if sensitivity is None else sensitivity),
        full_price_buyer=np.array(["full_price_buyer" in profile.segments]),
        clv_365=one * profile.predictions.predicted_clv_365,
        recent_contacts_7d=one * recent_7d,
        consecutive_ignored=one * ignored,
        opens=per_channel("opens"),
        sends=per_channel("sends"),
        reachable={c: np.array([bool(engagement[c.value].consent) if c.value in engagement else False])
                   for c in CHANNELS},
    )


async def score_member(db: Database, profile: Profile, use_case: UseCase, moment: MomentContext, *,
                       now: datetime, policy: Policy, top: int, learned: LearnedLift | None = None,
                       ignore_window: timedelta = timedelta(days=3)) -> dict[str, Any]:
    record = await contact_record(db, profile.customer_id, now=now, lookback=timedelta(days=7))
    live = [m for m in record.recent if m.status in ("queued", "sending", "sent")]
    ignored = consecutive_ignored(record.recent, now=now, window=ignore_window)
    # Opt-outs recorded since the profile was built win over its consent flags.
    batch = member_batch(profile, use_case, moment, len(live), ignored)
    for channel in CHANNELS:
        if not record.consents.get(channel.value, False) or channel.value in record.opted_out:
            batch.reachable[channel][:] = False
    scores = score(batch, use_case, policy.valuation, learned=learned)
    anchor = await _anchor(db, profile, moment)
    bundle = await _bundle_skus(db, profile, anchor, moment)
    candidates = []
    for j in ranked(scores, 0, len(scores.candidates)):
        cand = scores.candidates[j]
        if cand.lever.offer_type is OfferType.BUNDLE and not bundle:
            continue
        candidates.append(_describe(scores, j, cand, profile, use_case, moment, anchor, bundle, now, policy))
        if len(candidates) >= top + 1:
            break
    if not any(c["do_nothing"] for c in candidates):
        candidates.append(_describe(scores, 0, scores.candidates[0], profile, use_case, moment, anchor, bundle,
                                    now, policy))
    return {
        "customer_id": profile.customer_id,
        "use_case": use_case.value,
        "p_buy_without_contact": round(float(batch.p_buy_anyway[0]), 4),
        "basket_value": round(float(batch.basket_value[0]), 2),
        "anchor": anchor,
        "sequence_step": moment.sequence_step,
        "sms_opt_out_text": policy.sms.opt_out_text.required_text,
        "candidates": candidates,
    }


def _describe(scores, j: int, cand, profile: Profile, use_case: UseCase, moment: MomentContext,
              anchor: dict[str, Any], bundle: list[str], now: datetime, policy: Policy) -> dict[str, Any]:
    lever = cand.lever
    described: dict[str, Any] = {
        "action": lever.key, "do_nothing": lever.is_nothing, "offer_type": lever.offer_type.value,
        "channel": cand.channel.value if cand.channel else None,
        "propensity": round(float(scores.propensity[0, j]), 4), "uplift": round(float(scores.uplift[0, j]), 4),
        "expected_margin": round(float(scores.expected_margin[0, j]), 2), "cost": round(float(scores.cost[0, j]), 2),
        "cost_if_redeemed": round(float(scores.cost_if_redeemed[0, j]), 2),
        "fatigue_penalty": round(float(scores.fatigue_penalty[0, j]), 2),
        "value": round(float(scores.value[0, j]), 2), "rationale": rationale(scores, 0, j),
    }
    if lever.is_nothing:
        return described
    assert cand.channel is not None
    at = send_time(now, profile.send_time.hour, profile.demographics.time_zone, cand.channel, policy,
                   urgent=use_case is UseCase.CART_ABANDONMENT)
    described.update({
        "send_at": at.isoformat(), "valid_until": valid_until(at, use_case).isoformat(),
        "discount_pct": lever.discount_pct or None, "amount_off": lever.amount_off or None,
        "points_multiplier": lever.points_multiplier or None, "bonus_points": lever.bonus_points or None,
        "free_shipping": lever.free_shipping,
        "skus": bundle if lever.offer_type is OfferType.BUNDLE else list(moment.cart_skus),
        "categories": [anchor["category"]] if anchor.get("category") and not moment.cart_skus
        and lever.offer_type is not OfferType.BUNDLE else [],
    })
    return described


async def _anchor(db: Database, profile: Profile, moment: MomentContext) -> dict[str, Any]:
    """The category (and product) the message is about: the cart, the trigger, or the top affinity."""
    if moment.cart_skus:
        async with db.session() as session:
            row = (await session.execute(
                select(Product.name, Category.name).join(Category, Category.id == Product.category_id)
                .where(Product.sku == moment.cart_skus[0])
            )).first()
        if row is not None:
            return {"category": row[1], "product": row[0]}
    if moment.anchor_category:
        return {"category": moment.anchor_category, "product": None}
    top = profile.predictions.category_affinity
    return {"category": top[0].category if top else None, "product": None}


async def _bundle_skus(db: Database, profile: Profile, anchor: dict[str, Any], moment: MomentContext) -> list[str]:
    if not anchor.get("category"):
        return []
    affinity = {c.category: c.score for c in profile.predictions.category_affinity}
    try:
        items = await recommend_bundle(db, anchor_category=anchor["category"], affinity=affinity, size=2)
    except NotFound:  # an anchor from the trigger that the catalogue does not know
        return []
    skus = list(moment.cart_skus[:1]) + [i.sku for i in items]
    return skus[:3] if len(skus) >= 2 else []
