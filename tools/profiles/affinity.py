"""Category affinity: categories ranked by the chance the member buys them in the next 30 days.

Candidates are every category the member has bought plus the categories most bought alongside
theirs that they have not tried. Each candidate is described by the member's own signal (how
often, how recently, how regularly: recency-weighted frequency at three memories) and the
population's (popularity, co-purchase with the member's categories, the category's usual rebuy
interval); gradient-boosted trees learn how to blend them from what members bought after
earlier cut-off dates. Nothing is weighted by hand.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from tools.profiles import groups
from tools.profiles.features import MemberFeatures
from tools.profiles.history import History
from tools.profiles.pairs import HALF_LIVES, Pairs
from tools.profiles.population import CategoryStats
from tools.profiles.trees import CompiledTrees, fittable

NEW_PER_MEMBER = 10  # untried categories considered per member, by co-purchase
CHUNK_MEMBERS = 4096
INPUTS = (
    "days_bought",
    "recency",
    *(f"weighted_{int(h)}d" for h in HALF_LIVES),
    "share_of_days",
    "median_interval",
    "overdue",
    "co_purchase",
    "popularity",
    "category_interval",
    "member_orders_90",
    "member_shopping_days",
    "member_recency",
    "member_categories_365",
    "spend_share",
)


@dataclass(frozen=True)
class Candidates:
    member: np.ndarray
    category: np.ndarray  # index into the history's categories
    inputs: np.ndarray  # rows x INPUTS


@dataclass(frozen=True)
class AffinityModel:
    trees: CompiledTrees
    horizon_days: int

    def predict(self, candidates: Candidates) -> np.ndarray:
        if not len(candidates.member):
            return np.array([], dtype=float)
        return self.trees.predict(candidates.inputs)


def fit_affinity(inputs: np.ndarray, bought: np.ndarray, horizon_days: int) -> AffinityModel:
    from sklearn.ensemble import HistGradientBoostingClassifier  # fitting only: serving needs no scikit-learn

    trees = HistGradientBoostingClassifier(
        max_iter=150,
        learning_rate=0.1,
        max_leaf_nodes=31,
        min_samples_leaf=50,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    ).fit(fittable(inputs), bought)
    return AffinityModel(trees=CompiledTrees.of(trees), horizon_days=horizon_days)


def candidates(
    history: History,
    features: MemberFeatures,
    pairs: Pairs,
    stats: CategoryStats,
    members: np.ndarray | None = None,
) -> Candidates:
    """Candidates for every member (or the members flagged in `members`)."""
    n, k_stats = len(history.members), len(stats.names)
    chosen = np.ones(n, dtype=bool) if members is None else members
    to_stats = stats.index_for(history.categories)
    from_stats = np.full(k_stats, -1, dtype=np.int64)
    from_stats[to_stats[to_stats >= 0]] = np.nonzero(to_stats >= 0)[0]
    keep = chosen[pairs.member]
    bought_member, bought_category = pairs.member[keep], pairs.category[keep]
    bought_stat = to_stats[bought_category]
    known = bought_stat >= 0
    weight = pairs.weighted[keep, 1]
    weight = weight / np.maximum(groups.total(bought_member, weight, n), 1e-12)[bought_member]
    mix = sparse.csr_matrix((weight[known], (bought_member[known], bought_stat[known])), shape=(n, k_stats))

    bought_score = np.zeros(len(bought_member))
    new_member: list[np.ndarray] = []
    new_stat: list[np.ndarray] = []
    new_score: list[np.ndarray] = []
    new_count = min(NEW_PER_MEMBER, k_stats)
    for start in range(0, n, CHUNK_MEMBERS):
        stop = min(start + CHUNK_MEMBERS, n)
        scores = np.asarray(mix[start:stop] @ stats.co_purchase) if k_stats else np.zeros((stop - start, 0))
        in_chunk = (bought_member >= start) & (bought_member < stop) & known
        bought_score[in_chunk] = scores[bought_member[in_chunk] - start, bought_stat[in_chunk]]
        if not new_count:
            continue
        untried = scores + 1e-9 * stats.popularity  # ties go to the popular category
        untried[bought_member[in_chunk] - start, bought_stat[in_chunk]] = -np.inf
        untried[:, from_stats < 0] = -np.inf
        untried[~chosen[start:stop]] = -np.inf
        top = np.argpartition(-untried, new_count - 1, axis=1)[:, :new_count]
        rows = np.repeat(np.arange(stop - start), new_count)
        values = untried[rows, top.ravel()]
        valid = np.isfinite(values)
        new_member.append(rows[valid] + start)
        new_stat.append(top.ravel()[valid])
        new_score.append(scores[rows[valid], top.ravel()[valid]])
    fresh_member = np.concatenate(new_member) if new_member else np.array([], dtype=np.int64)
    fresh_stat = np.concatenate(new_stat) if new_stat else np.array([], dtype=np.int64)
    fresh_score = np.concatenate(new_score) if new_score else np.array([], dtype=float)

    def stat_value(values: np.ndarray, stat: np.ndarray) -> np.ndarray:
        return (
            np.where(stat >= 0, values[np.maximum(stat, 0)], np.nan)
            if len(values)
            else np.full(len(stat), np.nan)
        )

    member_cols = ("orders_90", "shopping_days", "recency_days", "distinct_categories_365")
    spend_total = features.fields["spend_total"]
    bought_rows = np.column_stack(
        [
            pairs.days_bought[keep],
            pairs.recency[keep],
            pairs.weighted[keep],
            pairs.share_of_days[keep],
            pairs.median_interval[keep],
            groups.ratio(pairs.recency[keep], pairs.median_interval[keep]),
            bought_score,
            stat_value(stats.popularity, bought_stat),
            stat_value(stats.median_interval, bought_stat),
            *(features.fields[c][bought_member] for c in member_cols),
            groups.ratio(pairs.spend[keep], spend_total[bought_member]),
        ]
    )
    m = len(fresh_member)
    fresh_rows = np.column_stack(
        [
            np.zeros(m),
            np.full(m, np.nan),
            np.zeros((m, len(HALF_LIVES))),
            np.zeros(m),
            np.full(m, np.nan),
            np.full(m, np.nan),
            fresh_score,
            stat_value(stats.popularity, fresh_stat),
            stat_value(stats.median_interval, fresh_stat),
            *(features.fields[c][fresh_member] for c in member_cols),
            np.zeros(m),
        ]
    )
    return Candidates(
        member=np.concatenate([bought_member, fresh_member]).astype(np.int64),
        category=np.concatenate([bought_category, from_stats[fresh_stat]]).astype(np.int64),
        inputs=np.vstack([bought_rows, fresh_rows]) if m else bought_rows,
    )
