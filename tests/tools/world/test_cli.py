"""`loyalty seed` and `loyalty world summary` from the command line: a summary on success, and for
bad input one error line, a non-zero exit, no traceback and nothing written."""

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from loyalty.cli import db as db_cli
from loyalty.cli import seed as seed_cli
from loyalty.logs import configure_logging
from policies.vocabulary import UseCase
from tools.time import utcnow

app = typer.Typer()
app.add_typer(db_cli.app, name="db")
seed_cli.register(app)


@app.callback()
def _root() -> None:
    configure_logging("warning", "json")  # as the real root does, so logs stay on stderr


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOYALTY_TRUTH_DIR", str(tmp_path / "truth"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _members(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0]


def _last_day(conn: sqlite3.Connection) -> date:
    note = conn.execute("SELECT world_note FROM schema_info").fetchone()[0]
    return date.fromisoformat(json.loads(note)["last_day"])


def test_seed_prints_a_summary_and_world_summary_repeats_it(env: Path) -> None:
    url = f"sqlite:///{env / 'demo.db'}"
    result = CliRunner().invoke(
        app, ["seed", "--customers", "120", "--seed", "3", "--months", "4", "--db", url]
    )
    assert result.exit_code == 0, result.output
    assert "members" in result.stdout and "120" in result.stdout and "abandoned carts" in result.stdout
    assert "hidden traits" in result.stderr and list((env / "truth").glob("world-*-seed3.npz"))
    again = CliRunner().invoke(app, ["world", "summary", "--db", url])
    assert again.exit_code == 0 and again.stdout == result.stdout
    # One clock: the world ends yesterday, so every command works at the wall clock right after.
    now = utcnow()
    with sqlite3.connect(env / "demo.db") as conn:
        last_day = _last_day(conn)
        covering = conn.execute(
            "SELECT COUNT(*) FROM budgets WHERE period_start <= ? AND period_end > ?",
            (now.isoformat(" "), now.isoformat(" ")),
        ).fetchone()[0]
    assert last_day == now.date() - timedelta(days=1)
    assert covering == len(UseCase)


def test_seed_ends_on_the_end_date_given(env: Path) -> None:
    url = f"sqlite:///{env / 'fixed.db'}"
    result = CliRunner().invoke(
        app, ["seed", "--customers", "40", "--months", "2", "--end-date", "2026-05-31", "--db", url]
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(env / "fixed.db") as conn:
        assert _last_day(conn) == date(2026, 5, 31)
        # the day after a month's last day is covered too: the budgets run to the end of June
        assert {row[0][:10] for row in conn.execute("SELECT period_end FROM budgets")} == {"2026-07-01"}


def test_reseeding_needs_reset(env: Path) -> None:
    url = f"sqlite:///{env / 'w.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["seed", "--customers", "30", "--months", "2", "--db", url]).exit_code == 0
    refused = runner.invoke(app, ["seed", "--customers", "40", "--months", "2", "--db", url])
    assert refused.exit_code == 2 and "--reset" in refused.stderr and _members(env / "w.db") == 30
    reset = runner.invoke(app, ["seed", "--customers", "40", "--months", "2", "--db", url, "--reset"])
    assert reset.exit_code == 0 and _members(env / "w.db") == 40


def _other_version(path: Path) -> str:
    url = f"sqlite:///{path}"
    assert CliRunner().invoke(app, ["db", "init", "--db", url]).exit_code == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    return url


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customers", "-5"], "--customers must be between 1"),
        (["--customers", "0"], "--customers must be between 1"),
        (["--months", "0"], "--months must be between 1 and 60"),
        (["--seed", "-1"], "--seed must be between 0"),
        (["--end-date", "31/05/2026"], "--end-date must be a date"),
        (["--db", "not a url"], "malformed database URL"),
        (["--db", "mysql://u@h/db"], "unsupported database"),
        (["--db", "sqlite:////no/such/dir/w.db"], "does not exist"),
        (["--db", "sqlite:////etc/hostname/w.db"], "cannot create database"),
        (
            ["--population", "/no/such/population.toml"],
            "population file /no/such/population.toml does not exist",
        ),
        (["--db", "OTHER_VERSION"], "schema revision 0999"),
    ],
)
def test_bad_input_is_one_clear_line(env: Path, args: list[str], message: str) -> None:
    if "OTHER_VERSION" in args:
        args = ["--db", _other_version(env / "old.db")]
    result = CliRunner().invoke(app, ["seed", "--customers", "20", *args])  # a repeated option: the last wins
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr and result.stderr.startswith("error:")
    assert "Traceback" not in result.output and result.stdout == ""
    assert not list(env.rglob("*.npz")) and not (env / "loyalty.db").exists()
    if (env / "old.db").exists():
        assert _members(env / "old.db") == 0


def test_bad_population_names_the_field(env: Path) -> None:
    bad = env / "bad.toml"
    bad.write_text(
        (Path(seed_cli.__file__).parents[2] / "tools" / "world" / "default_population.toml")
        .read_text()
        .replace("skus = 720", "skus = -1")
    )
    result = CliRunner().invoke(app, ["seed", "--population", str(bad), "--db", f"sqlite:///{env / 'x.db'}"])
    assert result.exit_code == 2 and "catalogue.skus" in result.stderr and result.stderr.count("\n") == 1
    assert not (env / "x.db").exists()


def test_summary_of_a_missing_database_is_one_line(env: Path) -> None:
    result = CliRunner().invoke(app, ["world", "summary", "--db", f"sqlite:///{env / 'none.db'}"])
    assert result.exit_code == 2 and "not initialised" in result.stderr and "Traceback" not in result.output


def test_unwritable_truth_directory_is_one_line(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOYALTY_TRUTH_DIR", "/proc/loyalty-truth")
    result = CliRunner().invoke(app, ["seed", "--customers", "20", "--db", f"sqlite:///{env / 'w.db'}"])
    assert result.exit_code == 2 and "hidden-traits directory /proc/loyalty-truth" in result.stderr
    assert result.stderr.count("\n") == 1 and not (env / "w.db").exists()
