"""Churn risk: the calibrated probability that a member places no order in the next 60 days.

Gradient-boosted trees on the member features from every training snapshot, calibrated on
out-of-fold scores (three folds by member) of the latest snapshot only, with every member in it
(those held out of the trees' fit too: their scores come from trees that never saw them): churn
rates drift with the season, and the calibration should reflect the most recent window, so that a
risk of 0.3 means about three in ten such members do not come back.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tools.profiles.calibration import ScoreCalibration, fit_calibration
from tools.profiles.training_data import member_folds
from tools.profiles.trees import CompiledTrees, fittable

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier

FOLDS = 3


@dataclass(frozen=True)
class ChurnModel:
    trees: CompiledTrees
    calibration: ScoreCalibration
    horizon_days: int

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        return self.calibration.apply(self.trees.predict(inputs))


def fit_churn(
    inputs: np.ndarray,
    churned: np.ndarray,
    member_key: np.ndarray,
    latest: np.ndarray,
    horizon_days: int,
    fit: np.ndarray | None = None,
) -> ChurnModel:
    """`latest` flags the rows of the snapshot nearest the as-of date; the trees learn from the
    rows `fit` flags (all by default), the calibration from every latest row."""
    fit = np.ones(len(churned), dtype=bool) if fit is None else fit
    fold = member_folds(member_key, FOLDS)
    out_of_fold = np.empty(len(churned))
    for k in range(FOLDS):
        inside = fold == k
        learn = fit & ~inside
        if not inside.any():
            continue
        if np.unique(churned[learn]).size < 2:
            out_of_fold[inside] = churned[learn].mean() if learn.any() else churned.mean()
            continue
        out_of_fold[inside] = (
            _trees().fit(fittable(inputs[learn]), churned[learn]).predict_proba(inputs[inside])[:, 1]
        )
    return ChurnModel(
        trees=CompiledTrees.of(_trees().fit(fittable(inputs[fit]), churned[fit])),
        calibration=fit_calibration(out_of_fold[latest], churned[latest]),
        horizon_days=horizon_days,
    )


def _trees() -> "HistGradientBoostingClassifier":
    from sklearn.ensemble import HistGradientBoostingClassifier  # fitting only: serving needs no scikit-learn

    return HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )
