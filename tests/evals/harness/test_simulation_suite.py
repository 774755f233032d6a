"""The simulation suite hands the run to the simulator and reports its metrics against the goals."""

import json
import sys
import types
from pathlib import Path

import pytest
from pydantic import BaseModel

from evals.harness.simulation import SimulationOptions, run_simulation_suite


class Estimate(BaseModel):
    mean: float
    low: float
    high: float


class PolicyMetrics(BaseModel):
    metrics: dict[str, Estimate]


def policy(margin: float, redemption: float, violations: float = 0.0) -> PolicyMetrics:
    values = {"incremental_margin": margin, "redemption_rate": redemption, "violations": violations}
    return PolicyMetrics(metrics={k: Estimate(mean=v, low=v - 1, high=v + 1) for k, v in values.items()})


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """A stand-in `evals.simulation` recording the configs it was given."""
    seen: list[object] = []

    class SimulationConfig(BaseModel):
        population: Path
        members: int
        days: int
        seeds: int

    async def run_simulation(config: SimulationConfig) -> dict[str, PolicyMetrics]:
        seen.append(config)
        return {"agents": policy(900.0, 0.12), "blast": policy(200.0, 0.05, violations=3.0),
                "rules": policy(700.0, 0.03), "nothing": policy(0.0, 0.0)}

    module = types.ModuleType("evals.simulation")
    module.SimulationConfig = SimulationConfig  # type: ignore[attr-defined]
    module.run_simulation = run_simulation  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "evals.simulation", module)
    return seen


async def test_policies_become_cases_and_agents_are_held_to_the_goals(simulator: list[object], tmp_path: Path) -> None:
    options = SimulationOptions(population=tmp_path / "pop.toml", members=500, days=7, seeds=3)
    summary = await run_simulation_suite(options, tmp_path / "sim")
    assert len(simulator) == 1 and simulator[0].members == 500 and simulator[0].seeds == 3  # type: ignore[attr-defined]
    assert summary.suite == "simulation" and summary.config["days"] == 7
    assert summary.metrics["agents.incremental_margin"] == {"mean": 900.0, "low": 899.0, "high": 901.0}
    assert summary.cases.total == 4
    lines = {json.loads(line)["id"]: json.loads(line) for line in (tmp_path / "sim" / "cases.jsonl").read_text().splitlines()}
    checks = {c["evaluator"]: c["passed"] for c in lines["agents"]["checks"]}
    # 900 >= 3 x 200 and 2.4 x 0.05 = 0.12 >= 3 x 0.05 fails; 900 < 1.5 x 700
    assert checks == {"incremental_margin_vs_blast": True, "incremental_margin_vs_rules": False,
                      "redemption_rate_vs_blast": False, "zero_violations": True}
    assert lines["blast"]["checks"] == [] and lines["blast"]["decision"]["violations"]["mean"] == 3.0
    assert (tmp_path / "sim" / "report.html").exists()


async def test_goals_report_the_paired_interval_and_the_budget(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class Seeded(BaseModel):
        mean: float
        low: float
        high: float
        values: list[float]

    class Seeds(BaseModel):
        metrics: dict[str, Seeded]
        by_use_case: dict[str, dict[str, float]] = {}
        budgets: dict[str, float] = {}

    def seeds(margins: list[float], spend: float = 0.0) -> Seeds:
        mean = sum(margins) / len(margins)
        return Seeds(metrics={"incremental_margin": Seeded(mean=mean, low=mean, high=mean, values=margins)},
                     by_use_case={"reactivation": {"discount_spend": spend}}, budgets={"reactivation": 100.0})

    async def run_simulation(config: object) -> dict[str, Seeds]:
        return {"agents": seeds([40.0, 60.0, 50.0], spend=150.0), "blast": seeds([10.0, 20.0, 15.0]),
                "rules": seeds([30.0, 45.0, 40.0])}

    module = types.ModuleType("evals.simulation")
    module.SimulationConfig = lambda **kwargs: kwargs  # type: ignore[attr-defined]
    module.run_simulation = run_simulation  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "evals.simulation", module)
    await run_simulation_suite(SimulationOptions(population=tmp_path / "p.toml", seeds=3), tmp_path / "sim")
    lines = {json.loads(line)["id"]: json.loads(line) for line in (tmp_path / "sim" / "cases.jsonl").read_text().splitlines()}
    checks = {c["evaluator"]: c for c in lines["agents"]["checks"]}
    # Seed by seed, agents - 3 x blast = 10, 0, 5: the interval straddles zero, so the seeds cannot call it.
    assert checks["incremental_margin_vs_blast"]["passed"] is True
    assert "paired over 3 seeds" in checks["incremental_margin_vs_blast"]["reason"]
    assert "undecided" in checks["incremental_margin_vs_blast"]["reason"]
    assert checks["within_budget"]["passed"] is False and "reactivation" in checks["within_budget"]["reason"]
