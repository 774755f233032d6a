"""The README's first steps, as a newcomer types them: no --db, no --at, no dates. The world ends
yesterday, so every command acts at the wall clock and finds data, budgets and fresh profiles."""

import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalty.cli.app import app


@pytest.fixture
def fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("LOYALTY_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return tmp_path


def _ok(*args: str) -> str:
    result = CliRunner().invoke(app, ["--log-level", "warning", *args])
    assert result.exit_code == 0, f"loyalty {' '.join(args)}:\n{result.output}"
    return result.output


def test_the_readme_first_steps_work_at_the_wall_clock(fresh_folder: Path) -> None:
    assert "members" in _ok("seed", "--customers", "150")
    with sqlite3.connect(fresh_folder / "loyalty.db") as conn:
        member = conn.execute(
            "SELECT customer_id FROM orders GROUP BY customer_id ORDER BY MAX(placed_at) DESC LIMIT 1"
        ).fetchone()[0]
        seeded_contacts = conn.execute("SELECT MAX(id) FROM contacts").fetchone()[0]

    check = _ok("check")  # exit 0: something can be sent right after seeding
    assert "stale data" not in check and "no budget covers" not in check

    profile = _ok("profile", str(member))
    assert "STALE" not in profile  # the newest record is from yesterday, not months ago

    offer = _ok("chat", "--once", f"offer for member {member}")
    assert "specialists asked" in offer

    campaign = _ok(
        "campaign",
        "plan",
        "--use-case",
        "reactivation",
        "--segment",
        "all",
        "--budget",
        "300",
        "--limit",
        "20",
        "--yes",
    )
    assert "$0.00 available" not in campaign  # a budget covers today
    assert "executed" in campaign

    worker = _ok("worker", "--once")
    assert "decided" in worker and "triggers queued" in worker

    delivered = _ok("outbox", "deliver")
    with sqlite3.connect(fresh_folder / "loyalty.db") as conn:
        ours = dict(
            conn.execute(
                "SELECT status, COUNT(*) FROM contacts WHERE id > ? GROUP BY status", (seeded_contacts,)
            ).fetchall()
        )
    # The campaign's and the worker's messages: delivered now, or waiting for their send hour.
    assert sum(ours.values()) > 0 and set(ours) <= {"queued", "sent"}
    queued = ours.get("queued", 0)
    assert f"scheduled later: {queued:,}" in delivered if queued else "scheduled later" not in delivered

    report = _ok("report")
    assert "Against the holdout" in report
    assert "Nothing happened in this period" not in report
