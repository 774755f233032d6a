"""Scoring candidate actions for one member now: profile + contact record → ranked candidates.

This is what the offers server's `score_candidate_actions` returns. It uses observed data only:
the profile's predictions and behaviour, the contact record, the catalogue and the policy.
"""

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from policies.model import Policy
from policies.offer_value import OfferTerms, value_offers
from policies.vocabulary import Channel, OfferType, UseCase
from tools.budgets import use_case_paused
from tools.catalogue import recommend_bundle
from tools.errors import NotFound
from tools.members import SentMessage, consecutive_ignored, contact_record
from tools.nba.choice import choice_probabilities
from tools.nba.eligibility import not_applicable, outside_affinities, overdue_days
from tools.nba.response import APP_NATIVE_IN_APP_REACH, LearnedLift, ResponsePriors
from tools.nba.response_fit import ResponseRates
from tools.nba.scorer import CHANNELS, Candidate, MemberBatch, Scores, rationale, score
from tools.nba.timing import VALIDITY, send_time, valid_until
from tools.profiles import Profile
from tools.rule_facts import SkuCost, expected_order, sku_costs_of
from tools.storage import Category, Database, Product
from tools.time import to_storage

# Action horizons: how soon a response counts. Carts are decided within days; the rest within two weeks.
HORIZON_DAYS = {
    UseCase.CART_ABANDONMENT: 3,
    UseCase.UPSELL: 14,
    UseCase.REACTIVATION: 14,
    UseCase.COMPETITIVE_RESPONSE: 14,
}
CART_INTENT_BONUS = 0.10  # an abandoned cart is intent: members return to some carts unprompted
DEFAULT_BASKET = 50.0
DEFAULT_MARGIN_RATE = 0.40
DEFAULT_PRICE_SENSITIVITY = 0.2
# A regularly bought category expected within this many days is due: the message is a replenishment
# reminder ("your coffee beans are running low"), not a cross-sell.
REPLENISHMENT_DUE_DAYS = 7
# A due purchase can at most be certain: its intent over a memoryless buyer's is bounded by what a
# cycle of a few months gives over a two-week horizon.
MAX_MOMENT_INTENT = 5.0


@dataclass(frozen=True)
class MomentContext:
    """What the trigger knows about the moment, beyond the profile."""

    cart_value: float | None = None
    cart_skus: tuple[str, ...] = ()
    anchor_category: str | None = None
    competitor_discount_pct: float | None = None
    sequence_step: int = 1


def buy_chance(churn_risk: np.ndarray, days: float, churn_horizon_days: float) -> np.ndarray:
    """P(buy within `days` | nothing), from the calibrated churn risk under a constant hazard."""
    churn = np.clip(churn_risk, 1e-4, 1 - 1e-4)
    return np.asarray(1 - churn ** (days / churn_horizon_days))


def validity_days(use_case: UseCase) -> float:
    """How long the use case's offers can be redeemed (`tools.nba.timing.VALIDITY`), in days."""
    return VALIDITY[use_case].total_seconds() / 86_400


def p_buy_anyway(profile: Profile, use_case: UseCase, days: float | None = None) -> float:
    """P(buy within the horizon, or `days`, | nothing)."""
    horizon = HORIZON_DAYS[use_case] if days is None else days
    p = float(
        buy_chance(np.array(profile.predictions.churn_risk), horizon, profile.predictions.churn_horizon_days)
    )
    if use_case is UseCase.CART_ABANDONMENT:
        p = min(p + CART_INTENT_BONUS, 0.95)
    return p


def rival_behind_lapse(profile: Profile, use_case: UseCase, moment: MomentContext) -> bool:
    """A member overdue on their own rhythm while a rival discounts their own category: the lapse
    is most likely the rival's price, whatever the member paid with us before (seed: Sarah)."""
    overdue = overdue_days(profile)
    return (
        use_case is UseCase.REACTIVATION
        and bool(moment.competitor_discount_pct)
        and moment.anchor_category is not None
        and overdue is not None
        and overdue > 0
        and outside_affinities(profile, moment.anchor_category) is None
    )


def member_batch(
    profile: Profile,
    use_case: UseCase,
    moment: MomentContext,
    recent_7d: int,
    ignored: int,
    cart: list[SkuCost] | None = None,
    priors: ResponsePriors | None = None,
) -> MemberBatch:
    """`cart`: price and unit cost of the cart's products, when known: the order at stake is the
    cart, at its own margin."""
    priors = priors or ResponsePriors()
    engagement = {e.channel: e for e in profile.engagement}
    one = np.ones(1)

    def per_channel(attr: str) -> dict[Channel, np.ndarray]:
        return {
            c: one * float(getattr(engagement[c.value], attr) if c.value in engagement else 0)
            for c in CHANNELS
        }

    basket = moment.cart_value or profile.monetary.expected_order_value or DEFAULT_BASKET
    margin_rate = profile.monetary.margin_rate or DEFAULT_MARGIN_RATE
    cart_value = sum(item.price for item in cart or ())
    if cart_value > 0:
        margin_rate = sum(item.price - item.unit_cost for item in cart or ()) / cart_value
    observed = profile.price_sensitivity.discount_share
    sensitivity = DEFAULT_PRICE_SENSITIVITY if observed is None else observed
    full_price = "full_price_buyer" in profile.segments
    if rival_behind_lapse(profile, use_case, moment):
        sensitivity, full_price = max(sensitivity, priors.lapse_price_barrier), False
    return MemberBatch(
        customer_id=np.array([profile.customer_id]),
        p_buy_anyway=one * p_buy_anyway(profile, use_case),
        p_buy_while_valid=one * p_buy_anyway(profile, use_case, validity_days(use_case)),
        basket_value=one * basket,
        margin_rate=one * margin_rate,
        price_sensitivity=one * sensitivity,
        full_price_buyer=np.array([full_price]),
        clv_365=one * profile.predictions.predicted_clv_365,
        recent_contacts_7d=one * recent_7d,
        consecutive_ignored=one * ignored,
        opens=per_channel("opens"),
        sends=per_channel("sends"),
        reachable={
            c: np.array([bool(engagement[c.value].consent) if c.value in engagement else False])
            for c in CHANNELS
        },
        churn_risk=one * profile.predictions.churn_risk,
        competitor_discount_pct=None
        if moment.competitor_discount_pct is None
        else one * moment.competitor_discount_pct,
        reach_prior={Channel.IN_APP: one * APP_NATIVE_IN_APP_REACH}
        if "app_native" in profile.segments
        else {},
        clicks=per_channel("clicks"),
        days_since_order=one * _or_nan(profile.recency.days_since_last_order),
        median_gap_days=one * _or_nan(profile.frequency.median_interval_days),
    )


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def moment_intent(profile: Profile, use_case: UseCase, category: str | None, now: datetime) -> float:
    """How much likelier the member is to buy `category` within the horizon than a buyer of the
    same rate without a rhythm, when it is a regular purchase of theirs coming due (1 otherwise).

    A member who buys coffee every 30 days and is due in two is all but certain to buy within the
    two-week horizon; a memoryless buyer at the same rate would with P = 1 − exp(−14/30). The
    ratio comes from the member's own observed cycle; a message about the category meets that
    intent, so its response is scaled by it (the attributed rates are an average member's)."""
    if not category:
        return 1.0
    horizon = HORIZON_DAYS[use_case]
    due = now.date() + timedelta(days=REPLENISHMENT_DUE_DAYS)
    for r in profile.predictions.replenishment:
        if r.regular and r.category.casefold() == category.casefold() and r.expected_next_date <= due:
            memoryless = 1 - math.exp(-horizon / max(r.interval_days, 1.0))
            return float(min(1 / max(memoryless, 1e-6), MAX_MOMENT_INTENT))
    return 1.0


async def score_member(
    db: Database,
    profile: Profile,
    use_case: UseCase,
    moment: MomentContext,
    *,
    now: datetime,
    policy: Policy,
    top: int,
    learned: LearnedLift | None = None,
    rates: ResponseRates | None = None,
    explore: np.random.Generator | None = None,
    exploration_share: float = 0.0,
    ignore_window: timedelta = timedelta(days=3),
) -> dict[str, Any]:
    """`explore`: this decision explores (Thompson sampling) with this stream; every candidate
    then carries the probability that the scoring policy — greedy on the posterior means, or
    exploring with `exploration_share` — chooses it (`choice_probability`), so the logged
    decisions can estimate another policy offline."""
    record = await contact_record(db, profile.customer_id, now=now, lookback=timedelta(days=7))
    live = [m for m in record.recent if m.status in ("queued", "sending", "sent")]
    ignored = consecutive_ignored(record.recent, now=now, window=ignore_window)
    anchor = await _anchor(db, profile, moment, now)
    bundle = await _bundle_skus(db, profile, anchor, moment)
    costs = await _sku_costs(db, [*moment.cart_skus, *bundle])
    batch = member_batch(
        profile,
        use_case,
        moment,
        len(live),
        ignored,
        cart=[costs[sku] for sku in moment.cart_skus if sku in costs],
    )
    intent = moment_intent(profile, use_case, anchor.get("category"), now)
    if intent != 1.0:
        batch = replace(batch, intent=np.array([intent]))
    capped = _capped_channels(record.recent, policy, now)
    paused = await use_case_paused(db, use_case, now)  # ops paused it: only doing nothing remains
    unfit = not_applicable(profile, use_case, moment.anchor_category)  # likewise
    consented = [
        c for c in CHANNELS if record.consents.get(c.value, False) and c.value not in record.opted_out
    ]
    # Why no channel can carry an action, when none can: what a "nothing" then names as its cause.
    unreachable = (
        "budget exhausted or absent"
        if paused
        else "no consented channel"
        if not consented
        else "contact cap"
        if all(c in capped for c in consented)
        else None
    )
    # Opt-outs recorded since the profile was built win over its consent flags.
    for channel in CHANNELS:
        if (
            paused
            or unfit
            or not record.consents.get(channel.value, False)
            or channel.value in record.opted_out
            or channel in capped
        ):
            batch.reachable[channel][:] = False
    learned = learned or LearnedLift()
    fitted = rates is not None and not rates.empty
    greedy_scores = score(batch, use_case, policy.valuation, learned=learned, rates=rates)
    scores = greedy_scores
    if explore is not None:  # the fitted rates' posterior when there is history, else the priors' factors'
        scores = score(
            batch,
            use_case,
            policy.valuation,
            learned=learned if fitted else learned.sampled(explore),
            rates=rates.sampled(explore) if fitted and rates is not None else rates,
        )
    send_at = _SendTimes(now, profile, policy, use_case, (record.quiet_start_hour, record.quiet_end_hour))
    described = [
        _describe(scores, j, cand, use_case, moment, anchor, bundle, send_at)
        for j, cand in enumerate(scores.candidates)
        if np.isfinite(scores.value[0, j]) and not (cand.lever.offer_type is OfferType.BUNDLE and not bundle)
    ]
    _price_as_the_rules_do(described, scores, profile, costs, policy)
    # Only compliant actions compete (DESIGN §5): an offer the margin floor forbids is not an option.
    described = [c for c in described if not c.pop("breaks_margin_floor", False)]
    _choice_probabilities(
        described,
        scores,
        greedy_scores,
        batch,
        use_case,
        policy,
        learned,
        rates,
        exploration_share,
        now,
    )
    for c in described:
        del c["_index"]
        c["rationale"] = rationale(c)
        if c["do_nothing"] and unfit:
            c["rationale"] = f"Do nothing: {unfit}."
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
        "not_applicable": unfit,  # why the use case does not apply to this member now, if it does not
        "unreachable": unreachable,  # why no channel can carry an action now, if none can
        "sms_opt_out_text": policy.sms.opt_out_text.required_text,
        "candidates": candidates,
    }


def _choice_probabilities(
    described: list[dict[str, Any]],
    scores: Scores,
    greedy: Scores,
    batch: MemberBatch,
    use_case: UseCase,
    policy: Policy,
    learned: LearnedLift,
    rates: ResponseRates | None,
    share: float,
    now: datetime,
) -> None:
    """Each described candidate's probability of being chosen (`tools.nba.choice`), and its value
    at the posterior means. The rules' pricing moved each candidate's value by a fixed amount; the
    draws carry it over."""
    if not described:
        return
    index = np.array([c["_index"] for c in described])
    k = scores.value.shape[1]
    listed, shift = np.zeros((1, k), dtype=bool), np.zeros((1, k))
    listed[0, index] = True
    shift[0, index] = np.array([c["value"] for c in described]) - scores.value[0, index]
    expected = greedy.value + shift
    probability = choice_probabilities(
        batch, listed, shift, expected, use_case, policy, learned=learned, rates=rates, share=share, now=now
    )
    for c, p, v in zip(described, probability[0, index], expected[0, index], strict=True):
        c["choice_probability"] = round(float(p), 4)
        # the value at the posterior means: what `value` is when the decision does not explore
        c["expected_value"] = round(float(v), 2)


def _price_as_the_rules_do(
    described: list[dict[str, Any]],
    scores: Scores,
    profile: Profile,
    costs: dict[str, SkuCost],
    policy: Policy,
) -> None:
    """Replace each candidate's cost if redeemed by the face value the rules engine will compute
    (same basket, same scope, same valuation), and move its value by the difference, so a
    proposal's stated cost is never understated and its value is what the rules will see."""
    offers = [c for c in described if not c["do_nothing"]]
    if not offers:
        return
    typical = profile.monetary.expected_order_value or 0.0
    items = [[costs[s] for s in c["skus"] if s in costs] for c in offers]
    sku_value = np.array([sum(item.price for item in offer) for offer in items])
    orders = [expected_order(typical, profile.monetary.margin_rate, offer) for offer in items]
    basket = np.array([value for value, _ in orders])

    def optional(key: str) -> np.ndarray:
        return np.array([c[key] if c.get(key) else np.nan for c in offers], dtype=np.float64)

    economics = value_offers(
        OfferTerms(
            offer_type=np.array([c["offer_type"] for c in offers]),
            discount_pct=optional("discount_pct"),
            amount_off=optional("amount_off"),
            points_multiplier=optional("points_multiplier"),
            bonus_points=np.nan_to_num(optional("bonus_points")),
            free_shipping=np.array([bool(c["free_shipping"]) for c in offers]),
            min_spend=np.zeros(len(offers)),
            sku_list_value=sku_value,
            gift_cost=np.zeros(len(offers)),
            stated_cost=np.zeros(len(offers)),
            basket_value=basket,
            basket_margin=np.array([margin for _, margin in orders]),
        ),
        policy.valuation,
    )
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
    moment = to_storage(now)
    week = [m for m in recent if moment - m.scheduled_at < timedelta(days=7)]
    frequency = policy.frequency
    capped = set()
    for channel in CHANNELS:
        on_channel = [m for m in week if m.channel == channel.value]
        limit = frequency.channel_weekly.limits.get(channel)
        gap = frequency.channel_gap.min_hours.get(channel)
        if limit is not None and len(on_channel) >= limit:
            capped.add(channel)
        if gap is not None and any(
            abs((moment - m.scheduled_at).total_seconds()) < gap * 3600 for m in on_channel
        ):
            capped.add(channel)
    return capped


async def _sku_costs(db: Database, skus: list[str]) -> dict[str, SkuCost]:
    if not skus:
        return {}
    async with db.session() as session:
        return await sku_costs_of(session, skus)


@dataclass
class _SendTimes:
    """The member's send time on each channel, worked out once per channel: a decision describes a
    dozen candidates on at most four channels, and the send time depends on the channel alone."""

    now: datetime
    profile: Profile
    policy: Policy
    use_case: UseCase
    quiet: tuple[int, int]
    _by_channel: dict[Channel, datetime] = field(default_factory=dict, init=False)

    def __call__(self, channel: Channel) -> datetime:
        if channel not in self._by_channel:  # only channels a described candidate uses, as before
            self._by_channel[channel] = send_time(
                self.now,
                self.profile.send_time.hour,
                self.profile.demographics.time_zone,
                channel,
                self.policy,
                urgent=self.use_case is UseCase.CART_ABANDONMENT,
                member_quiet=self.quiet,
            )
        return self._by_channel[channel]


def _describe(
    scores: Scores,
    j: int,
    cand: Candidate,
    use_case: UseCase,
    moment: MomentContext,
    anchor: dict[str, Any],
    bundle: list[str],
    send_at: _SendTimes,
) -> dict[str, Any]:
    lever = cand.lever
    described: dict[str, Any] = {
        "action": lever.key,
        "do_nothing": lever.is_nothing,
        "offer_type": lever.offer_type.value,
        "channel": cand.channel.value if cand.channel else None,
        "propensity": round(float(scores.propensity[0, j]), 4),
        "uplift": round(float(scores.uplift[0, j]), 4),
        "expected_margin": round(float(scores.expected_margin[0, j]), 2),
        "cost": round(float(scores.cost[0, j]), 2),
        "cost_if_redeemed": round(float(scores.cost_if_redeemed[0, j]), 2),
        "fatigue_penalty": round(float(scores.fatigue_penalty[0, j]), 2),
        "value": round(float(scores.value[0, j]), 2),
        "_index": j,
    }
    if lever.is_nothing:
        return described
    assert cand.channel is not None
    at = send_at(cand.channel)
    described.update(
        {
            "send_at": at.isoformat(),
            "valid_until": valid_until(at, use_case).isoformat(),
            "discount_pct": lever.discount_pct or None,
            "amount_off": lever.amount_off or None,
            "points_multiplier": lever.points_multiplier or None,
            "bonus_points": lever.bonus_points or None,
            "free_shipping": lever.free_shipping,
            "skus": bundle if lever.offer_type is OfferType.BUNDLE else list(moment.cart_skus),
            "categories": [anchor["category"]]
            if anchor.get("category") and not moment.cart_skus and lever.offer_type is not OfferType.BUNDLE
            else [],
        }
    )
    return described


async def _anchor(db: Database, profile: Profile, moment: MomentContext, now: datetime) -> dict[str, Any]:
    """The category (and product) the message is about: the cart, the trigger, or the member's
    favourite category (else their top affinity); and whether it is a regularly bought category now
    due (the message is then a replenishment)."""
    anchor = await _anchor_of(db, profile, moment)
    due = now.date() + timedelta(days=REPLENISHMENT_DUE_DAYS)
    anchor["replenishment_due"] = bool(anchor["category"]) and any(
        r.regular and r.category.casefold() == anchor["category"].casefold() and r.expected_next_date <= due
        for r in profile.predictions.replenishment
    )
    return anchor


async def _anchor_of(db: Database, profile: Profile, moment: MomentContext) -> dict[str, Any]:
    if moment.cart_skus:
        async with db.session() as session:
            row = (
                await session.execute(
                    select(Product.name, Category.name)
                    .join(Category, Category.id == Product.category_id)
                    .where(Product.sku == moment.cart_skus[0])
                )
            ).first()
        if row is not None:
            return {"category": row[1], "product": row[0]}
    if moment.anchor_category:
        return {"category": moment.anchor_category, "product": None}
    top = profile.predictions.category_affinity
    favourite = profile.predictions.favourite_category
    return {"category": favourite or (top[0].category if top else None), "product": None}


async def _bundle_skus(
    db: Database, profile: Profile, anchor: dict[str, Any], moment: MomentContext
) -> list[str]:
    if not anchor.get("category"):
        return []
    affinity = {c.category: c.score for c in profile.predictions.category_affinity}
    try:
        items = await recommend_bundle(db, anchor_category=anchor["category"], affinity=affinity, size=2)
    except NotFound:  # an anchor from the trigger that the catalogue does not know
        return []
    skus = list(moment.cart_skus[:1]) + [i.sku for i in items]
    return skus[:3] if len(skus) >= 2 else []
