"""How recent the data is: the newest order or behavioural event, the one date both readiness
checks (`loyalty check` and `loyalty mcp config`) judge staleness by."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from tools.storage import BehaviouralEvent, Order


async def newest_records(
    conn: AsyncConnection | AsyncSession, until: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """The newest order and the newest event (each None when there is none), at or before `until`
    (storage time) when given."""
    orders = select(func.max(Order.placed_at))
    events = select(func.max(BehaviouralEvent.occurred_at))
    if until is not None:
        orders, events = (
            orders.where(Order.placed_at <= until),
            events.where(BehaviouralEvent.occurred_at <= until),
        )
    return await conn.scalar(orders), await conn.scalar(events)


def newest(*moments: datetime | None) -> datetime | None:
    return max((m for m in moments if m is not None), default=None)
