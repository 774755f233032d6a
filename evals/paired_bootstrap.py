"""Household-bootstrap paired intervals for comparing a model with a baseline on the same units.

Households are resampled with replacement (the same draws for every method), so the interval of
a difference reflects how much it depends on which households happened to be in the data, and
correlated errors of two methods on the same household cancel. Every replicate is computed at
once on a (replicates x households) index matrix: no Python loop over replicates.

A metric is either a ratio of per-household sums (`Ratio`: a mean over households, or over pairs
grouped by household, or a Brier score) or a rank statistic over households (`Ranked`: ROC-AUC,
Spearman correlation).
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import rankdata

REPLICATES = 1000
LEVEL = 0.95


@dataclass(frozen=True)
class Ratio:
    """sum(value) / sum(weight) over households; `values` per method, `weight` shared."""

    values: dict[str, np.ndarray]
    weight: np.ndarray

    @property
    def units(self) -> int:
        return len(self.weight)

    def point(self, method: str) -> float:
        return float(self.values[method].sum() / self.weight.sum())

    def replicates(self, method: str, draws: np.ndarray) -> np.ndarray:
        return self.values[method][draws].sum(axis=1) / self.weight[draws].sum(axis=1)


@dataclass(frozen=True)
class Ranked:
    """ROC-AUC of a score for `truth` (0/1), or Spearman correlation with `truth`, one row per
    scored household."""

    kind: Literal["auc", "spearman"]
    values: dict[str, np.ndarray]
    truth: np.ndarray

    @property
    def units(self) -> int:
        return len(self.truth)

    def point(self, method: str) -> float:
        return float(self._statistic(self.values[method][None, :], self.truth[None, :])[0])

    def replicates(self, method: str, draws: np.ndarray) -> np.ndarray:
        return self._statistic(self.values[method][draws], self.truth[draws])

    def _statistic(self, score: np.ndarray, truth: np.ndarray) -> np.ndarray:
        if self.kind == "auc":
            ranks = rankdata(score, axis=1)
            positives = truth.sum(axis=1)
            negatives = truth.shape[1] - positives
            with np.errstate(invalid="ignore", divide="ignore"):
                return ((ranks * truth).sum(axis=1) - positives * (positives + 1) / 2) / (
                    positives * negatives
                )
        a, b = rankdata(score, axis=1), rankdata(truth, axis=1)
        a -= a.mean(axis=1, keepdims=True)
        b -= b.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))


Metric = Ratio | Ranked


@dataclass(frozen=True)
class Interval:
    difference: float  # model minus baseline
    low: float
    high: float

    def verdict(self, higher_is_better: bool) -> str:
        """ahead, level (the interval spans zero) or behind."""
        if self.low > 0:
            return "ahead" if higher_is_better else "behind"
        if self.high < 0:
            return "behind" if higher_is_better else "ahead"
        return "level"


def paired(metric: Metric, model: str, baseline: str, seed: int, replicates: int = REPLICATES) -> Interval:
    """The model's advantage over the baseline with its bootstrap interval; the same seed draws
    the same households for every pair of methods."""
    sample = np.random.default_rng(seed).integers(0, metric.units, size=(replicates, metric.units))
    difference = metric.replicates(model, sample) - metric.replicates(baseline, sample)
    difference = difference[np.isfinite(difference)]
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(difference, [tail, 100 - tail])
    return Interval(metric.point(model) - metric.point(baseline), float(low), float(high))
