"""Where each member stands at a moment, as the hidden model sees it: the trigger intent they are
under (an abandoned cart, a category browsed again and again, a replenishment falling due), how
often they shop on their own, and whether they are lapsed.

Read from what happened so far (the database the policy sees: replayed behaviour and the orders
messages led to) together with the hidden traits (usual rhythm, replenishment cycles, lapsed or
not), once per simulated day. Nothing here is shown to a policy except the oracle.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import and_, func, select

from evals.simulation.environment import SimWorld
from tools.storage import BehaviouralEvent, Order, OrderLine, Product

NONE, CART, BROWSE, REPLENISH = range(4)
KINDS = ("none", "cart", "browse", "replenish")
REPLENISH_LOOKBACK = timedelta(days=240)


@dataclass(frozen=True)
class Moments:
    """One entry per member, in the order of `truth.customer_id`."""

    at: datetime  # naive UTC
    intent: np.ndarray  # level 0-1 of the strongest live trigger
    intent_kind: np.ndarray  # NONE, CART, BROWSE or REPLENISH
    intent_category: np.ndarray  # category id the trigger is about, -1 for none
    trigger_at: np.ndarray  # datetime64[us] of the trigger (NaT for none)
    order_rate: np.ndarray  # own orders per day the member places at their usual rhythm
    active: np.ndarray  # bool: not lapsed (hidden state)
    # customer id → the products they put in a cart within the intent window: a message naming
    # them names what the member chose, not what a sender picked for them
    carted: Mapping[int, frozenset[int]] = field(default_factory=dict)

    def index(self, customer_ids: np.ndarray, world: SimWorld) -> np.ndarray:
        return np.searchsorted(world.truth.customer_id, customer_ids)


def own_order_rate(world: SimWorld) -> tuple[np.ndarray, np.ndarray]:
    """(orders a day at the member's usual rhythm, active) from the hidden traits: regular orders at
    the purchase rate plus one per replenishment cycle, nothing while lapsed."""
    truth = world.truth
    active = truth.active_by_month[:, -1].astype(bool)
    cycles = np.asarray(truth.replenish_cycle_days, dtype=float)
    replenish = np.nansum(
        np.where(np.isnan(cycles), 0.0, 1.0 / np.where(np.isnan(cycles), 1.0, cycles)), axis=1
    )
    rate = (np.asarray(truth.purchase_rate, dtype=float) / 365.0 + replenish) * active
    return rate, active


async def moments_at(world: SimWorld, at: datetime) -> Moments:
    """Every member's trigger intent at `at` (naive or aware UTC), from the database so far."""
    at = at.replace(tzinfo=None)
    params = world.response.params.intent
    truth = world.truth
    n = len(truth.customer_id)
    since = at - timedelta(days=params.window_days)
    async with world.db.session() as session:
        carts = (
            await session.execute(
                select(
                    BehaviouralEvent.customer_id,
                    BehaviouralEvent.category_id,
                    BehaviouralEvent.occurred_at,
                    BehaviouralEvent.product_id,
                ).where(
                    BehaviouralEvent.type == "cart_add",
                    BehaviouralEvent.occurred_at >= since,
                    BehaviouralEvent.occurred_at < at,
                    BehaviouralEvent.session_id.like("b%"),
                )
            )
        ).all()
        views = (
            await session.execute(
                select(
                    BehaviouralEvent.customer_id,
                    BehaviouralEvent.category_id,
                    func.count(),
                    func.max(BehaviouralEvent.occurred_at),
                )
                .where(
                    BehaviouralEvent.type == "view",
                    BehaviouralEvent.occurred_at >= since,
                    BehaviouralEvent.occurred_at < at,
                    BehaviouralEvent.category_id.is_not(None),
                )
                .group_by(BehaviouralEvent.customer_id, BehaviouralEvent.category_id)
            )
        ).all()
        last_order = dict(
            (
                await session.execute(
                    select(Order.customer_id, func.max(Order.placed_at))
                    .where(Order.placed_at < at, Order.placed_at >= since)
                    .group_by(Order.customer_id)
                )
            ).all()
        )
        bought = (
            await session.execute(
                select(Order.customer_id, Product.category_id, func.max(Order.placed_at))
                .join(OrderLine, OrderLine.order_id == Order.id)
                .join(Product, Product.id == OrderLine.product_id)
                .where(
                    and_(
                        Order.placed_at < at,
                        Order.placed_at >= at - REPLENISH_LOOKBACK,
                        Product.category_id.in_([int(c) for c in truth.replenish_category_id]),
                    )
                )
                .group_by(Order.customer_id, Product.category_id)
            )
        ).all()

    level = np.zeros(n)
    kind = np.full(n, NONE, dtype=np.int8)
    category = np.full(n, -1, dtype=np.int64)
    when = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    position = {int(c): i for i, c in enumerate(truth.customer_id)}
    day = timedelta(days=1)

    def offer(customer: int, strength: float, trigger: datetime, what: int, cat: int | None) -> None:
        i = position.get(int(customer))
        if i is None or cat is None:
            return
        consumed = last_order.get(customer)
        if consumed is not None and consumed > trigger and what != REPLENISH:
            return  # an organic purchase after the trigger used the intent up
        if strength > level[i]:
            level[i], kind[i], category[i], when[i] = strength, what, int(cat), np.datetime64(trigger, "us")

    carted: dict[int, set[int]] = {}
    for customer, cat, occurred, product in carts:
        if product is not None:
            carted.setdefault(int(customer), set()).add(int(product))
        offer(
            customer,
            params.cart * float(np.exp(-((at - occurred) / day) / params.decay_days)),
            occurred,
            CART,
            cat,
        )
    for customer, cat, count, last in views:
        if count >= params.browse_views:
            offer(
                customer,
                params.browse * float(np.exp(-((at - last) / day) / params.decay_days)),
                last,
                BROWSE,
                cat,
            )
    replenish_index = {int(c): k for k, c in enumerate(truth.replenish_category_id)}
    for customer, cat, last in bought:
        i, k = position.get(int(customer)), replenish_index.get(int(cat))
        if i is None or k is None:
            continue
        cycle = float(truth.replenish_cycle_days[i, k])
        if np.isnan(cycle):
            continue
        age = (at - last) / day
        if 0.9 * cycle <= age <= 1.5 * cycle:
            offer(customer, params.replenish, last, REPLENISH, cat)
    rate, active = own_order_rate(world)
    return Moments(
        at=at,
        intent=level,
        intent_kind=kind,
        intent_category=category,
        trigger_at=when,
        order_rate=rate,
        active=active,
        carted={customer: frozenset(products) for customer, products in carted.items()},
    )
