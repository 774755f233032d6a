"""Paired household-bootstrap intervals: point values match the plain metrics, a clear winner is
ahead, two copies of one method are level."""

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from evals.paired_bootstrap import Ranked, Ratio, paired
from evals.prediction_baselines import rolled_forward


def test_rank_metrics_match_scikit_learn_and_scipy() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    score = y + rng.normal(0, 1, 300)
    assert np.isclose(Ranked("auc", {"m": score}, y).point("m"), roc_auc_score(y, score))
    truth = score + rng.normal(0, 1, 300)
    assert np.isclose(Ranked("spearman", {"m": score}, truth).point("m"), spearmanr(score, truth)[0])


def test_a_better_score_is_ahead_and_a_copy_is_level() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    good, poor = y + rng.normal(0, 1, 400), y + rng.normal(0, 3, 400)
    auc = Ranked("auc", {"good": good, "poor": poor, "copy": good.copy()}, y)
    assert paired(auc, "good", "poor", seed=0, replicates=300).verdict(higher_is_better=True) == "ahead"
    same = paired(auc, "good", "copy", seed=0, replicates=300)
    assert same.difference == 0 and same.verdict(higher_is_better=True) == "level"


def test_errors_summed_per_household_are_weighed_by_their_count() -> None:
    # household 0 has three pairs off by 10, household 1 one pair off by 2: the pair mean is 8
    errors = Ratio({"m": np.array([30.0, 2.0]), "b": np.array([3.0, 20.0])}, np.array([3.0, 1.0]))
    assert errors.point("m") == 8.0 and errors.point("b") == 5.75
    interval = paired(errors, "m", "b", seed=0, replicates=200)
    assert interval.low <= interval.difference <= interval.high


def test_a_rule_date_is_rolled_forward_past_today() -> None:
    # last bought on day 100 every 7 days: on day 120 the next due date is day 121, not day 107
    assert rolled_forward(np.array([100.0, 100.0]), np.array([7.0, 30.0]), 120.0).tolist() == [121.0, 130.0]
