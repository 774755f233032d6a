"""`flows`: what a competent Klaviyo user sets up, the strong baseline the agents must beat.

E-mail only, to members who consented, from what the retailer's data shows (never the hidden traits):

- abandoned cart: a reminder of the cart's category an hour after it, without a discount; if the
  member still has not ordered, 10% off that category at 24 hours;
- browse follow-up: a member who viewed a category twice or more in the last day without a cart or
  an order hears about it the next morning;
- post-purchase cross-sell: three days after an order, new arrivals in its category;
- replenishment: when the member's own interval between orders of a consumable category has passed;
- win-back: 10% off on the 60th day without an order.

Like Klaviyo's smart sending, a member gets at most one flow message a day (cart first, then browse,
replenishment, cross-sell, win-back). Morning sends go out at the retailer's campaign hour in the
member's time zone.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from evals.simulation.baselines import Planned, email_members
from evals.simulation.environment import SimWorld
from tools.storage import BehaviouralEvent, Category, Customer, Order, OrderLine, Product
from tools.time import to_storage
from tools.world import DEPARTMENTS

CONSUMABLES = frozenset(c.name for d in DEPARTMENTS for c in d.categories if c.cycle_days is not None)

CART_DELAY, SECOND_CART = timedelta(hours=1), timedelta(hours=24)
CROSS_SELL_AFTER = timedelta(days=3)
WINBACK_AFTER = timedelta(days=60)
HISTORY = timedelta(days=240)


def next_local(now: datetime, zone: str, hour: int) -> datetime:
    """The first moment at or after `now` (naive UTC) when it is `hour`:00 in `zone`, as naive UTC."""
    tz = ZoneInfo(zone)
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at < local:
        at = (at + timedelta(days=1)).replace(hour=hour)
    return to_storage(at)


class Flows:
    name = "flows"

    async def plan(self, world: SimWorld, day: int, now: datetime) -> list[Planned]:
        naive = now.replace(tzinfo=None)
        consented = set(await email_members(world))
        hour = world.population.contacts.send_hour
        async with world.db.session() as session:
            names = dict((await session.execute(select(Category.id, Category.name))).all())
            zones = dict((await session.execute(select(Customer.id, Customer.time_zone))).all())
            last_order = dict(
                (
                    await session.execute(
                        select(Order.customer_id, func.max(Order.placed_at))
                        .where(Order.placed_at < naive)
                        .group_by(Order.customer_id)
                    )
                ).all()
            )
            carts = (
                await session.execute(
                    select(
                        BehaviouralEvent.customer_id,
                        BehaviouralEvent.category_id,
                        func.max(BehaviouralEvent.occurred_at),
                    )
                    .where(
                        BehaviouralEvent.type == "cart_add",
                        BehaviouralEvent.session_id.like("b%"),
                        BehaviouralEvent.occurred_at >= naive - 2 * SECOND_CART,
                        BehaviouralEvent.occurred_at < naive,
                    )
                    .group_by(BehaviouralEvent.customer_id, BehaviouralEvent.category_id)
                )
            ).all()
            views = (
                await session.execute(
                    select(BehaviouralEvent.customer_id, BehaviouralEvent.category_id, func.count())
                    .where(
                        BehaviouralEvent.type == "view",
                        BehaviouralEvent.occurred_at >= naive - timedelta(days=1),
                        BehaviouralEvent.occurred_at < naive,
                        BehaviouralEvent.category_id.is_not(None),
                    )
                    .group_by(BehaviouralEvent.customer_id, BehaviouralEvent.category_id)
                )
            ).all()
            bought = (
                await session.execute(
                    select(Order.customer_id, Product.category_id, Order.placed_at)
                    .join(OrderLine, OrderLine.order_id == Order.id)
                    .join(Product, Product.id == OrderLine.product_id)
                    .where(Order.placed_at >= naive - HISTORY, Order.placed_at < naive)
                    .order_by(Order.customer_id, Order.placed_at)
                )
            ).all()

        # the retailer knows which of its categories are consumables
        consumable = {i for i, name in names.items() if name in CONSUMABLES}

        def ordered_since(member: int, at: datetime) -> bool:
            last = last_order.get(member)
            return last is not None and last > at

        chosen: dict[int, Planned] = {}

        def propose(plan: Planned) -> None:
            if plan.customer_id in consented and plan.customer_id not in chosen:
                chosen[plan.customer_id] = plan

        for member, category, at in sorted(carts, key=lambda r: r[2], reverse=True):
            if ordered_since(member, at) or category is None:
                continue
            scope = (names[category],)
            if naive - SECOND_CART <= at:  # the first reminder, an hour after the cart
                propose(
                    Planned(
                        member, "REMINDER", "cart_abandonment", max(at + CART_DELAY, naive), categories=scope
                    )
                )
            else:  # still nothing a day later: 10% off
                propose(
                    Planned(
                        member, "PCT10", "cart_abandonment", max(at + SECOND_CART, naive), categories=scope
                    )
                )
        carted = {m for m, _, _ in carts}
        for member, category, count in sorted(views, key=lambda r: -r[2]):
            if category is None:  # the query excludes these; the column is nullable
                continue
            if count >= 2 and member not in carted and not ordered_since(member, naive - timedelta(days=1)):
                propose(
                    Planned(
                        member,
                        "NEWIN",
                        "upsell",
                        next_local(naive, zones.get(member, "UTC"), hour),
                        categories=(names[category],),
                    )
                )
        by_member: dict[int, dict[int, list[datetime]]] = defaultdict(lambda: defaultdict(list))
        for member, category, at in bought:
            dates = by_member[member][category]
            if not dates or dates[-1].date() != at.date():
                dates.append(at)
        for member, categories in by_member.items():
            for category, dates in categories.items():
                if len(dates) < 2 or category not in consumable:
                    continue
                interval = (dates[-1] - dates[0]) / (len(dates) - 1)
                due = dates[-1] + interval
                if naive - timedelta(days=1) <= due < naive:  # the member's own interval has just passed
                    propose(
                        Planned(
                            member,
                            "REMINDER",
                            "upsell",
                            next_local(naive, zones.get(member, "UTC"), hour),
                            categories=(names[category],),
                        )
                    )
        for member, categories in by_member.items():
            for category, dates in categories.items():
                if naive - CROSS_SELL_AFTER - timedelta(days=1) <= dates[-1] < naive - CROSS_SELL_AFTER:
                    propose(
                        Planned(
                            member,
                            "NEWIN",
                            "upsell",
                            next_local(naive, zones.get(member, "UTC"), hour),
                            categories=(names[category],),
                        )
                    )
        for member, at in last_order.items():
            if naive - WINBACK_AFTER - timedelta(days=1) <= at < naive - WINBACK_AFTER:
                propose(
                    Planned(
                        member, "PCT10", "reactivation", next_local(naive, zones.get(member, "UTC"), hour)
                    )
                )
        return sorted(chosen.values(), key=lambda p: p.customer_id)
