"""What the whole member base says about each category at an instant: how popular it is, what is
bought with what, and how often it is typically rebought.

Computed when models are fitted and stored with them, so one member's profile uses exactly the
numbers the batch used (and nothing later than the models' as-of date).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from tools.profiles import groups
from tools.profiles.history import History
from tools.profiles.pairs import Pairs

RECENT_DAYS = 30  # "bought lately", for popularity
ACTIVE_DAYS = 90  # members who shopped in this window form the popularity denominator
CO_PURCHASE_DAYS = 365


@dataclass(frozen=True)
class CategoryStats:
    names: np.ndarray  # object: category names, the models' own category index
    popularity: np.ndarray  # share of recently active members who bought it in the last 30 days
    co_purchase: np.ndarray  # [a, b]: P(member bought b | bought a), last year, zero diagonal
    median_interval: np.ndarray  # typical days between purchases, across members who rebuy it

    def index_for(self, names: np.ndarray) -> np.ndarray:
        """Position of each name in these stats, -1 for a category unknown when they were made."""
        lookup = {name: i for i, name in enumerate(self.names.tolist())}
        return np.array([lookup.get(name, -1) for name in names.tolist()], dtype=np.int64)


def category_stats(history: History, pairs: Pairs) -> CategoryStats:
    k = len(history.categories)
    n = len(history.members)
    orders = history.orders
    active = np.zeros(n, dtype=bool)
    active[orders.member[history.as_of - orders.at < ACTIVE_DAYS]] = True
    lately = pairs.recency < RECENT_DAYS
    buyers = np.bincount(pairs.category[lately & active[pairs.member]], minlength=k)
    popularity = buyers / max(int(active.sum()), 1)

    year = pairs.recency < CO_PURCHASE_DAYS
    incidence = sparse.csr_matrix(
        (np.ones(int(year.sum())), (pairs.member[year], pairs.category[year])), shape=(n, k)
    )
    together = (incidence.T @ incidence).toarray()
    bought = np.diag(together).copy()
    co_purchase = together / np.maximum(bought, 1.0)[:, None]
    np.fill_diagonal(co_purchase, 0.0)

    rebought = ~np.isnan(pairs.median_interval)
    median_interval = groups.median(pairs.category[rebought], pairs.median_interval[rebought], k)
    return CategoryStats(
        names=history.categories.copy(),
        popularity=popularity,
        co_purchase=co_purchase,
        median_interval=median_interval,
    )
