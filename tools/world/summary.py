"""What is in a retail database, in a dozen numbers computed with SQL aggregates.

Works on any database of this schema (seeded or imported). Definitions, shared with the
population file's `[expect]` bounds:
- lapsed share: members with at least one order whose last order is more than
  `lapsed_after_days` before the as-of instant, over members with at least one order;
- abandoned-cart share: sessions with a cart_add and no purchase, over sessions with a cart_add;
- margin: revenue (order totals, after discounts) minus the cost of the lines sold.
The as-of instant is the end of the seeded world's last day, or the newest order for other data.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import ScalarSelect, case, distinct, func, select

from tools.storage import BehaviouralEvent, Category, Contact, Customer, Database, Order, OrderLine, Product
from tools.world.stamp import read_world_info


@dataclass(frozen=True)
class WorldSummary:
    as_of: datetime | None
    members: int
    orders: int
    order_lines: int
    events: int
    contacts: int
    skus: int
    categories: int
    departments: int
    lapsed_share: float
    abandoned_cart_share: float
    revenue: float
    margin: float

    @property
    def margin_rate(self) -> float:
        return self.margin / self.revenue if self.revenue else 0.0


async def _as_of(db: Database) -> datetime | None:
    info = await read_world_info(db)
    if info is not None:
        return datetime.combine(info.last_day + timedelta(days=1), time())
    async with db.session() as session:
        return await session.scalar(select(func.max(Order.placed_at)))


async def world_summary(db: Database, lapsed_after_days: int = 90) -> WorldSummary:
    as_of = await _as_of(db)
    async with db.session() as s:

        def count(table: type) -> ScalarSelect[int]:
            return select(func.count()).select_from(table).scalar_subquery()

        counts = (
            await s.execute(
                select(
                    count(Customer),
                    count(Order),
                    count(OrderLine),
                    count(BehaviouralEvent),
                    count(Contact),
                    count(Product),
                    count(Category),
                    select(func.count(distinct(Category.department))).scalar_subquery(),
                    select(func.coalesce(func.sum(Order.total), 0.0)).scalar_subquery(),
                    select(
                        func.coalesce(func.sum(OrderLine.quantity * OrderLine.unit_cost), 0.0)
                    ).scalar_subquery(),
                )
            )
        ).one()
        last_order = select(func.max(Order.placed_at).label("last")).group_by(Order.customer_id).subquery()
        lapsed = 0.0
        if as_of is not None:
            cutoff = as_of - timedelta(days=lapsed_after_days)
            buyers, gone = (
                await s.execute(
                    select(
                        func.count(),
                        func.coalesce(func.sum(case((last_order.c.last < cutoff, 1), else_=0)), 0),
                    ).select_from(last_order)
                )
            ).one()
            lapsed = gone / buyers if buyers else 0.0
        carts = (
            select(
                func.max(case((BehaviouralEvent.type == "purchase", 1), else_=0)).label("bought"),
            )
            .where(
                BehaviouralEvent.session_id.is_not(None), BehaviouralEvent.type.in_(("cart_add", "purchase"))
            )
            .group_by(BehaviouralEvent.session_id)
            .having(func.max(case((BehaviouralEvent.type == "cart_add", 1), else_=0)) == 1)
            .subquery()
        )
        sessions, abandoned = (
            await s.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(1 - carts.c.bought), 0),
                ).select_from(carts)
            )
        ).one()
    members, orders, lines, events, contacts, skus, categories, departments, revenue, cost = counts
    return WorldSummary(
        as_of=as_of,
        members=members,
        orders=orders,
        order_lines=lines,
        events=events,
        contacts=contacts,
        skus=skus,
        categories=categories,
        departments=departments,
        lapsed_share=float(lapsed),
        abandoned_cart_share=abandoned / sessions if sessions else 0.0,
        revenue=float(revenue),
        margin=float(revenue) - float(cost),
    )
