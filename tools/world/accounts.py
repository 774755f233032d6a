"""Loyalty accounts consistent with spend.

Every order earns floor(total * points_per_dollar * multiplier) points, where the multiplier comes
from a redeemed points-multiplier offer (1 otherwise), plus the bonus of a redeemed bonus-points
offer. Lifetime points are the sum over the member's orders in the window (the history in the
database is all there is); the tier follows the points earned in the 365 days before the end;
the balance is what is left after redeeming whole blocks of points for rewards.
"""

from dataclasses import dataclass

import numpy as np

from policies.vocabulary import OfferType, Tier
from tools.world.baskets import Baskets
from tools.world.offers import OFFER_TEMPLATES
from tools.world.orders import Orders
from tools.world.population import LoyaltySpec
from tools.world.timeline import DAY, Timeline


@dataclass(frozen=True)
class Accounts:
    tier: np.ndarray  # object: Tier value per member
    points_balance: np.ndarray
    lifetime_points: np.ndarray


def order_points(
    total_cents: np.ndarray, multiplier: np.ndarray, bonus: np.ndarray, points_per_dollar: int
) -> np.ndarray:
    return (total_cents * points_per_dollar * multiplier) // 100 + bonus


def tier_for(points: np.ndarray, spec: LoyaltySpec) -> np.ndarray:
    """Tier names for points earned over the last 365 days."""
    thresholds = np.array(list(spec.tiers.values()))
    names = np.array([Tier.BRONZE.value, *(Tier(t).value for t in spec.tiers)], dtype=object)
    return names[np.searchsorted(thresholds, points, side="right")]


def points_offer_terms(baskets: Baskets) -> tuple[np.ndarray, np.ndarray]:
    """(multiplier, bonus) per order from the points offer it redeemed, if any."""
    multipliers = np.array(
        [
            int(t.points_multiplier or 1) if t.type is OfferType.POINTS_MULTIPLIER else 1
            for t in OFFER_TEMPLATES
        ]
    )
    bonuses = np.array(
        [(t.bonus_points or 0) if t.type is OfferType.BONUS_POINTS else 0 for t in OFFER_TEMPLATES]
    )
    used = baskets.redeemed & (baskets.coupon >= 0)
    which = np.maximum(baskets.coupon, 0)
    return np.where(used, multipliers[which], 1), np.where(used, bonuses[which], 0)


def build_accounts(
    spec: LoyaltySpec,
    orders: Orders,
    baskets: Baskets,
    members: int,
    clock: Timeline,
    rng: np.random.Generator,
) -> Accounts:
    multiplier, bonus = points_offer_terms(baskets)
    earned = order_points(baskets.total, multiplier, bonus, spec.points_per_dollar)
    lifetime = np.bincount(orders.member, weights=earned, minlength=members).astype(np.int64)
    last_year = orders.placed_at >= clock.span - 365 * DAY
    recent = np.bincount(orders.member[last_year], weights=earned[last_year], minlength=members).astype(
        np.int64
    )
    share = rng.beta(spec.redeem_share.alpha, spec.redeem_share.beta, members)
    redeemed = (np.floor(lifetime * share / spec.redeem_block) * spec.redeem_block).astype(np.int64)
    return Accounts(tier=tier_for(recent, spec), points_balance=lifetime - redeemed, lifetime_points=lifetime)
