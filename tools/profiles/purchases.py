"""Purchase behaviour per member: recency, frequency, monetary value, rhythm, basket shape, price
sensitivity and category concentration, all at the history's `as_of`."""

import numpy as np

from tools.profiles import groups
from tools.profiles.history import ORDER_CHANNELS, History


def purchase_features(history: History) -> dict[str, np.ndarray]:
    n = len(history.members)
    orders, lines, now = history.orders, history.lines, history.as_of
    member, at, paid = orders.member, orders.at, orders.total
    age = now - at
    out: dict[str, np.ndarray] = {}

    out["orders_total"] = groups.count(member, n)
    for days in (30, 90, 365):
        out[f"orders_{days}"] = groups.count(member, n, age < days)
        out[f"spend_{days}"] = groups.total(member, paid, n, age < days)
    out["spend_total"] = groups.total(member, paid, n)
    out["spend_prev_90"] = groups.total(member, paid, n, (age >= 90) & (age < 180))
    # -1 falling to nothing, 0 steady, +1 from nothing: bounded, unlike a ratio to a quiet quarter
    out["spend_trend"] = np.nan_to_num(
        groups.ratio(out["spend_90"] - out["spend_prev_90"], out["spend_90"] + out["spend_prev_90"]), nan=0.0
    )
    last = groups.maximum(member, at, n)
    first = groups.minimum(member, at, n)
    out["recency_days"] = now - last
    out["first_order_days"] = now - first
    out["aov"] = groups.ratio(out["spend_total"], out["orders_total"])
    out["aov_365"] = groups.ratio(out["spend_365"], out["orders_365"])
    out.update(_rhythm(member, at, n, now))

    line_member = member[lines.order]
    line_age = now - at[lines.order]
    net = lines.gross - lines.discount
    margin = net - lines.cost
    gross_total = groups.total(line_member, lines.gross, n)
    out["margin_total"] = groups.total(line_member, margin, n)
    out["margin_365"] = groups.total(line_member, margin, n, line_age < 365)
    out["margin_rate"] = groups.ratio(groups.total(line_member, lines.gross - lines.cost, n), gross_total)

    units = np.bincount(lines.order, weights=lines.quantity, minlength=len(at))
    out["items_per_order"] = groups.ratio(groups.total(member, units, n), out["orders_total"])
    out["single_item_share"] = groups.ratio(groups.count(member, n, units <= 1), out["orders_total"])

    recent = line_age < 365
    promoted = (lines.discount > 0) | orders.coupon[lines.order]
    gross_365 = groups.total(line_member, lines.gross, n, recent)
    out["discount_share"] = groups.ratio(
        groups.total(line_member, lines.gross, n, recent & promoted), gross_365
    )
    out["coupon_order_share"] = groups.ratio(
        groups.count(member, n, orders.coupon & (age < 365)), out["orders_365"]
    )

    out.update(
        _concentration(line_member[recent], lines.category[recent], net[recent], n, len(history.categories))
    )
    for code, channel in enumerate(ORDER_CHANNELS):
        out[f"{channel}_order_share"] = groups.ratio(
            groups.count(member, n, (orders.channel == code) & (age < 365)), out["orders_365"]
        )
    return out


def _rhythm(member: np.ndarray, at: np.ndarray, n: int, now: float) -> dict[str, np.ndarray]:
    """Intervals between the member's shopping days (several orders on one day are one trip)."""
    day = np.floor(at)
    keep = np.ones(len(day), dtype=bool)
    keep[1:] = (member[1:] != member[:-1]) | (day[1:] != day[:-1])
    gap_member, gap, is_last = groups.gaps(member[keep], day[keep])
    median = groups.median(gap_member, gap, n)
    mean = groups.ratio(groups.total(gap_member, gap, n), groups.count(gap_member, n))
    recency = now - groups.maximum(member, at, n)
    return {
        "shopping_days": groups.count(member[keep], n),
        "median_interval": median,
        "mean_interval": mean,
        "last_interval": groups.last_value(gap_member, gap, is_last, n),
        "interval_cv": groups.ratio(groups.std(gap_member, gap, n), mean),
        "overdue_ratio": groups.ratio(recency, median),
    }


def _concentration(
    member: np.ndarray, category: np.ndarray, spend: np.ndarray, n: int, categories: int
) -> dict[str, np.ndarray]:
    """How spread the member's spend is across categories over the last year."""
    key = member.astype(np.int64) * max(categories, 1) + category
    pairs, position = np.unique(key, return_inverse=True)
    pair_spend = np.bincount(position, weights=np.maximum(spend, 0.0), minlength=len(pairs))
    pair_member = pairs // max(categories, 1)
    order = np.lexsort((-pair_spend, pair_member))
    ranked_member, ranked_spend = pair_member[order], pair_spend[order]
    rank = np.arange(len(order)) - np.searchsorted(ranked_member, ranked_member)
    top2 = groups.total(ranked_member, ranked_spend, n, rank < 2)
    return {
        "distinct_categories_365": groups.count(pair_member, n),
        "top2_category_share": groups.ratio(top2, groups.total(pair_member, pair_spend, n)),
    }
