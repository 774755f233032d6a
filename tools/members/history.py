"""A member's recent orders and behavioural events, newest first, for tools and people to read."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tools.errors import NotFound
from tools.storage import BehaviouralEvent, Category, Customer, Database, Order, OrderLine, Product
from tools.time import to_storage


async def _require_member(session: AsyncSession, customer_id: int) -> None:
    if await session.get(Customer, customer_id) is None:
        raise NotFound(f"no member with id {customer_id}")


async def purchase_history(db: Database, customer_id: int, *, limit: int) -> list[dict[str, Any]]:
    async with db.session() as session:
        await _require_member(session, customer_id)
        orders = (
            await session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.placed_at.desc())
                .limit(limit)
            )
        ).all()
        ids = [o.id for o in orders]
        lines = (
            (
                await session.execute(
                    select(
                        OrderLine.order_id,
                        Product.sku,
                        Product.name,
                        Category.name,
                        OrderLine.quantity,
                        OrderLine.unit_price,
                        OrderLine.discount,
                    )
                    .join(Product, Product.id == OrderLine.product_id)
                    .join(Category, Category.id == Product.category_id)
                    .where(OrderLine.order_id.in_(ids))
                )
            ).all()
            if ids
            else []
        )
    by_order: dict[int, list[dict[str, Any]]] = {}
    for order_id, sku, name, category, qty, price, discount in lines:
        by_order.setdefault(order_id, []).append(
            {
                "sku": sku,
                "name": name,
                "category": category,
                "quantity": qty,
                "unit_price": price,
                "discount": discount,
            }
        )
    return [
        {
            "order_id": o.external_id,
            "placed_at": o.placed_at.isoformat(),
            "channel": o.channel,
            "total": o.total,
            "discount_total": o.discount_total,
            "coupon_code": o.coupon_code,
            "lines": by_order.get(o.id, []),
        }
        for o in orders
    ]


async def recent_events(
    db: Database, customer_id: int, *, now: datetime, days: int, limit: int, types: list[str] | None = None
) -> list[dict[str, Any]]:
    since = to_storage(now) - timedelta(days=days)
    async with db.session() as session:
        await _require_member(session, customer_id)
        query = (
            select(BehaviouralEvent, Product.sku, Product.name, Category.name)
            .outerjoin(Product, Product.id == BehaviouralEvent.product_id)
            .outerjoin(Category, Category.id == BehaviouralEvent.category_id)
            .where(
                BehaviouralEvent.customer_id == customer_id,
                BehaviouralEvent.occurred_at >= since,
                BehaviouralEvent.occurred_at <= to_storage(now),
            )
        )
        if types:
            query = query.where(BehaviouralEvent.type.in_(types))
        rows = (await session.execute(query.order_by(BehaviouralEvent.occurred_at.desc()).limit(limit))).all()
    return [
        {
            "type": e.type,
            "occurred_at": e.occurred_at.isoformat(),
            "sku": sku,
            "product": name,
            "category": category,
            "channel": e.channel,
            "value": e.value,
        }
        for e, sku, name, category in rows
    ]
