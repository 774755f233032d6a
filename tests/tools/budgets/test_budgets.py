"""Budgets have one home: the periods a person sets, the one covering a moment, what is left of
it, and committing a send's cost in whole cents."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from policies.vocabulary import UseCase
from tests.tools.proposals import NOW, add_member
from tools.budgets import (
    BudgetRequest,
    BudgetState,
    budget_state,
    budget_status,
    cents,
    fits_budget,
    list_budgets,
    remaining,
    reserve_cents,
    set_budget,
    set_paused,
)
from tools.errors import InvalidInput, NotFound
from tools.storage.db import Database
from tools.storage.models import Budget


def test_money_is_counted_in_whole_cents() -> None:
    assert cents(0.1 + 0.2) == 30
    assert cents(Decimal("12.345")) == 1235  # half up
    assert fits_budget(0.3, 100.3, 100.0)  # exactly what is left fits
    assert not fits_budget(0.31, 100.3, 100.0)
    assert remaining(100.3, 100.0) == 0.3


async def test_the_state_covering_a_moment(db: Database) -> None:
    async with db.session() as s:
        assert await budget_state(s, UseCase.UPSELL, NOW) == BudgetState(0.0, False)  # none yet
    await add_member(db, budget=250.0)
    async with db.session() as s:
        assert await budget_state(s, UseCase.UPSELL, NOW) == BudgetState(250.0, False)
        assert await budget_state(s, UseCase.UPSELL, NOW + timedelta(days=30)) == BudgetState(0.0, False)
    paused = await set_paused(db, UseCase.UPSELL, True, now=NOW)
    assert paused.paused and paused.remaining == 250.0
    async with db.session() as s:
        assert await budget_state(s, UseCase.UPSELL, NOW) == BudgetState(0.0, True)
    shown = {b["use_case"]: b for b in await budget_status(db, NOW)}
    assert shown["upsell"]["paused"] and shown["reactivation"]["remaining"] == 250.0
    with pytest.raises(NotFound):
        await set_paused(db, UseCase.UPSELL, False, now=NOW + timedelta(days=30))


async def test_reserving_stops_at_exactly_what_is_left(db: Database) -> None:
    await add_member(db, budget=10.0)
    async with db.session() as s, s.begin():
        budget_id = await s.scalar(select(Budget.id).where(Budget.use_case == UseCase.UPSELL.value))
        assert budget_id is not None
        assert await reserve_cents(s, budget_id, 999)
        assert await reserve_cents(s, budget_id, 1)  # the last cent fits
        assert not await reserve_cents(s, budget_id, 1)
    async with db.session() as s:
        assert await budget_state(s, UseCase.UPSELL, NOW) == BudgetState(0.0, False)


async def test_periods_are_set_idempotently_and_never_overlap(db: Database) -> None:
    naive = NOW.replace(tzinfo=None)
    request = BudgetRequest(
        use_case=UseCase.UPSELL, amount=500, period_start=naive, period_end=naive + timedelta(days=30)
    )
    assert (await set_budget(db, request)).change == "created"
    assert (await set_budget(db, request)).change == "unchanged"
    assert (await set_budget(db, request.model_copy(update={"amount": 600}))).budget.remaining == 600
    with pytest.raises(InvalidInput):
        await set_budget(db, request.model_copy(update={"period_start": naive + timedelta(days=1)}))
    assert [b.amount for b in await list_budgets(db)] == [600]
