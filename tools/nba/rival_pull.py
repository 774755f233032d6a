"""How strongly a rival's promotion pulls members away, measured from the retailer's own orders.

The scorer's competitive response rests on one number: the share of a fully price-sensitive
member's purchases in a category that a rival's discount (of 20% or more) takes away
(`tools.nba.scorer._competitor_pressure`). The retailer's history holds the experiment: the
competitor signals it recorded (`CompetitorSignal`: category, depth, window) and its members'
orders in that category during each window, against what their own rhythm predicted.

Per signal, the exposed members are those who bought in its category in the `LOOKBACK_DAYS`
before it began. Each one's expected orders in the category over the window are their lookback
rate times its length, scaled by what the same selection bought in the category's own earlier
windows without a rival promotion (members picked for a recent purchase buy less next:
regression to the mean and the purchase cycle, which no promotion causes). The pull
θ is then the drop the model `E[orders] = drift × expected × (1 − θ·x)` fits, with x = the
member's discount share (the scorer's price sensitivity) × min(depth / 20%, 1): the scorer's own
exposure, so the number measured is the number the scorer uses.

The scorer uses the playbook's prior (`ResponsePriors.competitor_pull`: a rival undercutting a
price-sensitive member's cart is answered with a modest incentive) updated by the measurement,
normal–normal (`RivalPull.given`): without any signal that exposed a member there is nothing to
measure and the prior stands; a precise measurement replaces it, so a pull the orders do not show
does not turn into price cuts for members who would have bought anyway.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import case, func, select

from tools.profiles import to_days
from tools.storage import CompetitorSignal, Database, Order, OrderLine, Product

LOOKBACK_DAYS = 180.0  # the member's usual rate in a category: half a year of their orders
SATURATION_PCT = 20.0
# Comparison windows per signal: the same category's windows of its length (a week at least)
# before it, with no rival promotion of the category running.
PLACEBO_WINDOWS = 4
MIN_PLACEBO_DAYS = 7.0  # the scorer's: past this depth the member has decided on price
# How sure the playbook's pull is (`ResponsePriors.competitor_pull`): as sure as a measurement with
# this standard error, so half a dozen promotions over a few hundred members halve its weight.
PRIOR_SE = 0.25


@dataclass(frozen=True)
class RivalPull:
    """The pull measured (`raw` ± `se`), with the evidence behind it; `given` is what the scorer uses."""

    raw: float  # the pooled estimate (may be negative)
    se: float
    signals: int  # competitor signals with at least one exposed member (0: no evidence: the prior stands)
    exposures: int  # member × signal pairs
    expected_orders: float  # category orders the exposed members' rhythm predicted in the windows
    observed_orders: int

    def given(self, prior: float) -> float:
        """The pull to score with, the playbook's `prior` updated by this measurement (normal–normal:
        the prior counts as a measurement of standard error `PRIOR_SE`). Without a signal the prior
        stands; a precise measurement (tens of promotions over thousands of members) replaces it."""
        if not self.signals:
            return prior
        weight = PRIOR_SE**2 / (PRIOR_SE**2 + self.se**2)
        return float(np.clip(prior + weight * (self.raw - prior), 0.0, 1.0))


NO_EVIDENCE = RivalPull(0.0, 0.0, 0, 0, 0.0, 0)


@dataclass(frozen=True)
class SignalWindows:
    category: np.ndarray  # int
    depth_pct: np.ndarray  # float
    start: np.ndarray  # float days
    end: np.ndarray  # float days


@dataclass(frozen=True)
class CategoryOrders:
    """One entry per (order, category) the order bought in."""

    member: np.ndarray  # int
    day: np.ndarray  # float days
    category: np.ndarray  # int
    discounted: np.ndarray  # bool: the order carried a discount or coupon


def _window(
    orders: CategoryOrders, category: int, start: float, end: float, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(members exposed, their category orders in [start, end), their lookback rate × length)."""
    mine = orders.category == category
    before = mine & (orders.day >= start - LOOKBACK_DAYS) & (orders.day < start)
    during = mine & (orders.day >= start) & (orders.day < end)
    base = np.bincount(orders.member[before], minlength=n).astype(float)
    exposed = np.flatnonzero(base > 0)
    observed = np.bincount(orders.member[during], minlength=n).astype(float)[exposed]
    return exposed, observed, base[exposed] / LOOKBACK_DAYS * (end - start)


def _signal_estimate(
    orders: CategoryOrders, signals: SignalWindows, s: int, sensitivity: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(observed, expected, exposure x) per exposed member of signal `s`; None without a window
    to compare against."""
    first, last = float(orders.day.min()), float(orders.day.max())
    # a window still open when the history stops counts up to its last order, not beyond
    start, end, category = signals.start[s], min(signals.end[s], last), int(signals.category[s])
    length = end - start
    if length <= 0 or start - LOOKBACK_DAYS < first:  # a rhythm needs the whole lookback
        return None
    exposed, observed, expected = _window(orders, category, start, end, n)
    if not len(exposed):
        return None
    # Members chosen for a recent purchase in the category buy less there next (regression to the
    # mean, the purchase cycle): the same selection in the category's windows without any rival
    # promotion says by how much, and the expectation is scaled by it.
    same = signals.category == category
    placebo_observed = placebo_expected = 0.0
    for j in range(1, PLACEBO_WINDOWS + 1):
        p_start = start - j * max(length, MIN_PLACEBO_DAYS)
        p_end = p_start + length
        promoted = same & (signals.start < p_end) & (signals.end > p_start)
        if p_start - LOOKBACK_DAYS < first or promoted.any():
            continue
        _, o, e = _window(orders, category, p_start, p_end, n)
        placebo_observed += float(o.sum())
        placebo_expected += float(e.sum())
    if placebo_expected <= 0:
        return None
    drift = placebo_observed / placebo_expected
    x = sensitivity[exposed] * min(signals.depth_pct[s] / SATURATION_PCT, 1.0)
    return observed, drift * expected, x


def _fit(observed: np.ndarray, expected: np.ndarray, x: np.ndarray) -> tuple[float, float] | None:
    """θ from Σ(expected − observed) = θ·Σ(expected·x); its se from the residuals (overdispersion
    included), never below the Poisson one."""
    exposure = float(np.sum(expected * x))
    if exposure <= 0:
        return None
    theta = float(np.sum(expected - observed)) / exposure
    residual = observed - expected * (1 - theta * x)
    variance = max(float(np.sum(residual**2)), float(np.sum(expected)))
    return theta, float(np.sqrt(variance)) / exposure


def estimate_rival_pull(orders: CategoryOrders, signals: SignalWindows) -> RivalPull:
    if not len(orders.member) or not len(signals.category):
        return NO_EVIDENCE
    members, member = np.unique(orders.member, return_inverse=True)
    n = len(members)
    orders = CategoryOrders(member, orders.day, orders.category, orders.discounted)
    # the scorer's price sensitivity: the member's share of orders carrying a discount
    sensitivity = np.bincount(member, weights=orders.discounted.astype(float), minlength=n) / np.maximum(
        np.bincount(member, minlength=n), 1
    )
    parts = [_signal_estimate(orders, signals, s, sensitivity, n) for s in range(len(signals.category))]
    found = [p for p in parts if p is not None]
    # signals that can say anything: some exposed member buys at a discount at all
    weighed = sum(1 for _, expected, x in found if float(np.sum(expected * x)) > 0)
    if not weighed:
        return NO_EVIDENCE
    observed, expected, x = (np.concatenate(column) for column in zip(*found, strict=True))
    pooled = _fit(observed, expected, x)
    assert pooled is not None  # some signal had exposure, so the pool has
    raw, se = pooled
    return RivalPull(
        raw,
        se,
        weighed,
        len(observed),
        float(expected.sum()),
        int(observed.sum()),
    )


def _days(moments: list[datetime]) -> np.ndarray:
    return to_days(np.array(moments, dtype="datetime64[us]"))


async def fit_rival_pull(db: Database, until: datetime) -> RivalPull:
    """The estimate from the signals and orders before `until` (naive UTC, as stored)."""
    signal_rows = select(
        CompetitorSignal.category_id,
        CompetitorSignal.discount_pct,
        CompetitorSignal.starts_at,
        CompetitorSignal.ends_at,
    ).where(CompetitorSignal.starts_at < until)
    async with db.session() as session:
        signal_list = (await session.execute(signal_rows)).all()
        if not signal_list:
            return NO_EVIDENCE
        since = min(r[2] for r in signal_list) - timedelta(days=LOOKBACK_DAYS)
        discounted = func.max(
            case(
                ((Order.discount_total > 0) | Order.coupon_code.is_not(None) | (OrderLine.discount > 0), 1),
                else_=0,
            )
        )
        order_rows = (
            select(Order.customer_id, Order.placed_at, Product.category_id, discounted)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(Order.placed_at < until, Order.placed_at >= since)
            .group_by(Order.id, Order.customer_id, Order.placed_at, Product.category_id)
        )
        rows = (await session.execute(order_rows)).all()
    if not rows:
        return NO_EVIDENCE
    end = _days([until])[0]
    return estimate_rival_pull(
        CategoryOrders(
            np.array([r[0] for r in rows], dtype=np.int64),
            _days([r[1] for r in rows]),
            np.array([r[2] for r in rows], dtype=np.int64),
            np.array([bool(r[3]) for r in rows]),
        ),
        SignalWindows(
            np.array([r[0] for r in signal_list], dtype=np.int64),
            np.array([float(r[1]) for r in signal_list]),
            _days([r[2] for r in signal_list]),
            np.minimum(_days([r[3] for r in signal_list]), end),  # a window still open counts to now
        ),
    )
