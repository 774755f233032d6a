"""The `simulation` suite: hand the run to the simulator and report its per-policy metrics.

The simulator lives in `evals.simulation` (another part of the harness) and is imported only when
this suite runs, so the rest of the harness works without it. Each policy becomes one "case" of
the report; the product's own policy (`agents`) is checked against the goals of the eval issue:
incremental margin at least 3x the weekly blast and 1.5x the simple rules, redemption rate at
least 3x the blast, no rule violations, and discount spend within each use case's budget.

The goals are judged on means over seeds; each check's reason also gives the seed-by-seed
(paired) 95% interval of `agents - multiple * baseline`, which says whether the seeds are enough to
call the difference. Seeds run in parallel processes, one per CPU core unless told otherwise.
"""

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from evals.harness.report import write_run
from evals.harness.results import CaseResult, Check, Metric, RunSummary, score_cases
from evals.intervals import paired
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
    processes: int | None = Field(None, ge=1)  # seeds at once; default: one per CPU core, at most one per seed


class Estimate(Protocol):
    mean: float
    low: float
    high: float  # and `values` per seed, when the simulator gives them (paired comparisons)


async def run_simulation_suite(options: SimulationOptions, out_dir: Path) -> RunSummary:
    try:
        from evals.simulation import SimulationConfig, run_simulation
    except ImportError:
        raise InvalidInput("the simulator is not available: evals.simulation does not provide SimulationConfig "
                           "and run_simulation yet") from None
    started_at, started = datetime.now(UTC), time.perf_counter()
    processes = options.processes or min(options.seeds, os.cpu_count() or 1)
    config = SimulationConfig(population=options.population, members=options.members, days=options.days,
                              seeds=options.seeds, processes=processes)
    result = await run_simulation(config)
    policies = per_policy(result)
    raw = result if isinstance(result, Mapping) else result.policies
    cases = tuple(_policy_case(name, metrics, policies, getattr(raw[name], "by_use_case", {}),
                               getattr(raw[name], "budgets", {}), getattr(raw[name], "seconds", None))
                  for name, metrics in policies.items())
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


def _paired(ours: Estimate, theirs: Estimate, multiple: float) -> str:
    ours_values, theirs_values = getattr(ours, "values", []), getattr(theirs, "values", [])
    if len(ours_values) < 2 or len(ours_values) != len(theirs_values):
        return ""
    gap = paired(ours_values, theirs_values, multiple)
    verdict = "met" if gap.low > 0 else "missed" if gap.high < 0 else "undecided at these seeds"
    return (f"; paired over {gap.seeds} seeds, ours - {multiple:g}x theirs: {gap.mean:.4g} "
            f"[{gap.low:.4g}, {gap.high:.4g}] ({verdict})")


def _interval(estimate: Estimate) -> Metric:
    return {"mean": float(estimate.mean), "low": float(estimate.low), "high": float(estimate.high)}


def _policy_case(name: str, metrics: Mapping[str, Estimate], policies: dict[str, Mapping[str, Estimate]],
                 by_use_case: Mapping[str, Mapping[str, float]], budgets: Mapping[str, float],
                 seconds: float | None = None) -> CaseResult:
    checks: list[Check] = []
    if name == AGENTS:
        for metric, baseline, multiple in GOALS:
            if baseline not in policies or metric not in metrics:
                continue
            ours, theirs = metrics[metric], policies[baseline][metric]
            checks.append(Check(evaluator=f"{metric}_vs_{baseline}", passed=ours.mean >= multiple * theirs.mean,
                                reason=f"{ours.mean:.4g} vs {baseline} {theirs.mean:.4g} (goal: at least {multiple:g}x)"
                                       f"{_paired(ours, theirs, multiple)}"
                                       f"{'; the baseline loses money, so a multiple of it is a low bar' if theirs.mean < 0 else ''}"))
        if "violations" in metrics:
            violations = metrics["violations"].mean
            checks.append(Check(evaluator="zero_violations", passed=violations == 0,
                                reason=f"{violations:g} rule violations on average"))
        if budgets:
            over = {u: t["discount_spend"] for u, t in by_use_case.items() if t["discount_spend"] > budgets.get(u, 0.0)}
            checks.append(Check(evaluator="within_budget", passed=not over,
                                reason="; ".join(f"{u}: {v:,.2f} spent over a budget of {budgets.get(u, 0.0):,.2f}"
                                                 for u, v in over.items()) or "every use case within its budget"))
    decision: dict[str, Any] = {key: _interval(value) for key, value in metrics.items()}
    if by_use_case:
        decision["by_use_case"] = {u: dict(t) for u, t in by_use_case.items()}
    if seconds is not None:
        decision["seconds"] = seconds  # the policy's simulated days over all seeds (measured, machine-dependent)
    return CaseResult(id=name, title=f"policy {name}", group="simulation", checks=tuple(checks), decision=decision)
