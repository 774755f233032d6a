"""`loyalty eval offline` refuses what it cannot estimate in one line, with a non-zero exit."""

from pathlib import Path

from typer.testing import CliRunner

from loyalty.cli.app import app


def test_an_unknown_policy_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "offline", "--policy", "everything", "--db", f"sqlite:///{tmp_path / 'none.db'}"]
    )
    assert result.exit_code == 2
    assert "unknown policy 'everything'" in result.output and "Traceback" not in result.output


def test_a_database_without_logged_decisions_is_one_clear_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert CliRunner().invoke(app, ["db", "init", "--db", db]).exit_code == 0
    result = CliRunner().invoke(app, ["eval", "offline", "--policy", "greedy", "--db", db])
    assert result.exit_code == 2
    assert "no logged decisions" in result.output and "Traceback" not in result.output
