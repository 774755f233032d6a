"""Expected spend in the next 365 days.

Trees with a Poisson loss (spend is non-negative, often zero) learn spend over a label window from
member features at several recent cut-offs. The window is a year when the history allows it and
still leaves room for several snapshots; with less, it is the longest whole number of strides that
does, and the prediction is scaled to a year, which assumes the member's pace holds over the rest
of the year. The window used is stored with the model and shown with its metrics.

Inputs are rates and fixed windows, not running totals: a member's total spend or tenure at a
cut-off months ago is a fraction of what it is at the as-of date, and trees cannot extrapolate, so
cumulative inputs made every forecast fall off the end of what the trees saw (over-predicting
spend by a fifth on real grocery data).

Compare a prediction with the member's pace, not with `spend_365`: with less than a year of
history, `spend_365` holds only the months there are (in the simulator's six-month world a member
at $600 a year shows about $300), and light spenders are forecast near their own pace
(checked against the replayed future in the simulator; tests/tools/profiles/test_clv.py).
"""

from dataclasses import dataclass

import numpy as np

from tools.profiles.features import MemberFeatures
from tools.profiles.trees import CompiledTrees, fittable

YEAR_DAYS = 365
WINDOWED = (
    "age",
    "orders_30",
    "orders_90",
    "recency_days",
    "spend_30",
    "spend_90",
    "spend_trend",
    "aov_365",
    "median_interval",
    "mean_interval",
    "last_interval",
    "interval_cv",
    "overdue_ratio",
    "items_per_order",
    "discount_share",
    "distinct_categories_365",
    "top2_category_share",
    "contacts_90",
    "engagements_90",
    "days_since_engagement",
    "offer_response_rate",
    "events_30",
    "digital_events_90",
    "cart_adds_30",
    "season_peak_ratio",
)


def clv_inputs(features: MemberFeatures) -> np.ndarray:
    """Windowed features plus spend and orders per day over the part of the last year the member
    has been buying."""
    fields = features.fields
    observed = np.clip(fields["first_order_days"], 1.0, float(YEAR_DAYS))
    return np.column_stack(
        [features.matrix(WINDOWED), fields["spend_365"] / observed, fields["orders_365"] / observed]
    )


@dataclass(frozen=True)
class ClvModel:
    trees: CompiledTrees
    window_days: int

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        return np.maximum(self.trees.predict(inputs), 0.0) * (YEAR_DAYS / self.window_days)


def fit_clv(inputs: np.ndarray, spend: np.ndarray, window_days: int) -> ClvModel:
    from sklearn.ensemble import HistGradientBoostingRegressor  # fitting only: serving needs no scikit-learn

    trees = HistGradientBoostingRegressor(
        loss="poisson",
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        early_stopping=False,
        random_state=0,
    ).fit(fittable(inputs), np.maximum(spend, 0.0))
    return ClvModel(trees=CompiledTrees.of(trees), window_days=window_days)
