"""What winning a lapsed member back is worth beyond the order itself, from the retailer's own orders.

An order that ends a lapse is worth its basket; it may also bring the member back to their usual
rhythm for a while, which a lapsed member who does not come back does not give. The order history
holds both kinds of moment, so the lasting part can be measured without any message:

- a **return**: an order placed after a gap longer than the member's lapse threshold
  (`LAPSE_MULTIPLE` × their median gap between purchase days, at least `MIN_LAPSE_DAYS`: the
  reactivation trigger's test) — their margin over the `WINDOW_DAYS` after it, the return itself
  left out (the scorer already counts it as the basket);
- a **lapse**: the day such a gap crossed the threshold — their margin over the `WINDOW_DAYS`
  after it, every order counted (a lapsed member may come back on their own).

Both are measured in the member's own rhythm: margin over the window against what their usual
rhythm brings in it (window / median gap × their margin per purchase day), so a weekly grocery
shopper and a twice-a-year fashion buyer are comparable. `restored` is the share of the rhythm a
return brings beyond what a lapse does; the value of winning one member back is then `restored` ×
window / their median gap × their margin per order (`value_for`). Only windows the history covers
in full are counted.

These are members who came back on their own; one a message brings back may stay less often.
Where the history has no episode of either kind the estimate is absent and no lasting value is
credited.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Select, func, select

from tools.profiles import day_of, groups, to_days
from tools.storage import Database, Order, OrderLine

# How far overdue, in multiples of the member's median gap: the deeper the lapse, the likelier it
# is real (a member 1.5 gaps late is often just late) and the more a return restores. The first is
# the default `rhythm_lapse` trigger's, which also waits at least MIN_LAPSE_DAYS.
LAPSE_DEPTHS = (1.5, 3.0, 6.0, 10.0)
MIN_LAPSE_DAYS = 21.0
MIN_PURCHASE_DAYS = 3  # a rhythm needs two gaps at least
WINDOW_DAYS = 90  # the quarter after a return: the following months' margin
# A depth is estimated only where both kinds of episode are this many at least; a member lapsed
# deeper than the last such depth gets that depth's estimate.
MIN_EPISODES = 20


@dataclass(frozen=True)
class LapseDepth:
    """What a return restores after a lapse of at least `multiple` median gaps."""

    multiple: float
    restored: float  # returned share minus lapsed share, at least 0
    returned: float  # margin over the window after a return, as a share of the rhythm's
    lapsed: float  # the same from the day the lapse reached this depth
    returns: int  # return episodes counted
    lapses: int  # lapse moments counted
    se: float  # standard error of `restored`


@dataclass(frozen=True)
class Winback:
    """The share of a member's usual rhythm a return restores, by how deep the lapse is."""

    depths: tuple[LapseDepth, ...]  # ascending, each with enough episodes
    window_days: int = WINDOW_DAYS

    def restored_at(self, overdue: np.ndarray) -> np.ndarray:
        """Per member, the share restored at the deepest depth their lapse has reached (0 short of
        the first): `overdue` is days since their last order over their median gap."""
        multiples = np.array([d.multiple for d in self.depths])
        restored = np.concatenate(([0.0], [d.restored for d in self.depths]))
        x = np.nan_to_num(np.asarray(overdue, dtype=float), nan=0.0)
        return restored[np.searchsorted(multiples, x, side="right")]

    def value_for(
        self, days_since_order: np.ndarray, median_gap_days: np.ndarray, margin_per_order: np.ndarray
    ) -> np.ndarray:
        """Margin a member's return brings beyond the returning order; 0 without a rhythm or a lapse."""
        gap = np.asarray(median_gap_days, dtype=float)
        rhythmic = np.isfinite(gap) & (gap > 0)
        safe = np.where(rhythmic, gap, 1.0)
        since = np.asarray(days_since_order, dtype=float)
        lapsed = rhythmic & np.isfinite(since) & (since >= MIN_LAPSE_DAYS)
        restored = self.restored_at(np.where(lapsed, since / safe, 0.0))
        orders = np.where(lapsed, self.window_days / safe, 0.0)
        return restored * orders * np.maximum(np.asarray(margin_per_order, dtype=float), 0.0)


def order_margins(*conditions: object) -> Select:
    """(customer, placed_at, margin) per order: the total less its lines' unit cost. The holdout's
    comparison (`tools.nba.uplift`) reads orders the same way."""
    cost = (
        select(OrderLine.order_id, func.sum(OrderLine.unit_cost * OrderLine.quantity).label("cost"))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    return (
        select(Order.customer_id, Order.placed_at, Order.total - func.coalesce(cost.c.cost, 0))
        .outerjoin(cost, cost.c.order_id == Order.id)
        .where(*conditions)  # type: ignore[arg-type]
    )


async def fit_winback(db: Database, until: datetime) -> Winback | None:
    """The estimate from every order before `until` (naive UTC, as stored)."""
    async with db.session() as session:
        rows = (await session.execute(order_margins(Order.placed_at < until))).all()
    if not rows:
        return None
    member = np.array([r[0] for r in rows], dtype=np.int64)
    days = to_days(np.array([r[1] for r in rows], dtype="datetime64[us]"))
    margin = np.array([float(r[2] or 0.0) for r in rows])
    return estimate_winback(member, np.floor(days), margin, day_of(until))


def estimate_winback(
    member: np.ndarray, day: np.ndarray, margin: np.ndarray, end: float, window: int = WINDOW_DAYS
) -> Winback | None:
    """`member`, `day` (whole days), `margin`: one entry per order, in any order; `end`: where the
    history stops. None when no depth has enough complete windows of both kinds."""
    if not len(member):
        return None
    # purchase days: one entry per member and day, their margin summed
    _, m = np.unique(member, return_inverse=True)
    first = int(np.min(day))
    span = int(np.max(day)) - first + 1
    days_of, at = np.unique(m.astype(np.int64) * span + (day.astype(np.int64) - first), return_inverse=True)
    who, d = days_of // span, (days_of % span + first).astype(float)  # sorted by member, then day
    value = np.bincount(at.ravel(), weights=margin, minlength=len(d))
    n = int(who.max()) + 1
    gap_member, gap, _ = groups.gaps(who, d)
    if not len(gap):
        return None
    median = groups.median(gap_member, gap, n)
    days_bought = groups.count(who, n)
    per_day = groups.ratio(groups.total(who, value, n), days_bought)
    rhythmic = (days_bought >= MIN_PURCHASE_DAYS) & np.isfinite(median) & (median > 0)
    usual = np.where(rhythmic, window / np.where(rhythmic, median, 1.0) * per_day, 0.0)

    # margin over (start, start + window] from a cumulative sum along each member's days
    stride = end + window + 1.0 - first
    composite = who * stride + (d - first)
    cumulative = np.concatenate(([0.0], np.cumsum(value)))

    def after(member_of: np.ndarray, start: np.ndarray) -> np.ndarray:
        base = member_of * stride - first
        low = np.searchsorted(composite, base + start, side="right")
        high = np.searchsorted(composite, base + start + window, side="right")
        return cumulative[high] - cumulative[low]

    same = who[1:] == who[:-1]  # each gap: from one purchase day to the member's next
    gap_who, started, ended = who[1:][same], d[:-1][same], d[1:][same]
    last = np.ones(len(who), dtype=bool)
    last[:-1] = ~same
    open_who, open_from = who[last], d[last]  # the gap still open after each member's last day
    depths = []
    for multiple in LAPSE_DEPTHS:
        threshold = np.maximum(multiple * np.where(rhythmic, median, 0.0), MIN_LAPSE_DAYS)
        deep = rhythmic[gap_who] & (ended - started > threshold[gap_who])
        returned = deep & (ended + window <= end)
        lapse_who = np.concatenate((gap_who[deep], open_who))
        onset = np.concatenate((started[deep], open_from)) + threshold[lapse_who]
        lapsed = rhythmic[lapse_who] & (onset + window <= end)
        if returned.sum() < MIN_EPISODES or lapsed.sum() < MIN_EPISODES:
            continue
        r_who, l_who = gap_who[returned], lapse_who[lapsed]
        r_mean, r_se = _ratio_of_sums(after(r_who, ended[returned]), usual[r_who])
        l_mean, l_se = _ratio_of_sums(after(l_who, onset[lapsed]), usual[l_who])
        depths.append(
            LapseDepth(
                multiple,
                max(r_mean - l_mean, 0.0),
                r_mean,
                l_mean,
                len(r_who),
                len(l_who),
                float(np.hypot(r_se, l_se)),
            )
        )
    return Winback(tuple(depths), window) if depths else None


def _ratio_of_sums(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, float]:
    """Σ numerator / Σ denominator (members weighted by their usual margin), its se by the delta method."""
    total = float(denominator.sum())
    if total <= 0:
        return 0.0, 0.0
    mean = float(numerator.sum()) / total
    k = len(numerator)
    if k < 2:
        return mean, 0.0
    residual = numerator - mean * denominator
    return mean, float(np.sqrt(k / (k - 1) * np.sum(residual**2)) / total)
