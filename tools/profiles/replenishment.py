"""Replenishment: for each category a member buys regularly, the typical interval and the expected
next purchase date.

"Regularly" is a rule (`Regularity`): bought on at least three separate days, at intervals that
are not wildly erratic, and not abandoned (the last purchase is within a few intervals). The
expected date is learned: trees predict days until the next purchase from the pair's rhythm (median,
mean and last interval, spread, time since last) and the member's and category's, trained on what
regular buyers did after earlier cut-off dates, with absolute-error loss because the date is
judged in days off.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from tools.profiles import groups
from tools.profiles.features import MemberFeatures
from tools.profiles.pairs import HALF_LIVES, Pairs
from tools.profiles.population import CategoryStats
from tools.profiles.trees import CompiledTrees, fittable

INPUTS = (
    "median_interval", "mean_interval", "last_interval", "interval_cv", "recency", "overdue", "days_bought",
    *(f"weighted_{int(h)}d" for h in HALF_LIVES), "category_interval", "member_median_interval",
    "member_recency", "member_orders_90",
)


@dataclass(frozen=True)
class Regularity:
    min_days: int = 3
    max_cv: float = 1.0  # interval standard deviation / mean
    max_overdue: float = 4.0  # last purchase at most this many typical intervals ago

    def regular(self, pairs: Pairs) -> np.ndarray:
        return (
            (pairs.days_bought >= self.min_days)
            & (pairs.interval_cv <= self.max_cv)
            & (pairs.recency <= self.max_overdue * pairs.median_interval)
        )


@dataclass(frozen=True)
class ReplenishmentModel:
    trees: CompiledTrees
    window_days: int
    rule: Regularity

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Days from the as-of date until the next purchase."""
        if not len(inputs):
            return np.array([], dtype=float)
        return np.clip(self.trees.predict(inputs), 0.25, float(self.window_days))


def fit_replenishment(inputs: np.ndarray, days_to_next: np.ndarray, window_days: int,
                      rule: Regularity) -> ReplenishmentModel:
    trees = HistGradientBoostingRegressor(
        loss="absolute_error", max_iter=200, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=50,
        early_stopping=False, random_state=0,
    ).fit(fittable(inputs), days_to_next)
    return ReplenishmentModel(trees=CompiledTrees.of(trees), window_days=window_days, rule=rule)


def regular_inputs(pairs: Pairs, features: MemberFeatures, stats: CategoryStats, categories: np.ndarray,
                   rows: np.ndarray) -> np.ndarray:
    """Model inputs for the pairs at `rows` (indexes into `pairs`)."""
    member = pairs.member[rows]
    stat = stats.index_for(categories)[pairs.category[rows]]
    category_interval = np.full(len(rows), np.nan)
    if len(stats.names):
        category_interval = np.where(stat >= 0, stats.median_interval[np.maximum(stat, 0)], np.nan)
    return np.column_stack([
        pairs.median_interval[rows], pairs.mean_interval[rows], pairs.last_interval[rows],
        pairs.interval_cv[rows], pairs.recency[rows],
        groups.ratio(pairs.recency[rows], pairs.median_interval[rows]), pairs.days_bought[rows],
        pairs.weighted[rows], category_interval,
        features.fields["median_interval"][member], features.fields["recency_days"][member],
        features.fields["orders_90"][member],
    ])
