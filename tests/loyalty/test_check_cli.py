"""`loyalty check`: per use case what is missing and the command that fixes it; exit 1 while no use
case can send, 0 once one can."""

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from loyalty.cli.app import app

AT = "2026-06-10T12:00"


def _check(db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["--log-level", "warning", "check", "--at", AT, "--db", f"sqlite:///{db}"], terminal_width=200
    )
    return result.exit_code, result.output


def test_check_names_each_gap_and_its_fix_until_a_use_case_is_ready(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    assert CliRunner().invoke(app, ["db", "init", "--db", f"sqlite:///{db}"]).exit_code == 0
    code, out = _check(db)
    assert code == 1 and "no members" in out and "not ready" in out

    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO customers (id, external_id, first_name, last_name, locale, time_zone, quiet_start_hour, "
            "quiet_end_hour, joined_at) VALUES (?, ?, 'A', 'B', 'en-AU', 'UTC', 21, 8, '2025-01-01 00:00:00')",
            [(1, "H1"), (2, "H2"), (3, "H3")],
        )
        conn.execute(
            "INSERT INTO orders (id, external_id, customer_id, placed_at, channel, subtotal, discount_total, "
            "total) VALUES (1, 'O1', 1, '2026-03-01 10:00:00', 'store', 10, 0, 10)"
        )
    code, out = _check(db)
    assert code == 1
    assert "no consented channel for any of 3 members" in out and "loyalty import consents FILE.csv" in out
    assert "stale data: newest record 2026-03-01 (101 days old)" in out
    assert "no budget covers 2026-06-10" in out and "loyalty budgets set upsell AMOUNT" in out
    assert "trigger cart_abandoned cannot fire: no cart_add events in the last 48 h" in out
    assert "trigger post_purchase cannot fire: no purchase events" in out

    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO orders (id, external_id, customer_id, placed_at, channel, subtotal, discount_total, "
            "total) VALUES (2, 'O2', 1, '2026-06-09 10:00:00', 'store', 10, 0, 10)"
        )
        conn.execute(
            "INSERT INTO channel_consents (customer_id, channel, granted, updated_at) "
            "VALUES (1, 'email', 1, '2026-01-01 00:00:00')"
        )
        conn.execute(
            "INSERT INTO budgets (use_case, period_start, period_end, amount, spent, paused) "
            "VALUES ('reactivation', '2026-06-01', '2026-07-01', 100, 0, 0)"
        )
    code, out = _check(db)
    assert code == 0, out
    assert "no consented channel for 2 of 3 members" in out
    assert "ready: reactivation" in out and "stale data" not in out


def test_a_use_case_disabled_in_the_settings_is_reported_blocked(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "d.db"
    assert CliRunner().invoke(app, ["db", "init", "--db", f"sqlite:///{db}"]).exit_code == 0
    monkeypatch.setenv("LOYALTY_DISABLED_USE_CASES", '["upsell"]')
    _, out = _check(db)
    assert "upsell: blocked" in out and "disabled in the settings" in out
    assert "reactivation" in out and out.count("disabled in the settings") == 1
