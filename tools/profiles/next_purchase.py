"""Days until a member's next order, learned from how long members with similar histories
actually waited. Fitted on members who did order within the label window (the churn model says
how likely that is), with absolute-error loss because the date is judged in days off."""

from dataclasses import dataclass

import numpy as np

from tools.profiles.trees import CompiledTrees, fittable


@dataclass(frozen=True)
class NextPurchaseModel:
    trees: CompiledTrees
    window_days: int

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Days from the as-of date, at least a few hours and at most the window."""
        return np.clip(self.trees.predict(inputs), 0.25, float(self.window_days))


def fit_next_purchase(inputs: np.ndarray, days_to_next: np.ndarray, window_days: int) -> NextPurchaseModel:
    from sklearn.ensemble import HistGradientBoostingRegressor  # fitting only: serving needs no scikit-learn

    trees = HistGradientBoostingRegressor(
        loss="absolute_error",
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        early_stopping=False,
        random_state=0,
    ).fit(fittable(inputs), days_to_next)
    return NextPurchaseModel(trees=CompiledTrees.of(trees), window_days=window_days)
