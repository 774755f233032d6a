"""Pausing and resuming a use case: its current budget stops (or resumes) paying for anything.

A paused budget makes the rules' budget check see nothing left and the outbox refuse every send
for the use case (`tools.outbox`), whichever path — trigger, campaign or ops chat — proposed it.
"""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from policies.vocabulary import UseCase
from tools.decisions.approvals import naive_utc
from tools.errors import NotFound
from tools.storage.db import Database
from tools.storage.models import Budget


class UseCaseBudget(BaseModel):
    use_case: UseCase
    paused: bool
    amount: float
    spent: float
    remaining: float
    period_start: datetime
    period_end: datetime


async def set_paused(db: Database, use_case: UseCase, paused: bool, *, now: datetime) -> UseCaseBudget:
    """Pause or resume the budget covering `now`; doing it twice is harmless."""
    moment = naive_utc(now)
    async with db.session() as session, session.begin():
        budget = await session.scalar(select(Budget).where(
            Budget.use_case == use_case.value, Budget.period_start <= moment, Budget.period_end > moment))
        if budget is None:
            raise NotFound(f"no {use_case.value} budget covers {moment:%Y-%m-%d %H:%M}; nothing to "
                           f"{'pause' if paused else 'resume'}")
        budget.paused = paused
    return UseCaseBudget(use_case=use_case, paused=budget.paused, amount=budget.amount, spent=budget.spent,
                         remaining=round(budget.amount - budget.spent, 2), period_start=budget.period_start,
                         period_end=budget.period_end)
