"""`loyalty offers load FILE.toml`: the retailer's offer families (see docs/examples/offers.toml)."""

from pathlib import Path
from typing import Annotated

import typer

from loyalty.cli.common import DbOption, console, run, settings_for
from tools.catalogue import load_offers
from tools.importers import ImportSummary
from tools.storage import checked_database

app = typer.Typer(help="Offer families: load them from a TOML file.", no_args_is_help=True)


@app.command("load")
def load_command(
    file: Annotated[
        Path, typer.Argument(help="TOML file of [[offers]] tables (example: docs/examples/offers.toml).")
    ],
    db: DbOption = None,
) -> None:
    """Add or update offer templates by code; the whole file is validated first. Safe to run twice."""
    settings = settings_for(db)

    async def go() -> ImportSummary:
        async with checked_database(settings.db_url) as store:
            return await load_offers(store, file)

    console.print(run(go()).line(), highlight=False, soft_wrap=True)
