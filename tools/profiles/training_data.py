"""Training snapshots: the history cut at earlier instants, with features computed exactly as at
prediction time. Labels come from what happened after each cut and before the as-of date, so a
model fitted as of a date has seen nothing after it."""

from dataclasses import dataclass, field

import numpy as np

from tools.profiles.features import MemberFeatures, member_features
from tools.profiles.history import History
from tools.profiles.pairs import Pairs, pair_history
from tools.profiles.population import CategoryStats, category_stats

GOLDEN = 0.6180339887498949


@dataclass(frozen=True)
class Snapshot:
    cutoff: float  # days
    history: History  # as it stood at the cutoff
    features: MemberFeatures
    pairs: Pairs
    stats: CategoryStats  # the population as it stood at the cutoff
    member_key: np.ndarray  # customer ids: the same member gets the same key in every snapshot
    exists: np.ndarray  # bool: had joined by the cutoff


@dataclass
class Snapshots:
    """Snapshots of one history, computed once per cutoff and shared by every model."""

    history: History
    _cache: dict[float, Snapshot] = field(default_factory=dict)

    def at(self, cutoff: float) -> Snapshot:
        if cutoff not in self._cache:
            past = self.history.before(cutoff)
            pairs = pair_history(past)
            self._cache[cutoff] = Snapshot(
                cutoff=cutoff,
                history=past,
                features=member_features(past),
                pairs=pairs,
                stats=category_stats(past, pairs),
                member_key=past.members.customer_id,
                exists=~np.isnan(past.members.joined),
            )
        return self._cache[cutoff]


def member_folds(member_key: np.ndarray, folds: int) -> np.ndarray:
    """Fold number of each row, by member: a member's snapshots always share a fold."""
    return np.floor(((member_key.astype(float) * GOLDEN) % 1.0) * folds).astype(np.int64)


def holdout_split(member_key: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows to fit, rows held out): a fixed pseudo-random share of members, always the same
    members for the same keys, so a member's snapshots never straddle the split."""
    held = (member_key.astype(float) * GOLDEN) % 1.0 < share
    return ~held, held
