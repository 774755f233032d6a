"""`loyalty report` and `loyalty alerts` through typer's CliRunner on small known databases."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalty.cli.app import app
from tests.tools.reporting import alert_world, world
from tools.storage.db import Database, database, init_schema

ENV = {"ANTHROPIC_API_KEY": None, "LOYALTY_LOG_LEVEL": "warning", "LOYALTY_LOG_FORMAT": "json"}


def make_db(path: Path, build: Callable[[Database], Awaitable[None]]) -> str:
    url = f"sqlite+aiosqlite:///{path}"

    async def go() -> None:
        store = database(url)
        try:
            await init_schema(store)
            await build(store)
        finally:
            await store.dispose()

    asyncio.run(go())
    return url


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env=ENV)


@pytest.fixture
def report_db(tmp_path: Path) -> str:
    return make_db(tmp_path / "report.db", world.build)


def test_report_prints_tables_and_writes_html(report_db: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = invoke(
        "report", "--db", report_db, "--since", "2026-03-01", "--until", "2026-04-01", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert (
        "KPIs" in result.stdout and "Against the holdout" in result.stdout and "No alerts." in result.stdout
    )
    assert "reactivation" in result.stdout and "+28.33" in result.stdout  # margin per contacted member
    assert f"report: {out.resolve()}" in result.stdout.replace("\n", "")
    assert 'aria-label="offers per channel"' in out.read_text(encoding="utf-8")


def test_report_json(report_db: str, tmp_path: Path) -> None:
    result = invoke(
        "report",
        "--db",
        report_db,
        "--since",
        "2026-03-01",
        "--until",
        "2026-04-01",
        "--out",
        str(tmp_path / "r.html"),
        "--json",
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    kpis = {row["group"]: row for row in body["report"]["kpis"]}
    assert kpis["reactivation"]["aov"] == 75.0 and kpis["all orders"]["orders"] == 7
    assert body["report"]["rejections_by_rule"] == {"max_discount": 2, "contact_pressure": 1}
    assert Path(body["html"]).is_file()


def test_report_on_a_quiet_period_says_where_the_data_is(report_db: str, tmp_path: Path) -> None:
    result = invoke("report", "--db", report_db, "--until", "2025-06-01", "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    assert "Nothing happened in this period" in result.stdout and "2026-03-13" in result.stdout


def test_report_refuses_bad_periods_and_databases(report_db: str, tmp_path: Path) -> None:
    result = invoke("report", "--db", report_db, "--since", "2026-04-01", "--until", "2026-03-01")
    assert result.exit_code == 2 and "the period is empty" in result.stderr
    result = invoke("report", "--db", report_db, "--since", "March")
    assert result.exit_code == 2 and "--since 'March' is not a date" in result.stderr
    result = invoke("report", "--db", f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}")
    assert result.exit_code == 2 and "loyalty db init" in result.stderr


def test_alerts_list_and_json(tmp_path: Path) -> None:
    url = make_db(tmp_path / "alerts.db", alert_world.build)
    result = invoke("alerts", "--db", url, "--at", alert_world.AT.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    fired = {(a["rule"], a["group"]) for a in json.loads(result.stdout)}
    assert fired == {
        ("conversion_drop", "reactivation"),
        ("unsubscribe_spike", "reactivation"),
        ("over_discount_by_tier", "tier=gold"),
    }
    # Each alert is logged once, as a structured event on stderr.
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert sorted((e["rule"], e["group"]) for e in logged if e["event"] == "alert") == sorted(fired)

    plain = invoke("alerts", "--db", url, "--at", alert_world.AT.isoformat())
    assert plain.exit_code == 0 and "3 alerts" in plain.stdout and "conversion_drop" in plain.stdout
    quiet = invoke("alerts", "--db", url, "--at", "2025-01-01")
    assert quiet.exit_code == 0 and "No alerts." in quiet.stdout


def test_alerts_refuse_a_bad_rules_file(tmp_path: Path) -> None:
    url = make_db(tmp_path / "alerts.db", alert_world.build)
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nid = "x"\nkind = "nonsense"\n')
    result = invoke("alerts", "--db", url, "--rules", str(rules))
    assert result.exit_code == 2 and "alert rules" in result.stderr
