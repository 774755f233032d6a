"""What every command shares: the --db option, settings, and the CLI's one mapping of errors: a
`LoyaltyError` is one clear line and exit 2; anything else is a bug, logged with its traceback and
reported in one line too (a user never sees a traceback)."""

import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Annotated, Any, TypeVar

import structlog
import typer
from rich.console import Console
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from loyalty.logs import configure_logging
from loyalty.settings import Settings, load_settings
from tools.errors import LoyaltyError

T = TypeVar("T")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: LOYALTY_DB_URL, loyalty.toml, or sqlite file loyalty.db)."
    ),
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


def one_line(exc: BaseException) -> typer.Exit:
    """The CLI boundary's mapping of an exception to one printed line and an exit code."""
    if isinstance(exc, LoyaltyError):
        return fail(str(exc))
    if isinstance(exc, KeyboardInterrupt):
        return fail("interrupted", code=130)
    structlog.get_logger("loyalty.cli").error("cli.internal_error", exc_info=exc)
    return fail(
        f"internal error ({type(exc).__name__}: {exc}); the log on stderr has the traceback "
        "- please report it",
        code=1,
    )


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; errors become one line (see `one_line`)."""
    try:
        return asyncio.run(coro)
    except (LoyaltyError, KeyboardInterrupt) as exc:
        raise one_line(exc) from None


class OneLineErrors(TyperGroup):
    """The root command: whatever a command raises outside `run` is mapped by `one_line` too."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (TyperException, Exit, Abort):  # usage errors and exits: typer reports them itself
            raise
        except Exception as exc:
            raise one_line(exc) from None


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
