"""Choosing members under a budget: value per dollar of cost, highest first (DESIGN §5)."""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Limit(StrEnum):
    BUDGET = "budget"  # the money ran out first
    MEMBERS = "limit"  # the member limit was reached first
    AUDIENCE = "audience"  # everyone worth contacting fits
    PAUSED = "paused"  # the use case is paused: nobody is chosen


@dataclass(frozen=True)
class Allocation:
    chosen: np.ndarray  # indices into the candidates, in the order chosen
    limited_by: Limit


def allocate(
    value: np.ndarray, cost: np.ndarray, customer_id: np.ndarray, *, budget: float, limit: int | None
) -> Allocation:
    """Greedy knapsack: take candidates by expected value per dollar of budget they reserve, skipping
    any that no longer fit, until the budget or the member limit is used. Free actions (points
    reminders, early access) cost the budget nothing and come first; ties go to the larger value,
    then the lower member id, so a plan is reproducible."""
    ratio = np.where(cost > 0, value / np.where(cost > 0, cost, 1.0), np.inf)
    order = np.lexsort((customer_id, -value, -ratio))
    chosen: list[int] = []
    spent, skipped = 0.0, False
    cap = len(order) if limit is None else limit
    for index in order.tolist():
        if len(chosen) >= cap:
            return Allocation(np.array(chosen, dtype=np.int64), Limit.MEMBERS)
        price = float(cost[index])
        if spent + price > budget + 1e-9:
            skipped = True
            continue
        spent += price
        chosen.append(index)
    limited = Limit.BUDGET if skipped else Limit.AUDIENCE
    if limit is not None and len(chosen) >= limit:
        limited = Limit.MEMBERS
    return Allocation(np.array(chosen, dtype=np.int64), limited)
