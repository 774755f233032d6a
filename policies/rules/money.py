"""What an offer costs the retailer: stated honestly, within budget, above the margin floor, and
sent to a human when it is worth a lot. Every rule uses the cost from `policies.offer_value`."""

from collections.abc import Iterator

import numpy as np

from policies.frame import Frame
from policies.rule_config import (
    BudgetRule,
    CostUnderstatedRule,
    HighValueReviewRule,
    MarginFloorRule,
)
from policies.rules.base import TOLERANCE, Hit, money, rows_where
from policies.violation import Fact


def cost_understated(frame: Frame, config: CostUnderstatedRule) -> Iterator[Hit]:
    stated, face_value = frame.terms.stated_cost, frame.economics.face_value
    for row in rows_where(stated < face_value - config.tolerance - TOLERANCE):
        yield Hit(
            row,
            {"estimated_cost": money(stated[row]), "face_value": money(face_value[row])},
            "estimated_cost",
        )


def budget_remaining(frame: Frame, config: BudgetRule) -> Iterator[Hit]:
    cost = frame.economics.cost
    # In whole cents, as the channels server reserves it: an offer costing exactly what is left fits.
    for row in rows_where(np.round(cost * 100) > np.round(frame.budget_remaining * 100)):
        facts: dict[str, Fact] = {
            "cost": money(cost[row]),
            "budget_remaining": money(frame.budget_remaining[row]),
            "use_case": str(frame.use_case[row]),
        }
        yield Hit(row, facts, "offer")


def margin_floor(frame: Frame, config: MarginFloorRule) -> Iterator[Hit]:
    """The margin after the offer, on the order and — when the offer names products — on those
    products at their own margin: a deep cut on a thin-margin item must not borrow the margin of
    what the member usually buys."""
    economics = frame.economics
    floor = config.min_margin_pct / 100
    skus = frame.skus
    priced = skus.known & ~skus.is_gift
    item_value = np.bincount(skus.row[priced], weights=skus.price[priced], minlength=frame.size)
    item_margin = np.bincount(
        skus.row[priced], weights=(skus.price - skus.unit_cost)[priced], minlength=frame.size
    )
    scoped = item_value > 0
    item_paid = item_value - economics.price_cut
    safe_paid = np.where(item_paid > 0, item_paid, 1.0)
    item_after = np.where(
        scoped, np.where(item_paid > 0, 100 * (item_margin - economics.cost) / safe_paid, -100.0), np.inf
    )
    margin_after = np.minimum(economics.margin_after_pct, item_after)
    # The cost at which margin meets the floor, if all of it were a price cut: (M − c)/(V − c) = f.
    max_cost = (economics.order_margin - floor * economics.order_value) / (1 - floor)
    item_max_cost = np.where(scoped, (item_margin - floor * item_value) / (1 - floor), np.inf)
    max_cost = np.minimum(max_cost, item_max_cost)
    below = (economics.cost > TOLERANCE) & (margin_after < config.min_margin_pct - TOLERANCE)
    for row in rows_where(below):
        facts: dict[str, Fact] = {
            "margin_pct": round(float(margin_after[row]), 2),
            "min_margin_pct": config.min_margin_pct,
            "max_cost": money(max(float(max_cost[row]), 0.0)),
        }
        yield Hit(row, facts, "offer")


def review_high_value(frame: Frame, config: HighValueReviewRule) -> Iterator[Hit]:
    cost = frame.economics.cost
    for row in rows_where(cost > config.max_auto_cost + TOLERANCE):
        yield Hit(row, {"cost": money(cost[row]), "max_auto_cost": config.max_auto_cost}, "offer")
