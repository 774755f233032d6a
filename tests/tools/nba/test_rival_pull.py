"""The rival pull measured from orders around competitor signals (`tools.nba.rival_pull`)."""

import numpy as np

from tools.nba import RivalPull, estimate_rival_pull
from tools.nba.rival_pull import CategoryOrders, SignalWindows

DAYS, CATEGORIES, MEMBERS = 420, 4, 2_000
# every 30 days from day 200, a 14-day 25% promotion on one category in turn
STARTS = np.arange(200.0, DAYS - 14, 30.0)
SIGNALS = SignalWindows(
    np.arange(len(STARTS)) % CATEGORIES, np.full(len(STARTS), 25.0), STARTS, STARTS + 14.0
)


def history(pull: float, seed: int = 7, signals: SignalWindows = SIGNALS) -> CategoryOrders:
    """Members buying each category at their own daily rate; during a promotion of a category a
    member with discount share s buys there (1 − pull·s) times as often."""
    rng = np.random.default_rng(seed)
    share = rng.beta(1.0, 1.5, MEMBERS)
    rate = rng.gamma(2.0, 0.02, (MEMBERS, CATEGORIES))
    day = np.arange(DAYS, dtype=float)
    scale = np.ones((MEMBERS, CATEGORIES, DAYS))
    for category, start, end in zip(signals.category, signals.start, signals.end, strict=True):
        during = (day >= start) & (day < end)
        scale[:, category, during] *= (1 - pull * share)[:, None]
    counts = rng.poisson(rate[:, :, None] * scale)
    member, category, when = np.nonzero(counts)
    repeat = counts[member, category, when]
    member, category, when = (np.repeat(a, repeat) for a in (member, category, when))
    discounted = rng.random(len(member)) < share[member]
    return CategoryOrders(member + 100, when + rng.random(len(when)), category, discounted)


def test_a_real_pull_is_recovered() -> None:
    found = estimate_rival_pull(history(pull=0.6), SIGNALS)
    assert found.signals > 0 and found.exposures > 0
    assert abs(found.raw - 0.6) < 0.15
    assert abs(found.given(0.8) - 0.6) < 0.15  # a history this rich outweighs the prior
    assert found.observed_orders < found.expected_orders


def test_no_pull_is_measured_as_about_none() -> None:
    found = estimate_rival_pull(history(pull=0.0), SIGNALS)
    assert found.signals > 0
    assert abs(found.raw) < 3 * found.se
    assert found.given(0.8) < 0.1


def test_without_signals_the_prior_stands() -> None:
    none = SignalWindows(np.array([], dtype=np.int64), np.array([]), np.array([]), np.array([]))
    found = estimate_rival_pull(history(pull=0.0, signals=none), none)
    assert found == RivalPull(0.0, 0.0, 0, 0, 0.0, 0)
    assert found.given(0.8) == 0.8  # nothing measured: the playbook's prior stands


def test_a_signal_before_the_history_has_a_rhythm_is_no_evidence() -> None:
    early = SignalWindows(np.array([0]), np.array([30.0]), np.array([20.0]), np.array([34.0]))
    found = estimate_rival_pull(history(pull=0.9, signals=early), early)
    assert found.signals == 0 and found.given(0.8) == 0.8
