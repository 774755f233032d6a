"""Running the `loyalty` command in-process, as a user would from a shell.

The root callback configures logging on the runner's temporary stderr; logging is put back
to its defaults afterwards so later tests do not write to a closed stream.
"""

from dataclasses import dataclass

import structlog
from typer.testing import CliRunner

from loyalty.cli.app import app


@dataclass(frozen=True)
class Ran:
    exit_code: int
    stdout: str
    stderr: str


def loyalty(*args: str) -> Ran:
    try:
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        structlog.reset_defaults()
    return Ran(result.exit_code, result.stdout, result.stderr)


def one_error_line(result: Ran) -> str:
    """The single `error: ...` line a failing command prints, with no traceback anywhere."""
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]
