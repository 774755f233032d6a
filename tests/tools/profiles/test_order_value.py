"""A member's likely order value: their average shrunk toward the base's, by as much as the base's
orders say chance moves an average of that many orders."""

import numpy as np
import pytest

from tools.profiles.order_value import (
    MAX_WEIGHT,
    OrderValuePrior,
    expected_order_value,
    fit_order_value_prior,
)


def orders_of(
    rng: np.random.Generator, n: int, between_cv: float, within_cv: float
) -> tuple[np.ndarray, ...]:
    """n members whose true averages spread by `between_cv` around $100; each order spreads by
    `within_cv` around its member's average (gamma draws); 1 to ~10 orders each, then one more
    each, kept apart as what is to be predicted."""
    true = rng.gamma(1 / between_cv**2, 100 * between_cv**2, n)
    count = 1 + rng.poisson(3, n)
    member = np.repeat(np.arange(n), count + 1)
    value = rng.gamma(1 / within_cv**2, within_cv**2, len(member)) * true[member]
    last = np.r_[np.flatnonzero(np.diff(member)), len(member) - 1]
    seen = np.ones(len(member), dtype=bool)
    seen[last] = False
    return member[seen], value[seen], value[last], true


def test_the_weight_is_within_over_between_variance() -> None:
    rng = np.random.default_rng(1)
    member, paid, _, _ = orders_of(rng, 20_000, between_cv=0.5, within_cv=0.8)
    prior = fit_order_value_prior(member, paid, 20_000)
    # true values: between variance (0.5 · 100)², within variance about (0.8 · 100)² (averaged
    # over members, E[true²] = 100² (1 + 0.5²)): k = 0.64 · 1.25 / 0.25 = 3.2
    assert prior.weight == pytest.approx(3.2, rel=0.15)
    assert prior.mean == pytest.approx(paid.mean())


def test_the_shrunk_value_predicts_the_next_order_better_than_the_members_own_average_or_the_bases() -> None:
    rng = np.random.default_rng(2)
    n = 5_000
    member, paid, following, _ = orders_of(rng, n, between_cv=0.5, within_cv=0.8)
    prior = fit_order_value_prior(member, paid, n)
    spent, orders = np.bincount(member, paid, n), np.bincount(member, minlength=n)
    shrunk = expected_order_value(spent, orders, prior)
    own = spent / orders
    shrunk_error = np.mean((shrunk - following) ** 2)
    own_error = np.mean((own - following) ** 2)
    base_error = np.mean((paid.mean() - following) ** 2)
    assert shrunk_error < 0.95 * min(own_error, base_error)  # better than either extreme


def test_a_member_without_orders_gets_the_base_average_and_many_orders_keep_their_own() -> None:
    prior = OrderValuePrior(mean=100.0, weight=2.0)
    member = np.array([1] * 98 + [2])
    paid = np.array([300.0] * 98 + [20.0])
    found = expected_order_value(np.bincount(member, paid, 3), np.bincount(member, minlength=3), prior)
    assert found[0] == pytest.approx(100.0)
    assert found[1] == pytest.approx((98 * 300 + 200) / 100)  # 296: their own, nearly
    assert found[2] == pytest.approx((20 + 200) / 3)  # one small order moves them a third of the way


def test_a_base_that_cannot_tell_members_apart_gives_everyone_its_average() -> None:
    rng = np.random.default_rng(3)
    member = np.repeat(np.arange(2_000), 4)
    paid = rng.gamma(2.0, 50.0, len(member))  # one distribution for everybody
    prior = fit_order_value_prior(member, paid, 2_000)
    assert prior.weight >= 20  # chance alone explains the spread of averages: trust the base's
    assert fit_order_value_prior(np.array([], dtype=np.int64), np.array([]), 3).mean == 0.0
    assert prior.weight <= MAX_WEIGHT
