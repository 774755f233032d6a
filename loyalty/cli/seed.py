"""`loyalty seed` builds a synthetic retailer; `loyalty world summary` says what a database holds."""

from datetime import date, timedelta
from pathlib import Path

import typer
from rich.table import Table

from loyalty.cli.bars import StageBars
from loyalty.cli.common import DbOption, console, err_console, run, settings_for
from tools.errors import InvalidInput
from tools.storage import checked_database, database
from tools.time import utcnow
from tools.world import WorldRequest, WorldSummary, load_population, seed_world, world_summary

world_app = typer.Typer(help="Inspect the retail world in a database.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("seed")(seed)
    app.add_typer(world_app, name="world")


def summary_table(summary: WorldSummary) -> Table:
    table = Table(
        title="retail world" + (f" as of {summary.as_of:%Y-%m-%d %H:%M} UTC" if summary.as_of else ""),
        show_header=False,
    )
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    for label, value in (
        ("members", f"{summary.members:,}"),
        ("orders", f"{summary.orders:,}"),
        ("order lines", f"{summary.order_lines:,}"),
        ("events", f"{summary.events:,}"),
        ("contacts", f"{summary.contacts:,}"),
        ("SKUs", f"{summary.skus:,}"),
        ("categories", f"{summary.categories:,} in {summary.departments} departments"),
        ("lapsed members", f"{summary.lapsed_share:.1%}"),
        ("abandoned carts", f"{summary.abandoned_cart_share:.1%}"),
        ("revenue", f"${summary.revenue:,.0f}"),
        ("gross margin", f"${summary.margin:,.0f} ({summary.margin_rate:.1%})"),
    ):
        table.add_row(label, value)
    return table


def yesterday() -> date:
    """The default last day of a seeded world: its history ends as the wall clock's day begins."""
    return utcnow().date() - timedelta(days=1)


def _end_date(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"--end-date must be a date like 2026-05-31, got {raw!r}") from None


def seed(
    customers: int = typer.Option(5_000, "--customers", help="Number of members."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed builds the same world."),
    months: int | None = typer.Option(
        None, "--months", help="Months of history (default: the population's)."
    ),
    population: Path | None = typer.Option(None, "--population", help="Population file (default: setting)."),
    end_date: str | None = typer.Option(
        None,
        "--end-date",
        help="Last day of history, YYYY-MM-DD (default: yesterday, UTC, so every command "
        "works at the wall clock right after seeding; give a date for a world that is the same every day).",
    ),
    db: DbOption = None,
    reset: bool = typer.Option(False, "--reset", help="Drop and re-create every table first."),
) -> None:
    """Build a synthetic retailer: catalogue, members, orders, events, contacts, stock, competitors."""

    async def go() -> WorldSummary:
        settings = settings_for(db)
        spec = load_population(population or settings.population_path)
        request = WorldRequest(
            spec,
            customers,
            seed,
            spec.world.months if months is None else months,
            _end_date(end_date) or yesterday(),
        )
        with StageBars(width=11) as progress:
            result = await seed_world(
                settings.db_url,
                settings.truth_dir,
                request,
                population_name=spec.world.name,
                reset=reset,
                progress=progress,
            )
        err_console.print(
            f"hidden traits (for the simulator only): {result.truth_path}", highlight=False, soft_wrap=True
        )
        store = database(settings.db_url)
        try:
            return await world_summary(store, spec.world.lapsed_after_days)
        finally:
            await store.dispose()

    console.print(summary_table(run(go())))


@world_app.command("summary")
def summary(db: DbOption = None) -> None:
    """Members, orders, events, contacts, catalogue, lapsed share, abandoned carts, revenue and margin."""

    async def go() -> WorldSummary:
        async with checked_database(settings_for(db).db_url) as store:
            return await world_summary(store)

    console.print(summary_table(run(go())))
