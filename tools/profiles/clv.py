"""Expected spend in the next 365 days.

Trees with a Poisson loss (spend is non-negative, often zero) learn spend over the label window
from member features. With a year of history before the as-of date the window is 365 days; with
less, it is the longest window the history allows and the prediction is scaled to a year, which
assumes the member's pace holds over the rest of the year. The window used is stored with the
model and shown with its metrics.

Compare a prediction with the member's pace, not with `spend_365`: with less than a year of
history, `spend_365` holds only the months there are (in the simulator's six-month world a member
at $600 a year shows about $300), and light spenders are forecast near their own pace
(checked against the replayed future in the simulator; tests/tools/profiles/test_clv.py).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from tools.profiles.trees import CompiledTrees, fittable

YEAR_DAYS = 365


@dataclass(frozen=True)
class ClvModel:
    trees: CompiledTrees
    window_days: int

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        return np.maximum(self.trees.predict(inputs), 0.0) * (YEAR_DAYS / self.window_days)


def fit_clv(inputs: np.ndarray, spend: np.ndarray, window_days: int) -> ClvModel:
    trees = HistGradientBoostingRegressor(
        loss="poisson", max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
        early_stopping=False, random_state=0,
    ).fit(fittable(inputs), np.maximum(spend, 0.0))
    return ClvModel(trees=CompiledTrees.of(trees), window_days=window_days)
