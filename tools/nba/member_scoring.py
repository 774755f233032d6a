"""Scoring candidate actions for one member now: profile + contact record → ranked candidates.

This is what the offers server's `score_candidate_actions` returns. It uses observed data only:
the profile's predictions and behaviour, the contact record, the catalogue and the policy.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from policies.model import Policy
from policies.offer_value import OfferTerms, value_offers
from policies.vocabulary import Channel, OfferType, UseCase
from tools.catalogue import recommend_bundle, use_case_paused
from tools.contacts import SentMessage, consecutive_ignored, contact_record
from tools.errors import NotFound
from tools.nba.response import LearnedLift
from tools.nba.scorer import CHANNELS, Candidate, MemberBatch, Scores, rationale, score
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
        churn_risk=one * profile.predictions.churn_risk,
        competitor_discount_pct=None if moment.competitor_discount_pct is None else one * moment.competitor_discount_pct,
    )


async def score_member(db: Database, profile: Profile, use_case: UseCase, moment: MomentContext, *,
                       now: datetime, policy: Policy, top: int, learned: LearnedLift | None = None,
                       ignore_window: timedelta = timedelta(days=3)) -> dict[str, Any]:
    record = await contact_record(db, profile.customer_id, now=now, lookback=timedelta(days=7))
    live = [m for m in record.recent if m.status in ("queued", "sending", "sent")]
    ignored = consecutive_ignored(record.recent, now=now, window=ignore_window)
    # Opt-outs recorded since the profile was built win over its consent flags.
    batch = member_batch(profile, use_case, moment, len(live), ignored)
    capped = _capped_channels(record.recent, policy, now)
    paused = await use_case_paused(db, use_case, now)  # ops paused it: only doing nothing remains
    for channel in CHANNELS:
        if (paused or not record.consents.get(channel.value, False) or channel.value in record.opted_out
                or channel in capped):
            batch.reachable[channel][:] = False
    scores = score(batch, use_case, policy.valuation, learned=learned)
    anchor = await _anchor(db, profile, moment)
    bundle, prices = await _bundle(db, profile, anchor, moment)
    prices |= await _prices(db, [sku for sku in moment.cart_skus if sku not in prices])
    described = [
        _describe(scores, j, cand, profile, use_case, moment, anchor, bundle, now, policy,
                  (record.quiet_start_hour, record.quiet_end_hour))
        for j, cand in enumerate(scores.candidates)
        if np.isfinite(scores.value[0, j]) and not (cand.lever.offer_type is OfferType.BUNDLE and not bundle)
    ]
    _price_as_the_rules_do(described, scores, profile, prices, policy)
    # Only compliant actions compete (DESIGN §5): an offer the margin floor forbids is not an option.
    described = [c for c in described if not c.pop("breaks_margin_floor", False)]
    for c in described:
        del c["_index"]
        c["rationale"] = rationale(c)
    described.sort(key=lambda c: -c["value"])
    candidates = described[:top]  # plus doing nothing, always
    if not any(c["do_nothing"] for c in candidates):
        candidates.append(next(c for c in described if c["do_nothing"]))
    return {
        "customer_id": profile.customer_id,
        "use_case": use_case.value,
        "p_buy_without_contact": round(float(scores.propensity[0, 0]), 4),  # after any rival's pull
        "basket_value": round(float(batch.basket_value[0]), 2),
        "anchor": anchor,
        "sequence_step": moment.sequence_step,
        "use_case_paused": paused,
        "sms_opt_out_text": policy.sms.opt_out_text.required_text,
        "candidates": candidates,
    }


def _price_as_the_rules_do(described: list[dict[str, Any]], scores: Scores, profile: Profile,
                           prices: dict[str, float], policy: Policy) -> None:
    """Replace each candidate's cost if redeemed by the face value the rules engine will compute
    (same basket, same scope, same valuation), and move its value by the difference, so a
    proposal's stated cost is never understated and its value is what the rules will see."""
    offers = [c for c in described if not c["do_nothing"]]
    if not offers:
        return
    typical = profile.monetary.aov_365 or profile.monetary.aov or 0.0
    sku_value = np.array([sum(prices.get(s, 0.0) for s in c["skus"]) for c in offers])
    basket = np.maximum(np.maximum(typical, sku_value), 1.0)

    def optional(key: str) -> np.ndarray:
        return np.array([c[key] if c.get(key) else np.nan for c in offers], dtype=np.float64)

    economics = value_offers(OfferTerms(
        offer_type=np.array([c["offer_type"] for c in offers]),
        discount_pct=optional("discount_pct"), amount_off=optional("amount_off"),
        points_multiplier=optional("points_multiplier"),
        bonus_points=np.nan_to_num(optional("bonus_points")),
        free_shipping=np.array([bool(c["free_shipping"]) for c in offers]),
        min_spend=np.zeros(len(offers)), sku_list_value=sku_value, gift_cost=np.zeros(len(offers)),
        stated_cost=np.zeros(len(offers)), basket_value=basket,
        basket_margin=basket * (profile.monetary.margin_rate or 0.0),
    ), policy.valuation)
    floor = policy.margin.floor.min_margin_pct
    for c, face, margin_after in zip(offers, economics.face_value, economics.margin_after_pct, strict=True):
        j = c["_index"]
        c["breaks_margin_floor"] = bool(face > 0 and margin_after < floor)
        redeem = float(scores.redeem[0, j])
        delta = float(face) - float(scores.cost_if_redeemed[0, j])
        c["cost_if_redeemed"] = math.ceil(float(face) * 100) / 100  # never a cent below the rules' figure
        c["cost"] = round(c["cost"] + redeem * delta, 2)
        c["value"] = round(c["value"] - redeem * delta, 2)


def _capped_channels(recent: list[SentMessage], policy: Policy, now: datetime) -> set[Channel]:
    """Channels whose weekly cap is used up or whose minimum gap has not passed: no candidate there."""
    moment = now.astimezone(UTC).replace(tzinfo=None)
    week = [m for m in recent if moment - m.scheduled_at < timedelta(days=7)]
    frequency = policy.frequency
    capped = set()
    for channel in CHANNELS:
        on_channel = [m for m in week if m.channel == channel.value]
        limit = frequency.channel_weekly.limits.get(channel)
        gap = frequency.channel_gap.min_hours.get(channel)
        if limit is not None and len(on_channel) >= limit:
            capped.add(channel)
        if gap is not None and any(abs((moment - m.scheduled_at).total_seconds()) < gap * 3600 for m in on_channel):
            capped.add(channel)
    return capped


async def _prices(db: Database, skus: list[str]) -> dict[str, float]:
    if not skus:
        return {}
    async with db.session() as session:
        rows = await session.execute(select(Product.sku, Product.price).where(Product.sku.in_(set(skus))))
        return {sku: float(price) for sku, price in rows}


def _describe(scores: Scores, j: int, cand: Candidate, profile: Profile, use_case: UseCase, moment: MomentContext,
              anchor: dict[str, Any], bundle: list[str], now: datetime, policy: Policy,
              quiet: tuple[int, int]) -> dict[str, Any]:
    lever = cand.lever
    described: dict[str, Any] = {
        "action": lever.key, "do_nothing": lever.is_nothing, "offer_type": lever.offer_type.value,
        "channel": cand.channel.value if cand.channel else None,
        "propensity": round(float(scores.propensity[0, j]), 4), "uplift": round(float(scores.uplift[0, j]), 4),
        "expected_margin": round(float(scores.expected_margin[0, j]), 2), "cost": round(float(scores.cost[0, j]), 2),
        "cost_if_redeemed": round(float(scores.cost_if_redeemed[0, j]), 2),
        "fatigue_penalty": round(float(scores.fatigue_penalty[0, j]), 2),
        "value": round(float(scores.value[0, j]), 2), "_index": j,
    }
    if lever.is_nothing:
        return described
    assert cand.channel is not None
    at = send_time(now, profile.send_time.hour, profile.demographics.time_zone, cand.channel, policy,
                   urgent=use_case is UseCase.CART_ABANDONMENT, member_quiet=quiet)
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


async def _bundle(db: Database, profile: Profile, anchor: dict[str, Any],
                  moment: MomentContext) -> tuple[list[str], dict[str, float]]:
    """The bundle's SKUs, and the prices of those the recommender read (no second query for them)."""
    if not anchor.get("category"):
        return [], {}
    affinity = {c.category: c.score for c in profile.predictions.category_affinity}
    try:
        items = await recommend_bundle(db, anchor_category=anchor["category"], affinity=affinity, size=2)
    except NotFound:  # an anchor from the trigger that the catalogue does not know
        return [], {}
    skus = list(moment.cart_skus[:1]) + [i.sku for i in items]
    return (skus[:3] if len(skus) >= 2 else []), {i.sku: float(i.price) for i in items}
