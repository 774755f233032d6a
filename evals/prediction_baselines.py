"""Honest baselines for the profile predictions, computed from the same history before the as-of
date as the product sees.

- Rules a retailer would write: days since the last purchase; the household's own rhythm (last
  purchase + median interval, rolled forward by whole intervals until it is not in the past);
  own purchase frequency for categories; last period's spend again.
- BG/NBD (Fader, Hardie & Lee 2005; the `lifetimes` package): the standard buy-till-you-die
  model, fitted on every household's shopping days before the as-of date.
- Gradient-boosted trees on the same inputs the product's models get, fitted once on the single
  window just before the as-of date, with no calibration and no extra snapshots: "what a data
  scientist gets from scikit-learn in an afternoon".
"""

import warnings

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression

from tools.profiles import (
    MODEL_INPUTS,
    History,
    MemberFeatures,
    Pairs,
    Snapshot,
    category_stats,
    first_purchase_after,
    groups,
    regular_inputs,
)

WEEK = 7.0


def rolled_forward(last_day: np.ndarray, interval: np.ndarray, today: float) -> np.ndarray:
    """last + k * interval with the smallest k >= 1 that is not before `today` (whole days)."""
    steps = np.maximum(1.0, np.ceil((today - last_day) / interval))
    return np.floor(last_day + steps * interval)


def recency_churn(history: History, features: MemberFeatures, today: float, horizon: int) -> np.ndarray:
    """P(no order within `horizon` days) from log days since the last order: a one-feature
    logistic regression fitted on the window just before `today`."""
    cutoff = today - horizon
    exists = history.members.joined < cutoff
    y = (_orders_in(history, cutoff, today) == 0).astype(int)
    model = LogisticRegression().fit(_log_recency(history, cutoff)[exists, None], y[exists])
    return model.predict_proba(_log_recency(history, today)[:, None])[:, 1]


def _orders_in(history: History, start: float, end: float) -> np.ndarray:
    inside = history.window_orders(start, end)
    return groups.count(history.orders.member[inside], len(history.members))


def _log_recency(history: History, t: float) -> np.ndarray:
    before = history.orders.at < t
    last = groups.maximum(history.orders.member[before], history.orders.at[before], len(history.members))
    return np.log1p(np.where(np.isnan(last), 3650.0, t - last))


def bgnbd(
    history: History, today: float, horizons: tuple[int, ...]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per horizon: (P(no shopping day within it), expected shopping days within it) per member,
    from a BG/NBD model of shopping days (weeks as the time unit, for the optimiser's sake)."""
    from lifetimes import BetaGeoFitter

    orders, n = history.orders, len(history.members)
    day = np.floor(orders.at)
    first_of_day = np.ones(len(day), dtype=bool)
    first_of_day[1:] = (orders.member[1:] != orders.member[:-1]) | (day[1:] != day[:-1])
    member, day = orders.member[first_of_day], day[first_of_day]
    days = groups.count(member, n)
    first = groups.minimum(member, day, n)
    last = groups.maximum(member, day, n)
    start = np.where(np.isnan(first), np.floor(history.members.joined), first)
    x = np.maximum(days - 1, 0).astype(float)
    t_x = np.where(days > 1, last - first, 0.0) / WEEK
    big_t = np.maximum(today - start, 1.0) / WEEK
    fitter = BetaGeoFitter(penalizer_coef=0.001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(x, t_x, big_t)
    r, alpha = float(fitter.params_["r"]), float(fitter.params_["alpha"])
    alive = fitter.conditional_probability_alive(x, t_x, big_t)
    out = {}
    for h in horizons:
        t = h / WEEK
        # BG/NBD drops out only just after a purchase: alive and no purchase in t is Poisson-gamma
        quiet = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
        expected = fitter.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, big_t)
        out[h] = (1.0 - alive + alive * quiet, np.asarray(expected, dtype=float))
    return out


def gbm_churn(snap: Snapshot, history: History, today: float, now_features: MemberFeatures) -> np.ndarray:
    y = (_orders_in(history, snap.cutoff, today) == 0).astype(int)
    rows = snap.exists
    trees = HistGradientBoostingClassifier(random_state=0).fit(
        snap.features.matrix(MODEL_INPUTS)[rows], y[rows]
    )
    return trees.predict_proba(now_features.matrix(MODEL_INPUTS))[:, 1]


def gbm_next_order(
    snap: Snapshot, history: History, today: float, now_features: MemberFeatures
) -> np.ndarray:
    """Days from `today` to the next order, trained on members who ordered in the window before."""
    orders = history.orders
    inside = history.window_orders(snap.cutoff, today)
    first = groups.minimum(orders.member[inside], orders.at[inside], len(history.members))
    rows = snap.exists & ~np.isnan(first)
    trees = HistGradientBoostingRegressor(loss="absolute_error", random_state=0).fit(
        snap.features.matrix(MODEL_INPUTS)[rows], np.floor(first[rows]) - snap.cutoff
    )
    return np.clip(trees.predict(now_features.matrix(MODEL_INPUTS)), 0.0, today - snap.cutoff)


def gbm_spend(snap: Snapshot, history: History, today: float, now_features: MemberFeatures) -> np.ndarray:
    """Spend over the next (today - cutoff) days: Poisson trees on the window just before."""
    orders = history.orders
    inside = history.window_orders(snap.cutoff, today)
    spend = groups.total(orders.member[inside], orders.total[inside], len(history.members))
    rows = snap.exists
    trees = HistGradientBoostingRegressor(loss="poisson", random_state=0).fit(
        snap.features.matrix(MODEL_INPUTS)[rows], np.maximum(spend[rows], 0.0)
    )
    return trees.predict(now_features.matrix(MODEL_INPUTS))


def gbm_rebuy(
    snap: Snapshot, history: History, today: float, pairs: Pairs, rows: np.ndarray, features: MemberFeatures
) -> np.ndarray:
    """Days from `today` to the next purchase of each pair at `rows`: trees on the same pair inputs
    as the product's replenishment model, trained on pairs bought on 3+ days by the cutoff and
    bought again before `today`."""
    k = max(len(history.categories), 1)
    past = snap.pairs
    qualifying = np.nonzero(past.days_bought >= 3)[0]
    keys, wait = first_purchase_after(history, snap.cutoff, today)
    pair_key = past.member[qualifying].astype(np.int64) * k + past.category[qualifying]
    found = groups.contains(keys, pair_key)
    train = qualifying[found]
    inputs = regular_inputs(past, snap.features, snap.stats, history.categories, train)
    label = np.floor(snap.cutoff + wait[np.searchsorted(keys, pair_key[found])]) - snap.cutoff
    trees = HistGradientBoostingRegressor(loss="absolute_error", random_state=0).fit(inputs, label)
    stats = category_stats(history, pairs)
    return np.clip(
        trees.predict(regular_inputs(pairs, features, stats, history.categories, rows)),
        0.0,
        today - snap.cutoff,
    )
