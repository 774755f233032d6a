"""Replenishment learns from censored pairs: pairs not bought again within the window lower the
chance of another purchase without dragging the expected date, and every pair bought on three or
more days is listed, the ones with no rhythm flagged rather than dropped."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from tools.profiles.pairs import HALF_LIVES, Pairs
from tools.profiles.replenishment import INPUTS, Regularity, fit_replenishment


@pytest.fixture(autouse=True)
def one_thread():
    # as in fit_models: OpenMP threads spin-waiting on a busy machine make small fits crawl
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def test_censored_pairs_teach_the_chance_not_the_date() -> None:
    rng = np.random.default_rng(3)
    n = 1_500
    interval = rng.choice([7.0, 30.0], size=n)
    lapsing = rng.random(n) < 0.5  # one input says whether the member still buys the category
    inputs = np.column_stack([interval, lapsing.astype(float), rng.random((n, len(INPUTS) - 2))])
    wait = interval * rng.uniform(0.8, 1.2, size=n)
    gone = lapsing & (rng.random(n) < 0.8)
    days = np.where(gone, np.nan, wait)  # censored: not bought again within the window
    model = fit_replenishment(inputs, days, 90, Regularity())
    probe = np.array(
        [
            [7.0, 0.0, *[0.5] * (len(INPUTS) - 2)],
            [7.0, 1.0, *[0.5] * (len(INPUTS) - 2)],
            [30.0, 0.0, *[0.5] * (len(INPUTS) - 2)],
        ]
    )
    staying, leaving, monthly = model.likely(probe)
    assert staying > 0.9 and leaving < 0.4 and monthly > 0.9
    # the date is learned from the purchases that happened: a lapsing weekly pair is still weekly
    weekly, weekly_lapsing, month = model.predict(probe)
    assert 5 < weekly < 9 and 5 < weekly_lapsing < 9 and 25 < month < 35


def test_one_outcome_in_training_falls_back_to_its_rate() -> None:
    inputs = np.random.default_rng(1).random((60, len(INPUTS)))
    model = fit_replenishment(inputs, np.full(60, 10.0), 90, Regularity())
    assert model.rebuy is None and np.all(model.likely(inputs[:3]) == 1.0)


def _pairs(days_bought: list[int], cv: list[float], recency: list[float]) -> Pairs:
    k = len(days_bought)
    median = np.full(k, 10.0)
    return Pairs(
        member=np.zeros(k, dtype=np.int64),
        category=np.arange(k),
        days_bought=np.array(days_bought),
        recency=np.array(recency),
        median_interval=median,
        mean_interval=median,
        last_interval=median,
        interval_cv=np.array(cv),
        weighted=np.zeros((k, len(HALF_LIVES))),
        spend=np.zeros(k),
        share_of_days=np.zeros(k),
    )


def test_every_pair_bought_on_three_days_is_listed_and_regularity_is_a_flag() -> None:
    inputs = np.random.default_rng(2).random((100, len(INPUTS)))
    model = fit_replenishment(inputs, np.where(np.arange(100) % 3, 10.0, np.nan), 90, Regularity())
    pairs = _pairs(days_bought=[2, 3, 5, 4], cv=[0.1, 0.2, 2.5, 0.3], recency=[3.0, 3.0, 3.0, 80.0])
    assert model.listed(pairs).tolist() == [False, True, True, True]
    # steady; erratic intervals; abandoned (eight intervals overdue)
    assert Regularity().regular(pairs)[1:].tolist() == [True, False, False]
