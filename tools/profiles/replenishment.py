"""Replenishment: for every category a member has bought on at least three separate days, the
typical interval, the expected next purchase date, and whether the pair has a rhythm.

Pairs bought before a cut-off either were bought again within the window after it (an event, with
its waiting time) or were not (censored at the window: the member may come back later, or never).
Both parts are learned from earlier cut-offs, as in a cure-rate survival model:
- the chance of another purchase within the window, trained on every pair, censored ones included;
- the days until it, given one, trained on the pairs that were bought again (absolute-error loss,
  because the date is judged in days off).
The expected date is the second part's; a pair is `regular` when its intervals are steady and it
is not abandoned (`Regularity`) and the first part says another purchase within the window is at
least as likely as not. An irregular pair is listed too, with its best-guess date: "no rhythm" is
said, not hidden.
"""

from dataclasses import dataclass

import numpy as np

from tools.profiles import groups
from tools.profiles.features import MemberFeatures
from tools.profiles.pairs import HALF_LIVES, Pairs
from tools.profiles.population import CategoryStats
from tools.profiles.trees import CompiledTrees, fittable

INPUTS = (
    "median_interval",
    "mean_interval",
    "last_interval",
    "interval_cv",
    "recency",
    "overdue",
    "days_bought",
    *(f"weighted_{int(h)}d" for h in HALF_LIVES),
    "category_interval",
    "member_median_interval",
    "member_recency",
    "member_orders_90",
)


@dataclass(frozen=True)
class Regularity:
    min_days: int = 3
    max_cv: float = 1.0  # interval standard deviation / mean
    max_overdue: float = 4.0  # last purchase at most this many typical intervals ago
    min_likelihood: float = 0.5  # of another purchase within the window

    def regular(self, pairs: Pairs) -> np.ndarray:
        return (
            (pairs.days_bought >= self.min_days)
            & (pairs.interval_cv <= self.max_cv)
            & (pairs.recency <= self.max_overdue * pairs.median_interval)
        )


@dataclass(frozen=True)
class ReplenishmentModel:
    trees: CompiledTrees  # days until the next purchase, given one within the window
    rebuy: CompiledTrees | None  # P(bought again within the window); None when training saw one outcome
    rebuy_rate: float  # the share bought again in training
    window_days: int
    rule: Regularity

    def listed(self, pairs: Pairs) -> np.ndarray:
        """Pairs with a replenishment entry: bought on enough separate days to have intervals."""
        return pairs.days_bought >= self.rule.min_days

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Days from the as-of date until the next purchase."""
        if not len(inputs):
            return np.array([], dtype=float)
        return np.clip(self.trees.predict(inputs), 0.25, float(self.window_days))

    def likely(self, inputs: np.ndarray) -> np.ndarray:
        """P(bought again within the window)."""
        if self.rebuy is None or not len(inputs):
            return np.full(len(inputs), self.rebuy_rate)
        return self.rebuy.predict(inputs)


def fit_replenishment(
    inputs: np.ndarray, days_to_next: np.ndarray, window_days: int, rule: Regularity
) -> ReplenishmentModel:
    """`days_to_next` is NaN for pairs not bought again within the window (censored)."""
    from sklearn.ensemble import (  # fitting only: serving needs no scikit-learn
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    again = ~np.isnan(days_to_next)
    rebuy = None
    if 0 < again.sum() < len(again):
        rebuy = CompiledTrees.of(
            HistGradientBoostingClassifier(
                max_iter=150,
                learning_rate=0.1,
                max_leaf_nodes=31,
                min_samples_leaf=50,
                early_stopping=False,
                random_state=0,
            ).fit(fittable(inputs), again.astype(int))
        )
    trees = HistGradientBoostingRegressor(
        loss="absolute_error",
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=31,
        min_samples_leaf=50,
        early_stopping=False,
        random_state=0,
    ).fit(fittable(inputs[again]), days_to_next[again])
    return ReplenishmentModel(
        trees=CompiledTrees.of(trees),
        rebuy=rebuy,
        rebuy_rate=float(again.mean()),
        window_days=window_days,
        rule=rule,
    )


def regular_inputs(
    pairs: Pairs, features: MemberFeatures, stats: CategoryStats, categories: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Model inputs for the pairs at `rows` (indexes into `pairs`)."""
    member = pairs.member[rows]
    stat = stats.index_for(categories)[pairs.category[rows]]
    category_interval = np.full(len(rows), np.nan)
    if len(stats.names):
        category_interval = np.where(stat >= 0, stats.median_interval[np.maximum(stat, 0)], np.nan)
    return np.column_stack(
        [
            pairs.median_interval[rows],
            pairs.mean_interval[rows],
            pairs.last_interval[rows],
            pairs.interval_cv[rows],
            pairs.recency[rows],
            groups.ratio(pairs.recency[rows], pairs.median_interval[rows]),
            pairs.days_bought[rows],
            pairs.weighted[rows],
            category_interval,
            features.fields["median_interval"][member],
            features.fields["recency_days"][member],
            features.fields["orders_90"][member],
        ]
    )
