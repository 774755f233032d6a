"""`loyalty eval run` and `loyalty eval compare`: exit 0 whenever the suite ran (failing cases
included), 2 with one error line when it could not."""

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from evals.harness.base_world import PreparedWorld
from evals.harness.run_dir import write_run
from evals.harness.suite import suite_path
from loyalty.cli.app import app
from tests.evals.harness.builders import case_result, summary_of
from tests.evals.harness.conftest import WORLD


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no loyalty.toml, and default outputs land here
    # The command configures logging onto the runner's stderr, which is closed afterwards: put
    # back what the rest of the session logs to.
    structlog_config, root = structlog.get_config(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.configure(**structlog_config)
    root.handlers[:], root.level = handlers, level


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["eval", *args])
    return result.exit_code, result.output


def test_a_suite_with_a_failing_case_still_exits_zero_and_writes_its_report(
    world_copy: PreparedWorld, tmp_path: Path
) -> None:
    seed = json.loads(suite_path("seed").read_text())
    michael = next(c for c in seed["cases"] if c["id"] == "seed/michael-stale")
    wrong = michael | {
        "id": "t/michael-expected-to-act",
        "expect": {"decision": "act"},
    }  # stale: it must not act
    suite_file = tmp_path / "mine.json"
    suite_file.write_text(
        json.dumps(seed | {"name": "mine", "world": WORLD.model_dump(mode="json"), "cases": [michael, wrong]})
    )
    out = tmp_path / "run"
    code, output = invoke("run", str(suite_file), "--db", str(world_copy.db_path), "--out", str(out))
    assert code == 0, output
    assert "1/2 cases passed" in output and "decision" in output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["world"]["reused"] is True and summary["config"]["suite_digest"]
    assert summary["evaluators"]["decision"] == {"passed": 1, "failed": 1, "not_applicable": 0}
    lines = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    assert [line["passed"] for line in lines] == [True, False]
    assert all((out / line["transcript"]).exists() for line in lines)
    assert "t/michael-expected-to-act" in (out / "report.html").read_text()


def test_the_guard_suite_runs_through_the_same_command(tmp_path: Path) -> None:
    out = tmp_path / "guard"
    code, output = invoke("run", "guard", "--case", "consent.channel/push-no-record", "--out", str(out))
    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cases"]["total"] == 1 and summary["metrics"]["violations_blocked_rate"] == 1.0
    line = json.loads((out / "cases.jsonl").read_text())
    assert [c["evaluator"] for c in line["checks"]] == ["guard_outcome", "guard_reasons"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "no-such-suite"), "no suite"),
        (("run", "seed", "--model", "claude"), "ANTHROPIC_API_KEY"),
        (("run", "seed", "--model", "gpt"), "--model must be local or claude"),
        (("run", "seed", "--case", "seed/nope"), "no such cases"),
        (("run", "seed", "--db", "postgresql+asyncpg://h/db"), "must be a SQLite file"),
        (("run", "seed", "--members", "3"), "--members"),
        (("run", "guard", "--case", "nope"), "no such cases in guard"),
        (("run", "simulation"), "needs --population"),
        (("run", "simulation", "--population", "p.toml", "--model", "claude"), "local model only"),
        (("compare", "a", "b"), "not an eval run directory"),
    ],
)
def test_what_cannot_run_exits_two_with_one_line(args: tuple[str, ...], message: str) -> None:
    code, output = invoke(*args)
    assert code == 2 and message in output, output
    assert "Traceback" not in output


def test_a_missing_simulator_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "evals.simulation", None)  # import fails as if absent
    code, output = invoke(
        "run", "simulation", "--population", str(tmp_path / "p.toml"), "--out", str(tmp_path / "s")
    )
    assert code == 2 and "simulator is not available" in output


def test_compare_prints_the_cases_that_changed(tmp_path: Path) -> None:
    before = (
        case_result("cart/x", ("decision", False), outcome="nothing"),
        case_result("cart/y", ("decision", True)),
    )
    after = (
        case_result("cart/x", ("decision", True), outcome="sent"),
        case_result("cart/y", ("decision", True)),
    )
    write_run(tmp_path / "a", summary_of("scenarios", before), before)
    write_run(tmp_path / "b", summary_of("scenarios", after), after)
    code, output = invoke("compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 0, output
    assert "1 fixed" in output and "cart/x" in output and "nothing → sent" in output
    assert "cart/y" not in output
