"""The `simulation` suite: hand the run to the simulator and report its per-policy metrics.

The simulator lives in `evals.simulation` (another part of the harness) and is imported only when
this suite runs, so the rest of the harness works without it. Each policy becomes one "case" of
the report; the product's own policy (`agents`) is checked against the goals of the eval issue:
incremental margin at least 3x the weekly blast and 1.5x the simple rules, redemption rate at
least 3x the blast, and no rule violations.
"""

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from evals.harness.report import write_run
from evals.harness.results import CaseResult, Check, Metric, RunSummary, score_cases
from tools.errors import InvalidInput

AGENTS, BLAST, RULES = "agents", "blast", "rules"
# (metric, baseline policy, required multiple of the baseline)
GOALS = (("incremental_margin", BLAST, 3.0), ("incremental_margin", RULES, 1.5), ("redemption_rate", BLAST, 3.0))


class SimulationOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    population: Path
    members: int = Field(2_000, ge=50)
    days: int = Field(14, ge=1)
    seeds: int = Field(1, ge=1)


class Estimate(Protocol):
    mean: float
    low: float
    high: float


async def run_simulation_suite(options: SimulationOptions, out_dir: Path) -> RunSummary:
    try:
        from evals.simulation import SimulationConfig, run_simulation  # noqa: PLC0415 - optional part, loaded on use
    except ImportError:
        raise InvalidInput("the simulator is not available: evals.simulation does not provide SimulationConfig "
                           "and run_simulation yet") from None
    started_at, started = datetime.now(UTC), time.perf_counter()
    config = SimulationConfig(population=options.population, members=options.members, days=options.days,
                              seeds=options.seeds)
    result = await run_simulation(config)
    policies = per_policy(result)
    cases = tuple(_policy_case(name, metrics, policies) for name, metrics in policies.items())
    counts, evaluators = score_cases(cases)
    summary = RunSummary(
        suite="simulation", model="local", config={"suite": "simulation", **options.model_dump(mode="json")},
        started_at=started_at, seconds=round(time.perf_counter() - started, 2), cases=counts, evaluators=evaluators,
        metrics={f"{policy}.{name}": _interval(value) for policy, metrics in policies.items()
                 for name, value in metrics.items()},
    )
    write_run(out_dir, summary, cases)
    return summary


def per_policy(result: Any) -> dict[str, Mapping[str, Estimate]]:
    """Policy name → metric name → estimate, from a mapping of policies or a result holding one
    under `policies`; each policy's metrics under `metrics` (or the policy is the mapping itself)."""
    policies = result if isinstance(result, Mapping) else result.policies
    return {name: getattr(policy, "metrics", policy) for name, policy in policies.items()}


def _interval(estimate: Estimate) -> Metric:
    return {"mean": float(estimate.mean), "low": float(estimate.low), "high": float(estimate.high)}


def _policy_case(name: str, metrics: Mapping[str, Estimate], policies: dict[str, Mapping[str, Estimate]]) -> CaseResult:
    checks: list[Check] = []
    if name == AGENTS:
        for metric, baseline, multiple in GOALS:
            if baseline not in policies or metric not in metrics:
                continue
            ours, theirs = metrics[metric].mean, policies[baseline][metric].mean
            checks.append(Check(evaluator=f"{metric}_vs_{baseline}", passed=ours >= multiple * theirs,
                                reason=f"{ours:.4g} vs {baseline} {theirs:.4g} (goal: at least {multiple:g}x)"))
        if "violations" in metrics:
            violations = metrics["violations"].mean
            checks.append(Check(evaluator="zero_violations", passed=violations == 0,
                                reason=f"{violations:g} rule violations on average"))
    decision = {key: _interval(value) for key, value in metrics.items()}
    return CaseResult(id=name, title=f"policy {name}", group="simulation", checks=tuple(checks), decision=decision)
