"""The simulator on a tiny world: every policy runs on the same members and days, the counterfactual
is zero by construction, the oracle's expected margin is the ceiling, and the harness's own rule
check finds breaches only in the baselines that ignore the rules."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.simulation.engine import SimulationConfig, run_simulation
from evals.simulation.metrics import METRICS
from loyalty.cli.app import app
from loyalty.settings import PACKAGE_ROOT
from policies.loader import load_policy

POPULATION = PACKAGE_ROOT / "tools" / "world" / "default_population.toml"


async def test_every_policy_is_scored_on_the_yardstick_and_the_oracle_is_the_ceiling(tmp_path: Path) -> None:
    config = SimulationConfig(
        population=POPULATION, members=150, days=2, history_months=6, directory=tmp_path, workers=2
    )
    results = await run_simulation(config, load_policy())
    assert set(results) == {"agents", "flows", "rules", "blast", "nothing", "oracle"}
    for result in results.values():
        assert set(result.metrics) == set(METRICS)
    nothing = results["nothing"].metrics
    assert all(nothing[m].mean == 0 for m in METRICS)
    expected = {p: r.metrics["expected_incremental_margin"].mean for p, r in results.items()}
    assert all(expected["oracle"] >= value for value in expected.values()), expected
    assert expected["oracle"] > 0 and results["oracle"].metrics["share_of_oracle"].mean == 1.0
    assert results["agents"].versus["oracle"].mean == pytest.approx(expected["agents"] - expected["oracle"])
    assert results["blast"].contacts > 0  # day 0 is a blast day: every e-mailable member
    assert results["agents"].decisions > 0
    # The harness re-checks every policy's messages: the agents' and the oracle's obey the rules ...
    assert results["agents"].metrics["violations"].mean == 0
    assert results["oracle"].metrics["violations"].mean == 0
    assert results["blast"].metrics["violations"].mean > 0  # ... 15% off to everyone breaks them somewhere
    assert (tmp_path / "seed1" / "outbox").exists() or results["agents"].contacts == 0
    # The report sets the agents' own expectations beside the truth; baselines expect nothing.
    tallies = results["agents"].by_use_case.values()
    assert sum(t["contacts"] for t in tallies) == results["agents"].contacts
    assert results["agents"].contacts == 0 or sum(t["predicted_uplift"] for t in tallies) > 0
    assert all(t["predicted_value"] == 0 for t in results["blast"].by_use_case.values())


def test_one_decision_at_a_time_per_process_on_the_local_model_unless_told() -> None:
    # CPU-bound local decisions gain nothing from running side by side in one process; Claude's wait on the API.
    assert SimulationConfig(population=POPULATION).decision_workers == 1
    assert SimulationConfig(population=POPULATION, model="claude").decision_workers == 4
    assert SimulationConfig(population=POPULATION, workers=3).decision_workers == 3


def test_demo_command_runs_end_to_end_and_again_in_the_same_folder(tmp_path: Path) -> None:
    command = ["demo", "--members", "120", "--days", "1", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "oracle" in result.output and "flows" in result.output  # the comparison the demo is for
    assert "decisions" in result.output and "world" in result.output  # where the time went
    assert all(
        policy in result.output for policy in ("agents", "blast", "rules", "nothing")
    )  # baselines by default
    assert (tmp_path / "report.html").read_text().count("<tr>") >= 2
    assert '"alert"' not in result.output  # alerts are a table, not log lines too

    again = CliRunner().invoke(app, [*command, "--no-baselines"])
    assert again.exit_code == 0, again.output
    assert f"replaced the earlier run of seed 1 in {tmp_path.resolve() / 'seed1'}" in again.output
    assert "blast" not in again.output and (tmp_path / "report.html").is_file()
