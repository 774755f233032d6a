"""Choosing members under a budget: value per dollar, free actions first, skip what no longer fits."""

import numpy as np

from tools.campaigns.allocation import Limit, allocate


def test_takes_value_per_dollar_highest_first_and_skips_what_no_longer_fits() -> None:
    value = np.array([10.0, 30.0, 8.0, 5.0, 2.0])
    cost = np.array([10.0, 40.0, 4.0, 0.0, 1.0])  # ratios 1.0, 0.75, 2.0, free, 2.0
    chosen = allocate(value, cost, np.arange(1, 6), budget=20.0, limit=None)
    # free first; then 2.0 (the larger value first); then 1.0; the 40 no longer fits
    assert chosen.chosen.tolist() == [3, 2, 4, 0]
    assert chosen.limited_by is Limit.BUDGET
    assert cost[chosen.chosen].sum() <= 20.0


def test_the_member_limit_stops_the_campaign() -> None:
    chosen = allocate(
        np.array([5.0, 4.0, 3.0]), np.array([1.0, 1.0, 1.0]), np.array([1, 2, 3]), budget=100.0, limit=2
    )
    assert chosen.chosen.tolist() == [0, 1]
    assert chosen.limited_by is Limit.MEMBERS


def test_everyone_fits() -> None:
    chosen = allocate(np.array([5.0, 4.0]), np.array([1.0, 2.0]), np.array([1, 2]), budget=100.0, limit=None)
    assert sorted(chosen.chosen.tolist()) == [0, 1]
    assert chosen.limited_by is Limit.AUDIENCE


def test_ties_break_on_member_id_so_plans_are_reproducible() -> None:
    chosen = allocate(
        np.array([5.0, 5.0, 5.0]), np.array([1.0, 1.0, 1.0]), np.array([9, 3, 6]), budget=2.0, limit=None
    )
    assert chosen.chosen.tolist() == [1, 2]
