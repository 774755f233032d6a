"""The CLI boundary maps the error tree once: a `LoyaltyError` is one line and exit 2, a bug one
line and exit 1 with its traceback in the structured log, never on the user's screen."""

import json

import typer
from typer.testing import CliRunner

from loyalty.cli.common import OneLineErrors, run
from loyalty.logs import configure_logging
from tools.errors import NotFound

app = typer.Typer(cls=OneLineErrors)


@app.callback()
def _root() -> None:
    configure_logging("warning", "json")


@app.command()
def missing() -> None:
    raise NotFound("no member 'M9'")


@app.command()
def missing_async() -> None:
    async def go() -> None:
        raise NotFound("no member 'M9'")

    run(go())


@app.command()
def bug() -> None:
    raise RuntimeError("the generator broke a CHECK")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_loyalty_error_is_one_line_and_exit_2() -> None:
    for command in ("missing", "missing-async"):
        result = CliRunner().invoke(app, [command])
        assert result.exit_code == 2
        assert _lines(result.stderr) == ["error: no member 'M9'"]


def test_a_bug_is_one_line_and_exit_1_with_the_traceback_only_in_the_log() -> None:
    result = CliRunner().invoke(app, ["bug"])
    assert result.exit_code == 1
    lines = _lines(result.stderr)
    shown = [line for line in lines if not line.startswith("{")]
    assert shown == [
        "error: internal error (RuntimeError: the generator broke a CHECK); the log on stderr has "
        "the traceback - please report it"
    ]
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    assert [entry["event"] for entry in logged] == ["cli.internal_error"]
    assert "Traceback" in logged[0]["exception"] and "Traceback" not in result.stdout
