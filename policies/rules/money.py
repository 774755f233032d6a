"""What an offer costs the retailer: stated honestly, within budget, above the margin floor, and
sent to a human when it is worth a lot. Every rule uses the cost from `policies.offer_value`."""

from collections.abc import Iterator

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
        yield Hit(row, {"estimated_cost": money(stated[row]), "face_value": money(face_value[row])}, "estimated_cost")


def budget_remaining(frame: Frame, config: BudgetRule) -> Iterator[Hit]:
    cost = frame.economics.cost
    for row in rows_where(cost > frame.budget_remaining + TOLERANCE):
        facts: dict[str, Fact] = {
            "cost": money(cost[row]),
            "budget_remaining": money(frame.budget_remaining[row]),
            "use_case": str(frame.use_case[row]),
        }
        yield Hit(row, facts, "offer")


def margin_floor(frame: Frame, config: MarginFloorRule) -> Iterator[Hit]:
    economics = frame.economics
    floor = config.min_margin_pct / 100
    # The cost at which margin meets the floor, if all of it were a price cut: (M − c)/(V − c) = f.
    max_cost = (economics.order_margin - floor * economics.order_value) / (1 - floor)
    below = (economics.cost > TOLERANCE) & (economics.margin_after_pct < config.min_margin_pct - TOLERANCE)
    for row in rows_where(below):
        facts: dict[str, Fact] = {
            "margin_pct": round(float(economics.margin_after_pct[row]), 2),
            "min_margin_pct": config.min_margin_pct,
            "max_cost": money(max(float(max_cost[row]), 0.0)),
        }
        yield Hit(row, facts, "offer")


def review_high_value(frame: Frame, config: HighValueReviewRule) -> Iterator[Hit]:
    cost = frame.economics.cost
    for row in rows_where(cost > config.max_auto_cost + TOLERANCE):
        yield Hit(row, {"cost": money(cost[row]), "max_auto_cost": config.max_auto_cost}, "offer")
