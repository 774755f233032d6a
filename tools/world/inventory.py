"""Stock at the end date: demand from recent sales, cover around a target, and overstock to clear.

Weekly demand is the units sold over the last `demand_weeks`, smoothed by one unit so it is never
zero (weeks of cover = on_hand / weekly_demand stays finite). Most SKUs carry a few weeks of cover;
an overstock share, mostly last season's lines, carries months of it, and part of that is flagged
for clearance. A few SKUs are out of stock.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.baskets import Baskets
from tools.world.catalogue import Catalogue
from tools.world.orders import Orders
from tools.world.picking import OPPOSITE
from tools.world.population import InventorySpec
from tools.world.taxonomy import SEASONS, season_of_month
from tools.world.timeline import DAY, Timeline


@dataclass(frozen=True)
class Stock:
    on_hand: np.ndarray
    weekly_demand: np.ndarray
    clearance: np.ndarray


def stock_at_end(
    spec: InventorySpec,
    catalogue: Catalogue,
    orders: Orders,
    baskets: Baskets,
    clock: Timeline,
    rng: np.random.Generator,
) -> Stock:
    recent = orders.placed_at[baskets.order] >= clock.span - spec.demand_weeks * 7 * DAY
    units = np.bincount(
        baskets.product[recent], weights=baskets.quantity[recent], minlength=catalogue.products
    )
    demand = np.round((units + 1) / spec.demand_weeks, 3)
    cover = rng.lognormal(np.log(spec.cover_weeks), spec.cover_spread, catalogue.products)

    # Overstock falls mostly on the season that just ended.
    ending = OPPOSITE.get(season_of_month(clock.last.month % 12 + 1), "all")
    weight = np.where(catalogue.season == SEASONS.index(ending), 4.0, 1.0)
    n_over = round(spec.overstock_share * catalogue.products)
    over = np.zeros(catalogue.products, dtype=bool)
    over[rng.choice(catalogue.products, n_over, replace=False, p=weight / weight.sum())] = True
    cover = np.where(
        over, rng.uniform(spec.overstock_weeks.low, spec.overstock_weeks.high, catalogue.products), cover
    )
    on_hand = np.round(demand * cover).astype(np.int64)
    on_hand[(rng.random(catalogue.products) < spec.stockout_share) & ~over] = 0
    clearance = over & (rng.random(catalogue.products) < spec.clearance_share) & ~catalogue.full_price_only
    return Stock(on_hand=on_hand, weekly_demand=demand, clearance=clearance)
