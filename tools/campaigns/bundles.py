"""Each member's bundle, as their own decision would assemble it, for many members at once.

A decision without a cart builds its bundle around the category the message is about, from that
category's complements in stock ranked by the member's affinities (`tools.catalogue.rank_bundle`,
the very ranking `recommend_bundle` does), and the rules price it on its products' list value and
the order they judge it on (`tools.rule_facts.expected_order`). The complements are read once per
anchor category; only the ranking runs per member.
"""

from dataclasses import dataclass

import numpy as np

from tools.campaigns.scoring import profiled
from tools.catalogue import Complements, complements_in_stock, rank_bundle
from tools.errors import NotFound
from tools.profiles import ProfileFrame
from tools.rule_facts import expected_order, sku_costs_of
from tools.storage import Database

BUNDLE_SIZE = 2  # complements per bundle, as `tools.nba.member_scoring` asks for
MIN_PRODUCTS = 2  # fewer is no bundle: the candidate is not offered


@dataclass(frozen=True)
class BundleOrders:
    """Per member: whether a bundle can be offered, its products' list value, and the order's value
    and gross margin the rules judge it on."""

    available: np.ndarray  # bool
    sku_value: np.ndarray
    basket: np.ndarray
    margin: np.ndarray

    def subset(self, positions: np.ndarray) -> "BundleOrders":
        return BundleOrders(
            self.available[positions],
            self.sku_value[positions],
            self.basket[positions],
            self.margin[positions],
        )


async def bundle_orders(
    db: Database, frame: ProfileFrame, rows: np.ndarray, anchors: list[str | None], typical: np.ndarray
) -> BundleOrders:
    """`typical`: each member's usual order value (0 when unknown), as the rules take it."""
    complements: dict[str, Complements] = {}
    for name in sorted({a for a in anchors if a}):
        try:
            complements[name] = await complements_in_stock(db, name)
        except NotFound:  # a category the catalogue does not know: no bundle
            continue
    skus_of: list[list[str]] = []
    for anchor, row in zip(anchors, rows.tolist(), strict=True):
        found = complements.get(anchor) if anchor else None
        if found is None:
            skus_of.append([])
            continue
        affinity = {a["category"]: a["score"] for a in frame.affinity_of(row)}
        skus = [item.sku for item in rank_bundle(found, affinity, BUNDLE_SIZE)]
        skus_of.append(skus if len(skus) >= MIN_PRODUCTS else [])
    async with db.session() as session:
        costs = await sku_costs_of(session, sorted({s for skus in skus_of for s in skus}))
    n = len(rows)
    available = np.array([bool(s) for s in skus_of], dtype=bool).reshape(n)
    rates = profiled(frame, "margin_rate", rows)
    # Without a bundle, the member's usual order (the candidate is not offered; it is priced anyway).
    sku_value, basket = np.zeros(n), np.maximum(typical, 1.0)
    margin = basket * np.nan_to_num(rates)
    for i, skus in enumerate(skus_of):
        if not skus:
            continue
        items = [costs[s] for s in skus if s in costs]
        rate = float(rates[i]) if np.isfinite(rates[i]) and rates[i] != 0 else None
        basket[i], margin[i] = expected_order(float(typical[i]), rate, items)
        sku_value[i] = sum(item.price for item in items)
    return BundleOrders(available, sku_value, basket, margin)
