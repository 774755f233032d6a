"""The budget that pays for a decision made at a moment: the use case's period covering it.

A use case's periods never overlap (`tools.budgets.periods`), so at most one budget covers a
moment. The rules' budget check, the campaign planner, the catalogue server, readiness and the
outbox all ask this one question here.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from policies.vocabulary import UseCase
from tools.budgets.money import remaining
from tools.storage import Budget, Database
from tools.time import to_storage


def covering(moment: datetime) -> ColumnElement[bool]:
    """The budgets whose period covers `moment` (storage time): start inclusive, end exclusive."""
    return and_(Budget.period_start <= moment, Budget.period_end > moment)


@dataclass(frozen=True)
class BudgetState:
    """The use case's budget now: what is left to spend (0 when there is none or it is paused)."""

    remaining: float
    paused: bool


# Built once: a decision runs a rule check three times (the specialist's check, the guard's
# verdict, the re-check at send), and building a statement costs more than running it.
_CURRENT_BUDGET = select(Budget.amount, Budget.spent, Budget.paused).where(
    and_(
        Budget.use_case == bindparam("use_case"),
        Budget.period_start <= bindparam("now", type_=DateTime()),
        Budget.period_end > bindparam("now", type_=DateTime()),
    )
)


async def budget_state(
    session: AsyncSession | AsyncConnection, use_case: UseCase, now: datetime
) -> BudgetState:
    budget = (
        await session.execute(_CURRENT_BUDGET, {"use_case": use_case.value, "now": to_storage(now)})
    ).first()
    if budget is None:
        return BudgetState(0.0, False)
    if budget.paused:
        return BudgetState(0.0, True)
    return BudgetState(remaining(budget.amount, budget.spent), False)


async def use_case_paused(db: Database, use_case: UseCase, now: datetime) -> bool:
    """Ops paused this use case (its current budget carries the flag)."""
    async with db.engine.connect() as conn:
        return (await budget_state(conn, use_case, now)).paused


async def budget_status(db: Database, now: datetime, use_case: UseCase | None = None) -> list[dict[str, Any]]:
    """Every budget covering `now` (or the one use case's), as the catalogue server shows it."""
    moment = to_storage(now)
    async with db.session() as session:
        query = select(Budget).where(covering(moment))
        if use_case:
            query = query.where(Budget.use_case == use_case.value)
        rows = (await session.scalars(query.order_by(Budget.use_case))).all()
    return [
        {
            "use_case": b.use_case,
            "amount": b.amount,
            "spent": b.spent,
            "remaining": remaining(b.amount, b.spent),
            "period_start": b.period_start.isoformat(),
            "period_end": b.period_end.isoformat(),
            "paused": b.paused,
        }
        for b in rows
    ]
