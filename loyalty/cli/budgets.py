"""`loyalty budgets ...`: the money each use case may give away, by period; pause and resume."""

from datetime import datetime
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from loyalty.cli.campaign import AtOption, clock_for
from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.cli.moments import parse_moment
from policies.vocabulary import UseCase
from tools.budgets import BudgetChange, BudgetRequest, UseCaseBudget, list_budgets, set_budget, set_paused
from tools.errors import InvalidInput
from tools.files import validation_problems
from tools.storage import checked_database
from tools.time import to_storage

app = typer.Typer(
    help="Use-case budgets: set them by period, list them, pause and resume.", no_args_is_help=True
)

UseCaseArgument = Annotated[
    str, typer.Argument(help="reactivation, cart_abandonment, upsell or competitive_response.")
]


def _use_case(raw: str) -> UseCase:
    try:
        return UseCase(raw.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"unknown use case {raw!r}: use one of {', '.join(u.value for u in UseCase)}"
        ) from None


def _request(use_case: str, amount: float, start: str, end: str) -> BudgetRequest:
    start_at, end_at = parse_moment(start, "--from"), parse_moment(end, "--to")
    if start_at is None or end_at is None:  # both options are required: typer has said so already
        raise InvalidInput("a budget needs --from and --to")
    try:
        return BudgetRequest(
            use_case=_use_case(use_case), amount=amount, period_start=start_at, period_end=end_at
        )
    except ValidationError as exc:
        raise InvalidInput(f"invalid budget: {validation_problems(exc)}") from None


# A negative amount ("-5") would read as an unknown option: let it through to the validation.
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_command(
    use_case: UseCaseArgument,
    amount: Annotated[float, typer.Argument(help="Money the use case may give away in the period.")],
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD, inclusive).")],
    end: Annotated[str, typer.Option("--to", help="End of the period (YYYY-MM-DD, exclusive).")],
    db: DbOption = None,
) -> None:
    """Set a use case's budget for a period; the same period again changes its amount."""
    settings = settings_for(db)

    async def go() -> BudgetChange:
        request = _request(use_case, amount, start, end)
        async with checked_database(settings.db_url) as store:
            return await set_budget(store, request)

    done = run(go())
    b = done.budget
    console.print(
        f"{done.change}: {b.use_case.value} {b.amount:,.2f} from {b.period_start:%Y-%m-%d} to "
        f"{b.period_end:%Y-%m-%d} ({b.spent:,.2f} committed)",
        highlight=False,
    )


@app.command("list")
def list_command(db: DbOption = None, at: AtOption = None) -> None:
    """Every budget; the ones covering now (or --at) are marked."""
    settings = settings_for(db)
    now = to_storage(clock_for(at)())

    async def go() -> list[UseCaseBudget]:
        async with checked_database(settings.db_url) as store:
            return await list_budgets(store)

    budgets = run(go())
    if not budgets:
        console.print("no budgets: set one with `loyalty budgets set USE_CASE AMOUNT --from DATE --to DATE`")
        return
    table = Table(title=f"budgets (now: {now:%Y-%m-%d %H:%M} UTC)")
    for column in ("use case", "from", "to", "amount", "committed", "remaining", "state"):
        table.add_column(
            column, justify="right" if column in ("amount", "committed", "remaining") else "left"
        )
    for b in budgets:
        table.add_row(
            b.use_case.value,
            f"{b.period_start:%Y-%m-%d}",
            f"{b.period_end:%Y-%m-%d}",
            f"{b.amount:,.2f}",
            f"{b.spent:,.2f}",
            f"{b.remaining:,.2f}",
            _state(b, now),
        )
    console.print(table)


def _state(budget: UseCaseBudget, now: datetime) -> str:
    if budget.period_end <= now:
        return "ended"
    if budget.period_start > now:
        return "upcoming"
    return "paused" if budget.paused else "current"


def _pause(use_case: str, paused: bool, db: str | None, at: str | None) -> None:
    settings = settings_for(db)
    clock = clock_for(at)

    async def go() -> UseCaseBudget:
        chosen = _use_case(use_case)
        async with checked_database(settings.db_url) as store:
            return await set_paused(store, chosen, paused, now=clock())

    b = run(go())
    console.print(
        f"{b.use_case.value}: {'paused' if b.paused else 'running'} (budget {b.period_start:%Y-%m-%d} to "
        f"{b.period_end:%Y-%m-%d}, {b.remaining:,.2f} left)",
        highlight=False,
    )


@app.command("pause")
def pause_command(use_case: UseCaseArgument, db: DbOption = None, at: AtOption = None) -> None:
    """Stop the use case's current budget paying for anything (sends of the use case are refused)."""
    _pause(use_case, True, db, at)


@app.command("resume")
def resume_command(use_case: UseCaseArgument, db: DbOption = None, at: AtOption = None) -> None:
    """Let the use case's current budget pay again."""
    _pause(use_case, False, db, at)
