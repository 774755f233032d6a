"""How deep a discount may go, and for whom: segment, category and full-price limits, the top
tier's points, and the first cart-abandonment message.

Depth comes from `policies.offer_value`, so an amount-off offer is held to the same limits as the
percent-off offer it is equivalent to.
"""

from collections.abc import Iterator

import numpy as np

from policies.frame import Frame
from policies.rule_config import (
    CartFirstMessageRule,
    CategoryDiscountRule,
    FullPriceDiscountRule,
    SegmentDiscountRule,
    TopTierPointsRule,
)
from policies.rules.base import (
    TOLERANCE,
    Hit,
    count_per_row,
    first_per_row,
    gather,
    hours,
    labels_by_row,
    map_labels,
    rows_where,
)
from policies.violation import Fact
from policies.vocabulary import OfferType, UseCase

_DEFAULT_SEGMENT = "default"


def _depth(frame: Frame, row: int) -> float:
    return round(float(frame.economics.depth_pct[row]), 2)


def _depth_field(frame: Frame, row: int) -> str:
    return "offer.amount_off" if np.isnan(frame.terms.discount_pct[row]) else "offer.discount_pct"


def max_discount_segment(frame: Frame, config: SegmentDiscountRule) -> Iterator[Hit]:
    segments = frame.segments
    limits = map_labels(segments.label, config.limits, np.inf)
    tightest = first_per_row(frame.size, segments.row, np.isfinite(limits), limits, segments.label)
    max_pct = gather(limits, tightest, config.default_pct)
    binding = gather(segments.label, tightest, _DEFAULT_SEGMENT)
    for row in rows_where(frame.economics.depth_pct > max_pct + TOLERANCE):
        facts: dict[str, Fact] = {
            "depth_pct": _depth(frame, row),
            "max_pct": float(max_pct[row]),
            "segment": str(binding[row]),
        }
        yield Hit(row, facts, _depth_field(frame, row))


def max_discount_category(frame: Frame, config: CategoryDiscountRule) -> Iterator[Hit]:
    categories = frame.categories
    limits = map_labels(categories.label, config.limits, np.inf)
    tightest = first_per_row(frame.size, categories.row, np.isfinite(limits), limits, categories.label)
    max_pct = gather(limits, tightest, np.inf)
    binding = gather(categories.label, tightest, "")
    for row in rows_where(frame.economics.depth_pct > max_pct + TOLERANCE):
        facts: dict[str, Fact] = {
            "depth_pct": _depth(frame, row),
            "max_pct": float(max_pct[row]),
            "category": str(binding[row]),
        }
        yield Hit(row, facts, _depth_field(frame, row))


def max_discount_full_price(frame: Frame, config: FullPriceDiscountRule) -> Iterator[Hit]:
    skus = frame.skus
    full_price = skus.full_price & ~skus.is_gift  # a gift is given, not discounted
    has_full_price = count_per_row(frame.size, skus.row, full_price) > 0
    offending = rows_where(has_full_price & (frame.economics.depth_pct > config.max_pct + TOLERANCE))
    names = labels_by_row(skus.row, skus.sku, full_price)
    for row in offending:
        facts: dict[str, Fact] = {
            "depth_pct": _depth(frame, row),
            "max_pct": config.max_pct,
            "skus": ", ".join(names[row]),
        }
        yield Hit(row, facts, "offer.skus")


def points_top_tier(frame: Frame, config: TopTierPointsRule) -> Iterator[Hit]:
    multiplied = frame.terms.offer_type == OfferType.POINTS_MULTIPLIER
    for row in rows_where(multiplied & np.isin(frame.tier, list(config.tiers))):
        facts: dict[str, Fact] = {
            "tier": str(frame.tier[row]),
            "multiplier": float(frame.terms.points_multiplier[row]),
        }
        yield Hit(row, facts, "offer.type")


def cart_first_message_discount(frame: Frame, config: CartFirstMessageRule) -> Iterator[Hit]:
    """The step is the smaller of the proposal's claim and 1 + the cart messages already sent."""
    contacts = frame.contacts
    since = frame.send_at[contacts.row] - contacts.sent_at
    earlier = (
        (contacts.use_case == UseCase.CART_ABANDONMENT)
        & (since > np.timedelta64(0, "us"))
        & (since < hours(config.sequence_window_hours))
    )
    step = np.minimum(frame.sequence_step, count_per_row(frame.size, contacts.row, earlier) + 1)
    discounted = np.isin(frame.terms.offer_type, list(config.discount_types))
    too_early = (frame.use_case == UseCase.CART_ABANDONMENT) & (step < config.discount_allowed_from_step)
    for row in rows_where(too_early & discounted):
        facts: dict[str, Fact] = {
            "step": int(step[row]),
            "offer_type": str(frame.terms.offer_type[row]),
            "allowed_from_step": config.discount_allowed_from_step,
        }
        yield Hit(row, facts, "offer.type")
