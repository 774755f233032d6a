"""Applying fitted models to members' features at the as-of date."""

from dataclasses import dataclass

import numpy as np

from tools.profiles.affinity import candidates
from tools.profiles.artefact import FittedModels
from tools.profiles.clv import clv_inputs
from tools.profiles.features import MODEL_INPUTS, MemberFeatures
from tools.profiles.history import History
from tools.profiles.pairs import Pairs
from tools.profiles.replenishment import regular_inputs

TOP_CATEGORIES = 20


@dataclass(frozen=True)
class RankedCategories:
    """Per member, best first: rows offsets[i]:offsets[i + 1] belong to member i."""

    offsets: np.ndarray
    category: np.ndarray  # index into the history's categories
    score: np.ndarray

    def member_and_rank(self) -> tuple[np.ndarray, np.ndarray]:
        """For every row: its member, and its rank within the member (0 = best)."""
        counts = np.diff(self.offsets)
        member = np.repeat(np.arange(len(counts)), counts)
        return member, np.arange(len(self.category)) - np.repeat(self.offsets[:-1], counts)


@dataclass(frozen=True)
class Replenishments:
    offsets: np.ndarray
    category: np.ndarray
    interval_days: np.ndarray  # the member's median interval for the category
    next_day: np.ndarray  # expected next purchase, days since the epoch
    last_day: np.ndarray  # last purchase, days since the epoch
    regular: np.ndarray  # bool: a steady rhythm, and likely to be bought again within the window


@dataclass(frozen=True)
class PredictionArrays:
    churn_risk: np.ndarray
    next_purchase_day: np.ndarray  # days since the epoch
    clv_365: np.ndarray
    affinity: RankedCategories
    replenishment: Replenishments
    # Per member, the category they have bought on the most of their shopping days (-1: none):
    # their lasting taste, where affinity ranks what they are likely to buy in the next weeks.
    favourite: np.ndarray

    def anchor(self, rows: np.ndarray) -> np.ndarray:
        """What a message to each member is about when no trigger names a category: their
        favourite, else their top affinity, else -1."""
        ranked = self.affinity
        first = ranked.offsets[rows]
        has_top = ranked.offsets[rows + 1] > first
        top = np.full(len(rows), -1, dtype=np.int64)
        top[has_top] = ranked.category[first[has_top]]  # a base with no affinity at all has none
        return np.where(self.favourite[rows] >= 0, self.favourite[rows], top)


def predict(
    models: FittedModels, history: History, features: MemberFeatures, pairs: Pairs
) -> PredictionArrays:
    n = len(history.members)
    inputs = features.matrix(MODEL_INPUTS)
    empty = n == 0
    churn = models.churn.predict(inputs) if not empty else np.array([], dtype=float)
    next_days = models.next_purchase.predict(inputs) if not empty else np.array([], dtype=float)
    clv = models.clv.predict(clv_inputs(features)) if not empty else np.array([], dtype=float)

    found = candidates(history, features, pairs, models.stats)
    score = models.affinity.predict(found)
    names = history.categories.astype(str)
    alphabetical = np.argsort(np.argsort(names, kind="stable"), kind="stable")  # ties go by name
    offsets, chosen = top_per_member(found.member, score, alphabetical[found.category], n, TOP_CATEGORIES)
    affinity = RankedCategories(offsets=offsets, category=found.category[chosen], score=score[chosen])

    model = models.replenishment
    listed = np.nonzero(model.listed(pairs))[0]
    inputs = regular_inputs(pairs, features, models.stats, history.categories, listed)
    due, likely = model.predict(inputs), model.likely(inputs)
    order = np.lexsort((alphabetical[pairs.category[listed]], due, pairs.member[listed]))
    listed, due, likely = listed[order], due[order], likely[order]
    replenishment = Replenishments(
        offsets=_offsets(pairs.member[listed], n),
        category=pairs.category[listed],
        interval_days=pairs.median_interval[listed],
        next_day=history.as_of + due,
        last_day=history.as_of - pairs.recency[listed],
        regular=model.rule.regular(pairs)[listed] & (likely >= model.rule.min_likelihood),
    )
    return PredictionArrays(
        churn_risk=churn,
        next_purchase_day=history.as_of + next_days,
        clv_365=clv,
        affinity=affinity,
        replenishment=replenishment,
        favourite=favourite_categories(pairs, alphabetical, n),
    )


def favourite_categories(pairs: Pairs, alphabetical: np.ndarray, n: int) -> np.ndarray:
    """Per member, the category with the largest share of their shopping days; between equal
    shares the one bought more recently (half-year memory), then by name; -1 without a purchase."""
    if not len(pairs):
        return np.full(n, -1, dtype=np.int64)
    recent = pairs.weighted[:, -1] / (pairs.weighted[:, -1].max() + 1.0)  # below 1: only breaks ties
    offsets, chosen = top_per_member(
        pairs.member, pairs.days_bought + recent, alphabetical[pairs.category], n, 1
    )
    favourite = np.full(n, -1, dtype=np.int64)
    has = offsets[1:] > offsets[:-1]
    favourite[has] = pairs.category[chosen]
    return favourite


def top_per_member(
    member: np.ndarray, score: np.ndarray, tiebreak: np.ndarray, n: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, row indexes) of each member's k best rows, best first (ties by `tiebreak`)."""
    order = np.lexsort((tiebreak, -score, member))
    ranked_member = member[order]
    rank = np.arange(len(order)) - np.searchsorted(ranked_member, ranked_member)
    chosen = order[rank < k]
    return _offsets(member[chosen], n), chosen


def _offsets(member: np.ndarray, n: int) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(np.bincount(member, minlength=n)))).astype(np.int64)
