"""`loyalty models ...`: fit the profile models on command, and list what is fitted."""

import json
from datetime import datetime

import typer
from rich.table import Table

from loyalty.cli.common import DbOption, console, run, settings_for
from loyalty.cli.moments import parse_moment
from loyalty.cli.profiles import AsOfOption, ModelsDirOption, default_batch_as_of, with_service
from tools.errors import InvalidInput
from tools.profiles.artefact import FittedModels
from tools.profiles.freshness import DEFAULT_STALE_AFTER
from tools.profiles.service import ProfileService

app = typer.Typer(help="The models behind profile predictions: fit, list.", no_args_is_help=True)


@app.command("fit")
def fit(db: DbOption = None, as_of: AsOfOption = None, models_dir: ModelsDirOption = None) -> None:
    """Fit every prediction model on the history before --as-of (default: the day after the
    newest data) and save them with their metrics."""
    settings = settings_for(db)

    async def work(service: ProfileService) -> FittedModels:
        moment = await default_batch_as_of(service, parse_moment(as_of, "--as-of"))
        if moment is None:
            raise InvalidInput("no orders in the database: import or seed some first")
        return await service.fit(moment)

    models = run(with_service(settings, models_dir, None, DEFAULT_STALE_AFTER.days, work))
    console.print_json(json.dumps(models.summary()))


@app.command("list")
def list_models(db: DbOption = None, models_dir: ModelsDirOption = None) -> None:
    """The fitted model sets, by as-of date."""
    settings = settings_for(db)

    async def work(service: ProfileService) -> tuple[str, list[datetime]]:
        return str(service.store.directory), service.store.available()

    where, found = run(with_service(settings, models_dir, None, DEFAULT_STALE_AFTER.days, work))
    table = Table(title=f"fitted models in {where}", show_edge=False)
    table.add_column("as of")
    for moment in found:
        table.add_row(f"{moment:%Y-%m-%d %H:%M}")
    console.print(table if found else f"no fitted models in {where}", highlight=False)
