"""The `loyalty` command: the composition root wiring settings, storage, servers and agents."""

import typer

from loyalty.cli import budgets as budgets_cli
from loyalty.cli import campaign as campaign_cli
from loyalty.cli import db, mcp
from loyalty.cli import evals as evals_cli
from loyalty.cli import events as events_cli
from loyalty.cli import imports as imports_cli
from loyalty.cli import models as models_cli
from loyalty.cli import offers as offers_cli
from loyalty.cli import outbox as outbox_cli
from loyalty.cli import profiles as profiles_cli
from loyalty.cli import report as report_cli
from loyalty.cli import seed as seed_cli
from loyalty.cli import segments as segments_cli
from loyalty.cli.chat import chat_command
from loyalty.cli.check import check_command
from loyalty.cli.common import OneLineErrors
from loyalty.cli.demo import demo_command
from loyalty.cli.usage import usage_command
from loyalty.cli.worker import worker_command
from loyalty.logs import configure_logging
from loyalty.settings import load_settings

app = typer.Typer(
    name="loyalty",
    help="Loyalty personalisation agents over MCP.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=OneLineErrors,
)
app.add_typer(db.app, name="db")
app.add_typer(mcp.app, name="mcp")
app.add_typer(events_cli.app, name="events")
app.add_typer(outbox_cli.app, name="outbox")
app.add_typer(imports_cli.app, name="import")
app.add_typer(profiles_cli.app, name="profiles")
app.add_typer(models_cli.app, name="models")
app.add_typer(campaign_cli.app, name="campaign")
app.add_typer(budgets_cli.app, name="budgets")
app.add_typer(offers_cli.app, name="offers")
app.add_typer(evals_cli.app, name="eval")
app.command("profile")(profiles_cli.profile_command)
app.command("segments")(segments_cli.segments_command)
app.command("demo")(demo_command)
app.command("chat")(chat_command)
app.command("check")(check_command)
app.command("worker")(worker_command)
app.command("usage")(usage_command)
app.command("report")(report_cli.report_command)
app.command("alerts")(report_cli.alerts_command)
seed_cli.register(app)


@app.callback()
def root(
    log_level: str = typer.Option(None, "--log-level", help="debug, info, warning or error."),
) -> None:
    try:
        settings = load_settings(log_level=log_level)
    except Exception as exc:  # settings errors are reported again, with context, by the command
        configure_logging()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.log_format)


def main() -> None:
    app()
