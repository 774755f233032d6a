"""Turning a classifier's scores into probabilities that match observed frequencies.

Fitted on out-of-fold scores (each row scored by trees that never saw its member), so the map
corrects the trees' real errors rather than their training fit. Isotonic regression when there
is plenty of data (it assumes only that higher scores mean higher risk); Platt scaling (a
logistic curve, two parameters) when there is not, where isotonic steps would be noise.
Probabilities stay strictly inside (0, 1): no member is certain to stay or to go.

The fitted maps are kept as their numbers (knots; slope and intercept), so applying one needs no
scikit-learn: loading fitted models stays light (see `tools.profiles.trees`).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

if TYPE_CHECKING:
    from sklearn.isotonic import IsotonicRegression

ISOTONIC_MIN_ROWS = 5_000
FLOOR = 1e-3


@dataclass(frozen=True)
class IsotonicMap:
    """A fitted `IsotonicRegression(out_of_bounds="clip")`: its knots and fitted range."""

    x: np.ndarray
    y: np.ndarray
    x_min: float
    x_max: float

    @classmethod
    def of(cls, fitted: "IsotonicRegression") -> "IsotonicMap":
        return cls(fitted.X_thresholds_, fitted.y_thresholds_, fitted.X_min_, fitted.X_max_)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        """`fitted.predict(scores)` (clipped to the fitted range, linear between knots) with
        scipy's arithmetic, so bit-identical, without the input checks that cost a third of a
        millisecond on the real-time path's single row."""
        x, y = self.x, self.y
        t = np.clip(np.asarray(scores, dtype=x.dtype).reshape(-1), self.x_min, self.x_max)
        if len(y) == 1:
            return y.repeat(t.shape)
        hi = np.clip(np.searchsorted(x, t), 1, len(x) - 1)
        lo = hi - 1
        slope = (y[hi] - y[lo]) / (x[hi] - x[lo])
        return (slope * (t - x[lo]) + y[lo]).astype(t.dtype)


@dataclass(frozen=True)
class PlattMap:
    """A fitted one-feature `LogisticRegression` on the scores' logits: `expit(a * logit + b)`,
    what its `predict_proba` computes."""

    slope: float
    intercept: float

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return expit(_logit(scores) * self.slope + self.intercept)


@dataclass(frozen=True)
class ScoreCalibration:
    mapping: IsotonicMap | PlattMap

    def apply(self, scores: np.ndarray) -> np.ndarray:
        return np.clip(self.mapping(scores), FLOOR, 1.0 - FLOOR)


def fit_calibration(scores: np.ndarray, labels: np.ndarray) -> ScoreCalibration:
    from sklearn.isotonic import IsotonicRegression  # fitting only: serving needs no scikit-learn
    from sklearn.linear_model import LogisticRegression

    if len(scores) >= ISOTONIC_MIN_ROWS:
        isotonic = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, labels)
        return ScoreCalibration(IsotonicMap.of(isotonic))
    platt = LogisticRegression(C=1e6).fit(_logit(scores)[:, None], labels)
    return ScoreCalibration(PlattMap(float(platt.coef_[0, 0]), float(platt.intercept_[0])))


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))
