"""Next-best-action value for a whole audience in one call of the vectorised scorer (DESIGN §5).

The `MemberBatch` is built from the profile frame's columns, with the same fallbacks
`tools.nba.member_scoring` uses for one member; offers are then priced as the rules price them
and margin-floor breakers dropped, so a member's ranked candidates here are the ones the
specialist would weigh. The message terms come from the response fitted from the retailer's own
contacts and outcomes (`tools.nba.response_fit`), the same estimates the agents score with.
Bundles are left out: each needs its own basket assembled from the
catalogue, which is a per-trigger decision, not a campaign one.
"""

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from policies.model import Policy
from policies.offer_value import OfferTerms, value_offers
from policies.vocabulary import Channel, OfferType, UseCase
from tools.campaigns.contact_facts import ContactFacts
from tools.nba import (
    APP_NATIVE_IN_APP_REACH,
    CHANNELS,
    DEFAULT_BASKET,
    DEFAULT_MARGIN_RATE,
    DEFAULT_PRICE_SENSITIVITY,
    HORIZON_DAYS,
    REACH_PRIOR,
    Candidate,
    LearnedLift,
    MemberBatch,
    ResponseRates,
    buy_chance,
    score,
    validity_days,
    within_rhythm,
)
from tools.profiles import CHANNELS as PROFILE_CHANNELS
from tools.profiles import ProfileFrame

if TYPE_CHECKING:  # bundles read the frame as scoring does (`profiled`)
    from tools.campaigns.bundles import BundleOrders

RANKED = 3  # candidates kept per member: the best, and fallbacks should the rules block it


@dataclass(frozen=True)
class AudienceScores:
    """Members x candidates, after pricing as the rules do. `ranked[i]` lists member i's eligible
    candidates best first (−1 pads): reachable, within the margin floor, and worth more than
    doing nothing."""

    candidates: list[Candidate]
    propensity: np.ndarray
    uplift: np.ndarray
    expected_margin: np.ndarray
    cost: np.ndarray
    cost_if_redeemed: np.ndarray
    fatigue_penalty: np.ndarray
    value: np.ndarray
    ranked: np.ndarray  # members x RANKED, candidate indices
    # Members x candidates a single decision would list (`tools.nba.member_scoring`): reachable,
    # within the margin floor, doing nothing included; bundles only when `bundles` price them.
    listed: np.ndarray
    scored_value: np.ndarray  # the scorer's value before the rules' pricing moved it
    # Members x candidates: the bundle candidates. Listed (when `bundles` are given) but never
    # ranked: a campaign or a pass proposes no bundle; the caller sees whether one would win.
    bundle: np.ndarray


def _positive_or(values: np.ndarray, fallback: np.ndarray | float) -> np.ndarray:
    # The single-member path reads `x or fallback`: a missing or zero value falls back.
    return np.where(np.isfinite(values) & (values != 0), values, fallback)


# As a member's profile rounds them (`tools.profiles.frame`), so a batch scores what one member's
# decision scores: behaviour to 4 digits, churn risk to 4, the predicted CLV to cents.
FIELD_DIGITS, CHURN_DIGITS, CLV_DIGITS = 4, 4, 2


def profiled(frame: ProfileFrame, name: str, rows: np.ndarray) -> np.ndarray:
    """A behaviour field of the frame's `rows`, as their profiles hold it."""
    return np.round(frame.fields[name][rows], FIELD_DIGITS)


def typical_basket(frame: ProfileFrame, rows: np.ndarray) -> np.ndarray:
    """The member's likely order value as the rules take it (0 when unknown)."""
    return _positive_or(profiled(frame, "expected_order_value", rows), 0.0)


def _optional(amount: float, n: int) -> np.ndarray:
    """A lever's value as an offer column: NaN where the offer has none (`OfferTerms`)."""
    return np.full(n, float(amount) if amount else np.nan)


def member_batch(
    frame: ProfileFrame,
    rows: np.ndarray,
    facts: ContactFacts,
    use_case: UseCase,
    rival_discount_pct: np.ndarray | None,
    intent: np.ndarray | None = None,
) -> MemberBatch:
    batch = frame_batch(
        frame,
        rows,
        use_case,
        rival_discount_pct,
        recent_contacts_7d=facts.live_last_7d.astype(float),
        consecutive_ignored=facts.ignored_this_week.astype(float),
        reachable={c: facts.reachable[:, j] for j, c in enumerate(CHANNELS)},
    )
    return batch if intent is None else replace(batch, intent=intent)


def frame_batch(
    frame: ProfileFrame,
    rows: np.ndarray,
    use_case: UseCase,
    rival_discount_pct: np.ndarray | None,
    *,
    recent_contacts_7d: np.ndarray,
    consecutive_ignored: np.ndarray,
    reachable: dict[Channel, np.ndarray],
) -> MemberBatch:
    """The frame's rows as the scorer's batch; `reachable` is narrowed further by the frame's
    consents (and, for reactivation, by the member's rhythm)."""
    risk = np.round(frame.predictions.churn_risk[rows], CHURN_DIGITS)
    p_anyway = buy_chance(risk, HORIZON_DAYS[use_case], frame.churn_horizon_days)
    p_while_valid = buy_chance(risk, validity_days(use_case), frame.churn_horizon_days)
    sensitivity = profiled(frame, "discount_share", rows)
    engagement = frame.features.engagement
    full_price = (
        frame.segments[rows, frame.segment_ids.index("full_price_buyer")]
        if "full_price_buyer" in frame.segment_ids
        else np.zeros(len(rows), dtype=bool)
    )
    column = {c: PROFILE_CHANNELS.index(c.value) for c in CHANNELS}
    # As for one member (`tools.nba.eligibility`): no win-back for a member still inside their rhythm.
    fits = (
        ~within_rhythm(profiled(frame, "recency_days", rows), profiled(frame, "median_interval", rows))
        if use_case is UseCase.REACTIVATION
        else np.ones(len(rows), dtype=bool)
    )
    app_native = (
        frame.segments[rows, frame.segment_ids.index("app_native")]
        if "app_native" in frame.segment_ids
        else np.zeros(len(rows), dtype=bool)
    )
    return MemberBatch(
        customer_id=frame.history.members.customer_id[rows],
        p_buy_anyway=p_anyway,
        p_buy_while_valid=p_while_valid,
        basket_value=_positive_or(profiled(frame, "expected_order_value", rows), DEFAULT_BASKET),
        margin_rate=_positive_or(profiled(frame, "margin_rate", rows), DEFAULT_MARGIN_RATE),
        price_sensitivity=np.where(np.isfinite(sensitivity), sensitivity, DEFAULT_PRICE_SENSITIVITY),
        full_price_buyer=full_price,
        clv_365=np.round(frame.predictions.clv_365[rows], CLV_DIGITS),
        recent_contacts_7d=recent_contacts_7d,
        consecutive_ignored=consecutive_ignored,
        opens={c: engagement.opens[rows, column[c]].astype(float) for c in CHANNELS},
        sends={c: engagement.sends[rows, column[c]].astype(float) for c in CHANNELS},
        clicks={c: engagement.clicks[rows, column[c]].astype(float) for c in CHANNELS},
        reachable={c: engagement.consent[rows, column[c]] & reachable[c] & fits for c in CHANNELS},
        churn_risk=risk,
        competitor_discount_pct=rival_discount_pct,
        days_since_order=profiled(frame, "recency_days", rows),
        median_gap_days=profiled(frame, "median_interval", rows),
        reach_prior={
            Channel.IN_APP: np.where(app_native, APP_NATIVE_IN_APP_REACH, REACH_PRIOR[Channel.IN_APP])
        },
    )


def score_audience(
    frame: ProfileFrame,
    rows: np.ndarray,
    facts: ContactFacts,
    use_case: UseCase,
    policy: Policy,
    *,
    rival_discount_pct: np.ndarray | None = None,
    learned: LearnedLift | list[LearnedLift] | None = None,
    rates: ResponseRates | None = None,
    intent: np.ndarray | None = None,
    depth: int = RANKED,
    bundles: "BundleOrders | None" = None,
) -> AudienceScores:
    """`rival_discount_pct`: per member, a rival's live discount on what the message is about (0
    where there is none); only competitive response weighs it, as the single-member path does.
    `rates`: the response fitted from the retailer's contacts and outcomes, as the agents score
    with it (`tools.nba.response_fit`); without it, or without any history, the priors stand in.
    `intent`: per member, how a regular purchase coming due scales the response (1 otherwise).
    `depth`: candidates ranked per member. Values are rounded to cents as one member's are, before
    and after the rules' pricing, so candidates rank (ties included) as a specialist's do.
    `bundles`: each member's bundle (`tools.campaigns.bundles`), to price the bundle candidates."""
    batch = member_batch(frame, rows, facts, use_case, rival_discount_pct, intent)
    scores = score(batch, use_case, policy.valuation, learned=learned, rates=rates)
    n = len(batch)
    cost, cost_if_redeemed = np.round(scores.cost, 2), scores.cost_if_redeemed.copy()
    value = np.where(np.isfinite(scores.value), np.round(scores.value, 2), scores.value)
    eligible = np.isfinite(value)
    bundle = np.zeros(value.shape, dtype=bool)
    basket = np.maximum(typical_basket(frame, rows), 1.0)
    margin_rate = np.nan_to_num(profiled(frame, "margin_rate", rows))
    floor = policy.margin.floor.min_margin_pct
    for j, candidate in enumerate(scores.candidates):
        lever = candidate.lever
        if lever.is_nothing:
            continue
        is_bundle = lever.offer_type is OfferType.BUNDLE
        bundle[:, j] = is_bundle
        if is_bundle:
            if bundles is None:
                eligible[:, j] = False
                continue
            eligible[:, j] &= bundles.available
        priced = bundles if is_bundle and bundles is not None else None
        economics = value_offers(
            OfferTerms(
                offer_type=np.full(n, lever.offer_type.value),
                discount_pct=_optional(lever.discount_pct, n),
                amount_off=_optional(lever.amount_off, n),
                points_multiplier=_optional(lever.points_multiplier, n),
                bonus_points=np.full(n, float(lever.bonus_points)),
                free_shipping=np.full(n, lever.free_shipping),
                min_spend=np.zeros(n),
                sku_list_value=np.zeros(n) if priced is None else priced.sku_value,
                gift_cost=np.zeros(n),
                stated_cost=np.zeros(n),
                basket_value=basket if priced is None else priced.basket,
                basket_margin=basket * margin_rate if priced is None else priced.margin,
            ),
            policy.valuation,
        )
        face = economics.face_value
        eligible[:, j] &= ~((face > 0) & (economics.margin_after_pct < floor))
        # Move cost and value by the difference between the scorer's and the rules' face value,
        # so the stated cost is never below what the rules compute (as `member_scoring` does).
        delta = np.where(np.isfinite(value[:, j]), face - cost_if_redeemed[:, j], 0.0)
        cost[:, j] = np.round(cost[:, j] + scores.redeem[:, j] * delta, 2)
        value[:, j] = np.round(value[:, j] - scores.redeem[:, j] * delta, 2)
        cost_if_redeemed[:, j] = np.ceil(face * 100) / 100
    listed = eligible.copy()
    nothing = [j for j, c in enumerate(scores.candidates) if c.lever.is_nothing]
    eligible[:, nothing] = False
    eligible &= ~bundle
    eligible &= np.where(eligible, value, 0.0) > 0
    ranking = np.argsort(-np.where(eligible, value, -np.inf), axis=1, kind="stable")[:, :depth]
    ranked = np.where(np.take_along_axis(eligible, ranking, axis=1), ranking, -1)
    return AudienceScores(
        candidates=scores.candidates,
        propensity=scores.propensity,
        uplift=scores.uplift,
        expected_margin=scores.expected_margin,
        cost=cost,
        cost_if_redeemed=cost_if_redeemed,
        fatigue_penalty=scores.fatigue_penalty,
        value=value,
        ranked=ranked,
        listed=listed,
        scored_value=scores.value,
        bundle=bundle,
    )
