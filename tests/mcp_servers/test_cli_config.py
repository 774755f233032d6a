"""`loyalty mcp config`: a Claude Desktop fragment that works from any directory: valid JSON, all four
servers, this interpreter by absolute path, the database URL and models directory made absolute."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalty.cli import mcp as mcp_cli
from tests.mcp_servers.seeded_world import SeededWorld

SERVERS = {
    "customer-data": "customer_data",
    "offers-inventory": "offers_inventory",
    "rules": "rules",
    "channels": "channels",
}


def test_config_names_every_server_with_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / ("a-rather-long-directory-name-so-the-paths-are-wider-than-a-terminal" * 2)
    deep.mkdir()
    monkeypatch.chdir(deep)
    monkeypatch.delenv("LOYALTY_DB_URL", raising=False)
    monkeypatch.delenv("LOYALTY_MODELS_DIR", raising=False)
    result = CliRunner().invoke(mcp_cli.app, ["config", "--db", "sqlite:///shop.db"])
    assert result.exit_code == 0, result.output
    config = json.loads(result.stdout)
    servers = config["mcpServers"]
    assert set(servers) == {f"loyalty-{name}" for name in SERVERS}
    for name, package in SERVERS.items():
        entry = servers[f"loyalty-{name}"]
        assert entry["command"] == sys.executable and Path(entry["command"]).is_absolute()
        assert entry["args"] == ["-m", f"mcp_servers.{package}"]
        env = entry["env"]
        assert env["LOYALTY_DB_URL"] == f"sqlite+aiosqlite:///{deep / 'shop.db'}"
        assert Path(env["LOYALTY_MODELS_DIR"]).is_absolute() and str(deep) in env["LOYALTY_MODELS_DIR"]
        # Claude Desktop is a client like any other: it never gets the guard's credential, so it
        # can ask for review but never approve (see tests/mcp_servers/test_approval_authority.py).
        assert set(env) == {"LOYALTY_DB_URL", "LOYALTY_MODELS_DIR"}
    assert "credential" not in result.stdout.lower()


def test_config_says_what_to_run_before_the_servers_can_answer(world: SeededWorld, tmp_path: Path) -> None:
    missing = CliRunner().invoke(mcp_cli.app, ["config", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert missing.exit_code == 0 and "no database at" in missing.stderr and "loyalty seed" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    # the world's models are not where the config points (beside the database): none fitted there
    unfitted = CliRunner().invoke(mcp_cli.app, ["config", "--db", world.url])
    assert unfitted.exit_code == 0 and "mcpServers" in unfitted.stdout
    assert "loyalty models fit" in unfitted.stderr and "will not start" not in unfitted.stderr
