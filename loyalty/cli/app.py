"""The `loyalty` command: the composition root wiring settings, storage, servers and agents."""

import typer

from loyalty.cli import db
from loyalty.logs import configure_logging
from loyalty.settings import load_settings

app = typer.Typer(
    name="loyalty",
    help="Loyalty personalisation agents over MCP.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")


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
