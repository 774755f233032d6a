"""`loyalty budgets`: set by period (idempotent), list, pause and resume; bad input is one line,
a non-zero exit and nothing written."""

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalty.cli.app import app


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "b.db"
    result = CliRunner().invoke(app, ["db", "init", "--db", f"sqlite:///{path}"])
    assert result.exit_code == 0, result.output
    return path


def _run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--log-level", "warning", "budgets", *args, "--db", f"sqlite:///{db}"])
    return result.exit_code, result.output


def _rows(db: Path) -> list[tuple[str, str, float, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT use_case, substr(period_start, 1, 10), amount, paused FROM budgets "
            "ORDER BY use_case, period_start"
        ).fetchall()


def test_set_is_idempotent_and_updates_the_same_period(db: Path) -> None:
    assert _run(db, "set", "upsell", "500", "--from", "2026-12-01", "--to", "2027-01-01") == (
        0,
        "created: upsell 500.00 from 2026-12-01 to 2027-01-01 (0.00 committed)\n",
    )
    code, out = _run(db, "set", "upsell", "500", "--from", "2026-12-01", "--to", "2027-01-01")
    assert code == 0 and out.startswith("unchanged")
    code, out = _run(db, "set", "upsell", "750", "--from", "2026-12-01", "--to", "2027-01-01")
    assert code == 0 and out.startswith("updated: upsell 750.00")
    code, out = _run(
        db, "set", "upsell", "300", "--from", "2027-01-01", "--to", "2027-02-01"
    )  # adjacent: fine
    assert code == 0 and out.startswith("created")
    assert _rows(db) == [("upsell", "2026-12-01", 750.0, 0), ("upsell", "2027-01-01", 300.0, 0)]
    code, out = _run(db, "list", "--at", "2026-12-15")
    assert code == 0 and "current" in out and "upcoming" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["upsell", "200", "--from", "2026-12-15", "--to", "2027-01-15"], "overlaps the one from 2026-12-01"),
        (["upsell", "-5", "--from", "2027-03-01", "--to", "2027-04-01"], "greater than or equal to 0"),
        (["upsell", "5", "--from", "2027-04-01", "--to", "2027-03-01"], "must end after it starts"),
        (["marketing", "5", "--from", "2027-03-01", "--to", "2027-04-01"], "unknown use case 'marketing'"),
        (["upsell", "5", "--from", "01/03/2027", "--to", "2027-04-01"], "--from '01/03/2027' is not a date"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(db: Path, args: list[str], message: str) -> None:
    assert _run(db, "set", "upsell", "500", "--from", "2026-12-01", "--to", "2027-01-01")[0] == 0
    before = _rows(db)
    code, out = _run(db, "set", *args)
    assert code == 2 and message in out and "Traceback" not in out
    assert out.startswith("error:") and len(out.strip().splitlines()) == 1
    assert _rows(db) == before


def test_pause_and_resume_the_current_budget(db: Path) -> None:
    assert _run(db, "set", "reactivation", "100", "--from", "2026-12-01", "--to", "2027-01-01")[0] == 0
    code, out = _run(db, "pause", "reactivation", "--at", "2026-12-10")
    assert code == 0 and "paused" in out and _rows(db)[0][3] == 1
    code, out = _run(db, "resume", "reactivation", "--at", "2026-12-10")
    assert code == 0 and "running" in out and _rows(db)[0][3] == 0
    code, out = _run(db, "pause", "reactivation", "--at", "2027-02-10")
    assert code == 2 and "no reactivation budget covers 2027-02-10" in out
