"""Committing spend against a budget: one conditional UPDATE, so two senders racing for the last
of a budget cannot both win."""

from typing import Any
from typing import cast as typed

from sqlalchemy import Numeric, cast, func, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from tools.storage import Budget


async def reserve_cents(session: AsyncSession, budget_id: int, cost: int) -> bool:
    """Add `cost` (whole cents) to the budget's spend if it still fits; whether it did.

    Compared and added in whole cents inside the database too, so a float column on SQLite
    cannot turn "exactly the budget left" into a refusal. The budgets table's CHECK constraint
    stays the last line of defence (an IntegrityError for the caller)."""
    # An ORM-enabled UPDATE through the session (so loaded Budget rows see the new spend) returns a
    # cursor result; the stubs type it as a plain Result.
    reserved = typed(
        "CursorResult[Any]",
        await session.execute(
            update(Budget)
            .where(
                Budget.id == budget_id,
                func.round(Budget.spent * 100) + cost <= func.round(Budget.amount * 100),
            )
            .values(spent=func.round(cast(Budget.spent + cost / 100, Numeric(14, 4)), 2))
        ),
    )
    return bool(reserved.rowcount == 1)
