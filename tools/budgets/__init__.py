"""Budgets: the money a use case may give away in a period, and every question asked of it.

- `periods`: set, list, pause and resume a use case's budget periods (`loyalty budgets`, ops chat);
- `current`: the budget covering a moment, what is left of it (`BudgetState`), as the rules, the
  campaign planner, readiness and the catalogue server read it;
- `money`: whole-cent arithmetic, whether a cost fits;
- `reserve`: committing a send's cost with one conditional UPDATE (the outbox).
"""

from tools.budgets.current import BudgetState, budget_state, budget_status, covering, use_case_paused
from tools.budgets.money import cents, fits_budget, remaining
from tools.budgets.periods import (
    BudgetChange,
    BudgetRequest,
    UseCaseBudget,
    list_budgets,
    set_budget,
    set_paused,
)
from tools.budgets.reserve import reserve_cents

__all__ = [
    "BudgetChange",
    "BudgetRequest",
    "BudgetState",
    "UseCaseBudget",
    "budget_state",
    "budget_status",
    "cents",
    "covering",
    "fits_budget",
    "list_budgets",
    "remaining",
    "reserve_cents",
    "set_budget",
    "set_paused",
    "use_case_paused",
]
