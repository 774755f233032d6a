"""What every command shares: the --db option, settings, and turning known errors into one line."""

import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from loyalty.logs import configure_logging
from loyalty.settings import Settings, load_settings
from tools.errors import LoyaltyError

T = TypeVar("T")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: LOYALTY_DB_URL, loyalty.toml, or sqlite file loyalty.db)."),
]

console = Console()
err_console = Console(stderr=True)


def settings_for(db: str | None = None, **overrides: Any) -> Settings:
    return load_settings(db_url=db, **overrides)


def quiet_logs(ctx: typer.Context) -> None:
    """Info logs would scroll a progress bar away; keep warnings unless --log-level was given."""
    if ctx.find_root().params.get("log_level") is None:
        configure_logging("warning", settings_for(None).log_format)
        logging.getLogger().setLevel(logging.WARNING)  # basicConfig only takes effect once


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; a LoyaltyError becomes one clear line and exit code 2."""
    try:
        return asyncio.run(coro)
    except LoyaltyError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", code=130) from None


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
