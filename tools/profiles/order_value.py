"""What a member's next order is likely worth: their average order, shrunk toward the base's.

A member's average over a handful of orders says as much about chance as about them: order values
vary within a member about three times as much as members' own averages differ (k below: 2.9 on a
simulated department store, 2.7 on The Complete Journey's households), so three orders that
happened to be small do not make a small spender. The estimate is the empirical-Bayes mean (the
gamma-gamma spend model's form, fitted by moments):

    expected = (n · their average + k · the base's average) / (n + k),   k = within variance / between variance

where `within` is the pooled variance of order values around each member's own average and
`between` the variance of members' true averages (their averages' variance, less the part their
orders' own noise explains). A member with no order gets the base's average. Fitted once over the
whole base with the profile models (`OrderValuePrior`), so one member's profile computed alone
equals their row of the batch.
"""

from dataclasses import dataclass

import numpy as np

from tools.profiles import groups

# Where the base cannot separate members (too few repeat orders), one order counts as much as the
# base's average: halfway.
DEFAULT_WEIGHT = 1.0
MAX_WEIGHT = 1_000.0  # members indistinguishable: everyone gets (nearly) the base's average


@dataclass(frozen=True)
class OrderValuePrior:
    mean: float  # the base's average order value; 0 when nobody has ordered
    weight: float  # k: how many orders the base's average counts as


def fit_order_value_prior(member: np.ndarray, paid: np.ndarray, n: int) -> OrderValuePrior:
    """From every order's member (0 <= member < n) and value."""
    if len(paid) == 0:
        return OrderValuePrior(0.0, DEFAULT_WEIGHT)
    count = groups.count(member, n)
    own = groups.ratio(groups.total(member, paid, n), count)
    squares = groups.total(member, (paid - own[member]) ** 2, n)
    repeat = count >= 2
    if repeat.sum() < 2:
        return OrderValuePrior(float(paid.mean()), DEFAULT_WEIGHT)
    within = float(squares[repeat].sum() / (count[repeat] - 1).sum())
    ordered = count > 0
    between = float(np.var(own[ordered]) - np.mean(within / count[ordered]))
    weight = within / between if between > 0 else MAX_WEIGHT
    return OrderValuePrior(float(paid.mean()), float(min(weight, MAX_WEIGHT)))


def expected_order_value(spent: np.ndarray, orders: np.ndarray, prior: OrderValuePrior) -> np.ndarray:
    """Per member, from what they spent over how many orders: their average order shrunk toward
    `prior.mean` by `prior.weight` orders."""
    return (spent + prior.weight * prior.mean) / (orders + prior.weight)
