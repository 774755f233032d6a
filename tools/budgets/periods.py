"""Use-case budget periods: setting and listing them, and pausing or resuming one.

A budget is money a use case may give away in a period (`period_start` inclusive, `period_end`
exclusive). A use case's periods never overlap, so whichever moment a decision is made at, at
most one budget pays for it. Setting the same period again changes its amount (idempotent);
a period overlapping another is refused.

A paused budget makes the rules' budget check see nothing left and the outbox refuse every send
for the use case (`tools.outbox`, through `tools.budgets.reserve`), whichever path — trigger, campaign or ops chat — proposed it.
"""

from datetime import datetime

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from policies.vocabulary import UseCase
from tools.budgets.current import covering
from tools.budgets.money import remaining
from tools.errors import InvalidInput, NotFound
from tools.storage import Budget, Database, begin_write
from tools.time import to_storage


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
    moment = to_storage(now)
    async with db.session() as session, session.begin():
        budget = await session.scalar(
            select(Budget).where(Budget.use_case == use_case.value, covering(moment))
        )
        if budget is None:
            raise NotFound(
                f"no {use_case.value} budget covers {moment:%Y-%m-%d %H:%M}; nothing to "
                f"{'pause' if paused else 'resume'}"
            )
        budget.paused = paused
    return _view(budget)


class BudgetRequest(BaseModel):
    """A budget as a person gives it (`loyalty budgets set`): validated before anything is written."""

    use_case: UseCase
    amount: float = Field(ge=0, le=1e9)
    period_start: datetime
    period_end: datetime

    @model_validator(mode="after")
    def _ordered(self) -> "BudgetRequest":
        if self.period_end <= self.period_start:
            raise ValueError(
                f"the period must end after it starts ({self.period_start:%Y-%m-%d} to "
                f"{self.period_end:%Y-%m-%d})"
            )
        return self


class BudgetChange(BaseModel):
    budget: UseCaseBudget
    change: str  # "created", "updated" or "unchanged"


def _view(budget: Budget) -> UseCaseBudget:
    return UseCaseBudget(
        use_case=UseCase(budget.use_case),
        paused=budget.paused,
        amount=budget.amount,
        spent=budget.spent,
        remaining=remaining(budget.amount, budget.spent),
        period_start=budget.period_start,
        period_end=budget.period_end,
    )


async def set_budget(db: Database, request: BudgetRequest) -> BudgetChange:
    """Create the use case's budget for the period, or change the amount of the one with exactly
    that period; refuse a period overlapping another, or an amount below what is already spent."""
    start, end = to_storage(request.period_start), to_storage(request.period_end)
    async with db.session() as session, session.begin():
        await begin_write(session)
        overlapping = (
            await session.scalars(
                select(Budget)
                .where(
                    Budget.use_case == request.use_case.value,
                    Budget.period_start < end,
                    Budget.period_end > start,
                )
                .order_by(Budget.period_start)
            )
        ).all()
        same = next((b for b in overlapping if b.period_start == start and b.period_end == end), None)
        others = [b for b in overlapping if b is not same]
        if others:
            clash = others[0]
            raise InvalidInput(
                f"the {request.use_case.value} budget {start:%Y-%m-%d} to {end:%Y-%m-%d} overlaps the one from "
                f"{clash.period_start:%Y-%m-%d} to {clash.period_end:%Y-%m-%d}: periods of a use case must not overlap"
            )
        amount = round(request.amount, 2)
        if same is None:
            budget = Budget(
                use_case=request.use_case.value,
                period_start=start,
                period_end=end,
                amount=amount,
                spent=0.0,
                paused=False,
            )
            session.add(budget)
            change = "created"
        elif same.amount == amount:
            budget, change = same, "unchanged"
        else:
            if amount < same.spent:
                raise InvalidInput(
                    f"{amount:,.2f} is less than the {same.spent:,.2f} the {request.use_case.value} "
                    f"budget has already committed"
                )
            same.amount, budget, change = amount, same, "updated"
        await session.flush()
        return BudgetChange(budget=_view(budget), change=change)


async def list_budgets(db: Database) -> list[UseCaseBudget]:
    """Every budget, by use case and period."""
    async with db.session() as session:
        rows = (await session.scalars(select(Budget).order_by(Budget.use_case, Budget.period_start))).all()
    return [_view(b) for b in rows]
