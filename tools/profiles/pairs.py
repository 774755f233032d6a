"""Member x category purchase history: how often, how recently and how regularly each member buys
each category they have bought. The basis of category affinity and replenishment."""

from dataclasses import dataclass

import numpy as np

from tools.profiles import groups
from tools.profiles.history import History

HALF_LIVES = (14.0, 60.0, 180.0)  # days: recency-weighted frequency at three memories


@dataclass(frozen=True)
class Pairs:
    """One row per (member, category) bought before as_of, sorted by member then category."""

    member: np.ndarray
    category: np.ndarray
    days_bought: np.ndarray  # distinct shopping days with the category
    recency: np.ndarray  # days since the last of them
    median_interval: np.ndarray  # NaN with fewer than two days
    mean_interval: np.ndarray
    last_interval: np.ndarray
    interval_cv: np.ndarray
    weighted: np.ndarray  # pairs x HALF_LIVES: sum of exp(-age / half-life) over days bought
    spend: np.ndarray
    share_of_days: np.ndarray  # days with the category / the member's shopping days

    def __len__(self) -> int:
        return len(self.member)


def pair_history(history: History) -> Pairs:
    lines, orders, now = history.lines, history.orders, history.as_of
    k = max(len(history.categories), 1)
    member = orders.member[lines.order].astype(np.int64)
    key = member * k + lines.category
    day = np.floor(orders.at[lines.order])
    net = lines.gross - lines.discount
    pairs, pair_of_line = np.unique(key, return_inverse=True)
    p = len(pairs)
    spend = np.bincount(pair_of_line, weights=net, minlength=p)
    # distinct (pair, day) visits, sorted by pair then day
    order = np.lexsort((day, pair_of_line))
    ordered_pair, ordered_day = pair_of_line[order], day[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (ordered_pair[1:] != ordered_pair[:-1]) | (ordered_day[1:] != ordered_day[:-1])
    visit_pair, visit_day = ordered_pair[first], ordered_day[first]
    days_bought = groups.count(visit_pair, p)
    last = groups.maximum(visit_pair, visit_day, p)
    gap_pair, gap, is_last = groups.gaps(visit_pair, visit_day)
    mean = groups.ratio(groups.total(gap_pair, gap, p), groups.count(gap_pair, p))
    age = now - visit_day
    weighted = np.zeros((p, len(HALF_LIVES)))
    for column, half_life in enumerate(HALF_LIVES):
        weighted[:, column] = groups.total(visit_pair, np.exp(-age / half_life), p)
    pair_member = pairs // k
    member_days = _shopping_days(orders.member, orders.at, len(history.members))
    return Pairs(
        member=pair_member,
        category=pairs % k,
        days_bought=days_bought,
        recency=now - last,
        median_interval=groups.median(gap_pair, gap, p),
        mean_interval=mean,
        last_interval=groups.last_value(gap_pair, gap, is_last, p),
        interval_cv=groups.ratio(groups.std(gap_pair, gap, p), mean),
        weighted=weighted,
        spend=spend,
        share_of_days=groups.ratio(days_bought, member_days[pair_member]),
    )


def _shopping_days(member: np.ndarray, at: np.ndarray, n: int) -> np.ndarray:
    day = np.floor(at)
    first_of_day = np.ones(len(day), dtype=bool)
    first_of_day[1:] = (member[1:] != member[:-1]) | (day[1:] != day[:-1])
    return groups.count(member[first_of_day], n)


def bought_in(history: History, start: float, end: float) -> np.ndarray:
    """Keys member * categories + category of every pair bought in [start, end), unique."""
    k = max(len(history.categories), 1)
    orders = history.orders
    in_window = (orders.at >= start) & (orders.at < end)
    lines = history.lines
    chosen = in_window[lines.order]
    return np.unique(orders.member[lines.order[chosen]].astype(np.int64) * k + lines.category[chosen])


def first_purchase_after(history: History, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """(pair keys, days from `start` to the first purchase in [start, end)) per pair bought then."""
    k = max(len(history.categories), 1)
    orders, lines = history.orders, history.lines
    in_window = (orders.at >= start) & (orders.at < end)
    chosen = in_window[lines.order]
    key = orders.member[lines.order[chosen]].astype(np.int64) * k + lines.category[chosen]
    at = orders.at[lines.order[chosen]]
    keys, position = np.unique(key, return_inverse=True)
    first = np.full(len(keys), np.inf)
    np.minimum.at(first, position, at)
    return keys, first - start
