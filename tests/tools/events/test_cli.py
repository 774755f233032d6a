"""`loyalty events ...` and `loyalty outbox ...` from the command line (their sub-apps, so the
test does not load every other command's dependencies)."""

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from loyalty.cli import db as db_cli
from loyalty.cli import events as events_cli
from loyalty.cli import outbox as outbox_cli

app = typer.Typer()
app.add_typer(db_cli.app, name="db")
app.add_typer(events_cli.app, name="events")
app.add_typer(outbox_cli.app, name="outbox")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert CliRunner().invoke(app, ["db", "init", "--db", url]).exit_code == 0
    return url


def test_ingest_a_file_reports_and_writes_rejects(db_url: str, tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "type": "app_open",
                        "occurred_at": "2026-01-01T00:00:00Z",
                        "customer_external_id": "M404",
                    }
                ),
                "not json",
            ]
        )
        + "\n"
    )
    result = CliRunner().invoke(app, ["events", "ingest", str(source), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "accepted 0" in result.output and "rejected 2" in result.output
    rejects = Path(f"{source}.rejects.jsonl")
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == [2, 1]


def test_ingest_from_stdin(db_url: str, tmp_path: Path) -> None:
    rejects = tmp_path / "r.jsonl"
    result = CliRunner().invoke(
        app, ["events", "ingest", "-", "--db", db_url, "--rejects", str(rejects)], input='{"type": "view"}\n'
    )
    assert result.exit_code == 0 and "rejected 1" in result.output and rejects.exists()


def test_missing_file_is_one_clear_error(db_url: str) -> None:
    result = CliRunner().invoke(app, ["events", "ingest", "/nonexistent/events.jsonl", "--db", db_url])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_outbox_commands(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert "no dead letters" in runner.invoke(app, ["outbox", "dead-letters", "--db", db_url]).output
    delivered = runner.invoke(app, ["outbox", "deliver", "--db", db_url])
    assert delivered.exit_code == 0 and "claimed 0" in delivered.output
    bad = runner.invoke(app, ["outbox", "deliver", "--db", db_url, "--webhook", "fax=http://127.0.0.1:9/x"])
    assert bad.exit_code == 2 and "invalid channel setup" in bad.output


def test_serve_needs_a_token(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOYALTY_EVENTS_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["events", "serve", "--db", db_url])
    assert result.exit_code == 2 and "token" in result.output
