"""`loyalty profile`, `loyalty segments`, `loyalty profiles export`, `loyalty models fit` from the
command line: output on success, one error line and a non-zero exit on failure."""

import asyncio
import json
from pathlib import Path

import pytest

from tests.tools.profiles.cli import loyalty, one_error_line
from tests.tools.profiles.small_world import build_small_world
from tools.storage.db import database, init_schema


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "world.db"

    async def build() -> None:
        store = database(f"sqlite+aiosqlite:///{path}")
        await init_schema(store)
        await build_small_world(store)
        await store.dispose()

    asyncio.run(build())
    return path


def test_models_fit_then_profile_json_segments_and_export(world_db: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{world_db}"
    fitted = loyalty("models", "fit", "--db", url)
    assert fitted.exit_code == 0, fitted.stderr
    summary = json.loads(fitted.stdout)
    assert summary["as_of"] == "2025-01-01T00:00:00"  # the day after the newest data
    assert summary["order_values"]["base_average"] > 0 and summary["order_values"]["weight_orders"] > 0
    # no competitor signal in this world: the fit says so and keeps the prior
    assert "rival pull: no competitor signal" in fitted.stderr

    shown = loyalty("profile", "EXT0002", "--db", url, "--as-of", "2025-01-01", "--json")
    assert shown.exit_code == 0, shown.stderr
    profile = json.loads(shown.stdout)
    assert profile["external_id"] == "EXT0002" and profile["contact"]["email"] == "m***@example.com"
    likely, own = profile["monetary"]["expected_order_value"], profile["monetary"]["aov"]
    base = summary["order_values"]["base_average"]
    assert min(own, base) <= likely <= max(own, base)  # their average, drawn toward the base's

    listed = loyalty("segments", "--db", url)
    assert listed.exit_code == 0, listed.stderr
    assert "dormant_recoverable" in listed.stdout and "48 members" in listed.stdout

    out = tmp_path / "profiles.jsonl"
    exported = loyalty("profiles", "export", "--db", url, "--out", str(out))
    assert exported.exit_code == 0, exported.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 48 and records[0]["customer_id"] == "EXT0001"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["profile", "NOPE"], "no member with id or external id 'NOPE'"),
        (["profile", "1", "--as-of", "soon"], "--as-of 'soon' is not a date"),
        (["profile", "1", "--as-of", "2020-01-01"], "had not joined by 2020-01-01"),
        (["profiles", "export", "--out", "x.jsonl", "--as-of", "2020-01-01"], "before any data"),
        (
            ["segments", "--segments", "/nonexistent/segments.toml"],
            "cannot read segment file /nonexistent/segments.toml",
        ),
    ],
)
def test_errors_are_one_line(world_db: Path, args: list[str], message: str) -> None:
    result = loyalty(*args, "--db", f"sqlite:///{world_db}")
    assert message in one_error_line(result)


def test_uninitialised_database(tmp_path: Path) -> None:
    result = loyalty("segments", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert "not initialised" in one_error_line(result)
