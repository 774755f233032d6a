"""Offers used on orders members place on their own: what a discount gives away to purchases that
would have happened anyway (the seeds' "margin erosion": 25% off to a customer who would have
bought at full price anyway).

A member who opened a message carrying an incentive holds it for `redeem_window_days`. When they
place one of their own (replayed) orders in that time, they apply it with probability
`own_order_redemption` × their price sensitivity over the population mean (capped at 1). The
order, its revenue and its margin would have happened without the message, so the offer's whole
cost is lost margin. Each order carries at most one offer (the most valuable the member holds,
none when it already used the public coupon), each offer is used once, scoped offers apply only to
their products or categories, and an order below an offer's minimum spend cannot use it.

The member's own order that an offer-driven order displaced (the `cannibalisation` share in
`evals.simulation.responses`) already used its offer there: it is marked used and not discounted
twice. The same rules apply to every policy.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import bindparam, update

from evals.simulation.environment import SimWorld
from evals.simulation.moments import own_order_rate
from evals.simulation.responses import PRICE_OFFER_TYPES, Ledger, ProductIndex, SentOffer, offer_cost
from policies.model import Valuation
from tools.storage import Base, Order, bulk_insert

ONLINE_CHANNELS = ("online", "app")  # free shipping is worth something only to orders that ship


@dataclass(frozen=True)
class OwnOrder:
    """One replayed order, with what an offer needs to price itself against it."""

    order_id: int
    customer_id: int
    placed_at: datetime  # naive UTC
    channel: str
    had_coupon: bool
    skus: tuple[str, ...]  # per line
    categories: tuple[str, ...]  # per line
    amounts: np.ndarray  # per line: price × quantity less the line's own promotion
    costs: np.ndarray  # per line: unit cost × quantity


@dataclass
class Wallet:
    """The opened, unused incentives each member holds, and the own orders already spoken for."""

    valid_for: timedelta
    seed: int  # the world's: whether a member would use a code on an order is the same under every policy
    held: dict[int, list[SentOffer]] = field(default_factory=dict)
    used_orders: set[int] = field(default_factory=set)

    def draw(self, order_id: int) -> float:
        """The uniform that decides whether this order would carry a held offer: keyed by the world
        and the order, not by the policy's random stream, so policies differ only by what they sent
        (common random numbers: much less noise in the comparison between policies)."""
        return float(np.random.default_rng([self.seed, order_id]).random())

    def hold(self, offer: SentOffer) -> None:
        self.held.setdefault(offer.customer_id, []).append(offer)

    def usable(self, customer_id: int, at: datetime) -> list[SentOffer]:
        """Offers the member holds at `at`: within the world's redeem window and the offer's own
        stated validity (a code that expired cannot be used)."""
        return [
            o
            for o in self.held.get(customer_id, [])
            if o.sent_at < at <= o.sent_at + self.valid_for and (o.valid_until is None or at <= o.valid_until)
        ]

    def spend(self, offer: SentOffer) -> None:
        self.held[offer.customer_id].remove(offer)

    def displace_next(self, world: SimWorld, offer: SentOffer, within: timedelta) -> None:
        """The member's next own order within `within` of `offer` is the one its offer-driven order
        replaced (it would have happened anyway): it already used an offer."""
        orders = world.future.orders
        placed = np.asarray(orders["placed_at"])
        start, stop = np.datetime64(offer.sent_at, "us"), np.datetime64(offer.sent_at + within, "us")
        ids = np.asarray(orders["id"])
        candidates = np.flatnonzero(
            (np.asarray(orders["customer_id"]) == offer.customer_id)
            & (placed > start)
            & (placed <= stop)
            & ~np.isin(ids, np.fromiter(self.used_orders, dtype=np.int64))
        )
        if len(candidates):
            self.used_orders.add(int(ids[candidates[np.argmin(placed[candidates])]]))


def own_orders_between(
    world: SimWorld, begin: datetime, end: datetime, catalogue: ProductIndex
) -> list[OwnOrder]:
    orders, lines = world.future.orders, world.future.order_lines
    placed = np.asarray(orders["placed_at"])
    rows = np.flatnonzero(
        (placed >= np.datetime64(begin.replace(tzinfo=None), "us"))
        & (placed < np.datetime64(end.replace(tzinfo=None), "us"))
    )
    if not len(rows):
        return []
    line_order = np.asarray(lines["order_id"])
    wanted = np.asarray(orders["id"])[rows]
    mask = np.isin(line_order, wanted)
    by_order: dict[int, list[int]] = {}
    for position in np.flatnonzero(mask):
        by_order.setdefault(int(line_order[position]), []).append(int(position))
    quantity = np.asarray(lines["quantity"], dtype=float)
    price, cost = np.asarray(lines["unit_price"], dtype=float), np.asarray(lines["unit_cost"], dtype=float)
    discount = np.asarray(lines["discount"], dtype=float)
    product = np.asarray(lines["product_id"])
    out = []
    for row in rows:
        order_id = int(orders["id"][row])
        mine = np.array(by_order.get(order_id, []), dtype=np.int64)
        out.append(
            OwnOrder(
                order_id=order_id,
                customer_id=int(orders["customer_id"][row]),
                placed_at=placed[row].astype("datetime64[us]").item(),
                channel=str(orders["channel"][row]),
                had_coupon=orders["coupon_code"][row] is not None,
                skus=tuple(catalogue.sku_by_product.get(int(p), "") for p in product[mine]),
                categories=tuple(catalogue.category_by_product.get(int(p), "") for p in product[mine]),
                amounts=price[mine] * quantity[mine] - discount[mine],
                costs=cost[mine] * quantity[mine],
            )
        )
    return out


def priced(offer: SentOffer, order: OwnOrder, valuation: Valuation) -> tuple[float, float] | None:
    """(price cut, cost to the retailer) of `offer` on `order`, or None when it cannot apply."""
    subtotal = float(order.amounts.sum())
    if offer.min_spend is not None and subtotal < offer.min_spend:
        return None
    if offer.skus:
        in_scope = np.array([s in offer.skus for s in order.skus], dtype=bool)
    elif offer.categories:
        in_scope = np.array([c in offer.categories for c in order.categories], dtype=bool)
    else:
        in_scope = np.ones(len(order.amounts), dtype=bool)
    if not in_scope.any():
        return None
    cut, cost = offer_cost(
        offer,
        subtotal,
        float(order.amounts[in_scope].sum()),
        valuation,
        ships=order.channel in ONLINE_CHANNELS,
    )
    return (cut, cost) if cost > 0 else None


async def redeem_on_own_orders(
    world: SimWorld,
    begin: datetime,
    end: datetime,
    wallet: Wallet,
    catalogue: ProductIndex,
    valuation: Valuation,
    ledger: Ledger,
) -> int:
    """Apply held offers to the members' own orders placed in [begin, end); returns how many."""
    params = world.response.params
    truth = world.truth
    mean_sensitivity = world.response.mean_price_sensitivity
    rate, _ = own_order_rate(world)
    lasting = params.lasting
    # future margin lost per dollar of price cut: the discount expectation it teaches (`evals.simulation.expected`)
    taught = (
        lasting.discount_expectation
        * np.asarray(truth.price_sensitivity, dtype=float)
        / mean_sensitivity
        * rate
        * lasting.expectation_days
    )
    updates: list[tuple[OwnOrder, float]] = []
    outcomes: dict[str, list[Any]] = {
        k: [] for k in ("contact_id", "customer_id", "type", "occurred_at", "order_id", "revenue", "margin")
    }
    for order in own_orders_between(world, begin, end, catalogue):
        if order.order_id in wallet.used_orders or order.had_coupon:
            continue
        options = [
            (o, p)
            for o in wallet.usable(order.customer_id, order.placed_at)
            if (p := priced(o, order, valuation)) is not None
        ]
        if not options:
            continue
        member = int(np.searchsorted(truth.customer_id, order.customer_id))
        use = min(
            1.0, params.own_order_redemption * float(truth.price_sensitivity[member]) / mean_sensitivity
        )
        if wallet.draw(order.order_id) >= use:
            continue
        offer, (cut, cost) = max(options, key=lambda pair: pair[1][1])
        wallet.spend(offer)
        wallet.used_orders.add(order.order_id)
        ledger.record_own_order_redemption(
            offer,
            cut,
            cost,
            taught=float(taught[member]) * cut if offer.offer_type in PRICE_OFFER_TYPES else 0.0,
        )
        updates.append((order, cut))
        total = float(order.amounts.sum()) - cut
        for key, v in zip(
            outcomes,
            (
                offer.contact_id,
                offer.customer_id,
                "redeem",
                order.placed_at,
                order.order_id,
                round(total, 2),
                round(total - float(order.costs.sum()) - (cost - cut), 2),
            ),
            strict=True,
        ):
            outcomes[key].append(v)
    if updates:
        async with world.db.engine.begin() as conn:
            # What the retailer sees: the members' orders, paid with the offers' codes (one executemany).
            await conn.execute(
                update(Order.__table__)
                .where(Order.id == bindparam("oid"))
                .values(
                    discount_total=Order.discount_total + bindparam("cut"),
                    total=Order.total - bindparam("cut"),
                    coupon_code="SIM",
                ),
                [{"oid": order.order_id, "cut": round(cut, 2)} for order, cut in updates],
            )
            await bulk_insert(conn, Base.metadata.tables["outcomes"], outcomes)
    return len(updates)
