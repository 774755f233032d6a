"""The `simulation` suite: hand the run to the simulator and report its per-policy metrics.

The simulator lives in `evals.simulation` (another part of the harness) and is imported only when
this suite runs, so the rest of the harness works without it. Each policy becomes one "case" of
the report, and `summary.json` holds, for every policy, the metrics in `CONTRACT` as
`POLICY.metric` = {mean, low, high}.

The product's own policy (`agents`) is judged on the yardstick: its expected incremental margin
under the hidden model, as a share of the oracle's and as paired differences (member by member on
the same worlds) from each baseline — never as a multiple of a baseline, which rewards "3x a
negative number". A difference is "ahead" when its whole 95% interval is above zero. Besides: no
rule violations (re-checked by the harness over what was sent) and discount spend within each use
case's budget. Seeds run in parallel processes, one per CPU core unless told otherwise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from evals.harness.run_dir import write_run
from evals.harness.run_results import CaseResult, Check, Metric, RunSummary, score_cases
from tools.errors import InvalidInput

if TYPE_CHECKING:  # the estimates come from the simulator; evals.intervals needs scipy, so types only
    from evals.intervals import Estimate

AGENTS, ORACLE = "agents", "oracle"
POLICIES = ("agents", "flows", "rules", "blast", "nothing", "oracle")
CONTRACT = (
    "expected_incremental_margin",
    "incremental_margin",
    "share_of_oracle",
    "redemption_rate",
    "offer_redemption_rate",
    "expected_offer_redemption_rate",
    "violations",
    "contacts_per_member",
    "unsubscribe_rate",
    "discount_spend",
)
BEAT = ("flows", "rules", "blast", "nothing")  # the agents' expected margin must be ahead of each
SHARE_GOAL = 0.5  # ... and at least this share of the oracle's


class SimulationOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    population: Path
    members: int = Field(1_000, ge=50)
    days: int = Field(7, ge=1)
    seeds: int = Field(1, ge=1)
    processes: int | None = Field(
        None, ge=1
    )  # seeds at once; default: one per CPU core, at most one per seed


async def run_simulation_suite(options: SimulationOptions, out_dir: Path) -> RunSummary:
    try:
        from evals.simulation import SimulationConfig, run_simulation
    except ImportError:
        raise InvalidInput(
            "the simulator is not available: evals.simulation does not provide SimulationConfig "
            "and run_simulation yet"
        ) from None
    started_at, started = datetime.now(UTC), time.perf_counter()
    processes = options.processes or min(options.seeds, os.cpu_count() or 1)
    config = SimulationConfig(
        population=options.population,
        members=options.members,
        days=options.days,
        seeds=options.seeds,
        processes=processes,
    )
    result = await run_simulation(config)
    policies = per_policy(result)
    raw = result if isinstance(result, Mapping) else result.policies
    cases = tuple(
        _policy_case(
            name,
            metrics,
            policies,
            getattr(raw[name], "by_use_case", {}),
            getattr(raw[name], "budgets", {}),
            getattr(raw[name], "seconds", None),
            getattr(raw[name], "versus", {}),
        )
        for name, metrics in policies.items()
    )
    counts, evaluators = score_cases(cases)
    summary = RunSummary(
        suite="simulation",
        model="local",
        config={"suite": "simulation", **options.model_dump(mode="json")},
        started_at=started_at,
        seconds=round(time.perf_counter() - started, 2),
        cases=counts,
        evaluators=evaluators,
        metrics={
            f"{policy}.{name}": _interval(value)
            for policy, metrics in policies.items()
            for name, value in metrics.items()
            if name in CONTRACT
        },
    )
    write_run(out_dir, summary, cases)
    _policy_page(raw, out_dir, options)
    return summary


def _policy_page(raw: Mapping[str, Any], out_dir: Path, options: SimulationOptions) -> None:
    """The policies side by side with a chart per metric (`policies.html`), when the simulator
    gave its own results (not a stand-in)."""
    try:
        from evals.simulation import PolicyMetrics, write_report
    except ImportError:
        return
    if raw and all(isinstance(r, PolicyMetrics) for r in raw.values()):
        write_report(
            dict(raw),
            out_dir / "policies.html",
            f"Simulation: {options.members:,} members, {options.days} days, {options.seeds} seed(s)",
            [f"population: {options.population.name}"],
        )


def per_policy(result: Any) -> dict[str, Mapping[str, Estimate]]:
    """Policy name → metric name → estimate, from a mapping of policies or a result holding one
    under `policies`; each policy's metrics under `metrics` (or the policy is the mapping itself)."""
    policies = result if isinstance(result, Mapping) else result.policies
    return {name: getattr(policy, "metrics", policy) for name, policy in policies.items()}


def _ahead(gap: Estimate) -> str:
    return "ahead" if gap.low > 0 else "behind" if gap.high < 0 else "undecided at this size"


def _interval(estimate: Estimate) -> Metric:
    return {"mean": float(estimate.mean), "low": float(estimate.low), "high": float(estimate.high)}


def _policy_case(
    name: str,
    metrics: Mapping[str, Estimate],
    policies: dict[str, Mapping[str, Estimate]],
    by_use_case: Mapping[str, Mapping[str, float]],
    budgets: Mapping[str, float],
    seconds: float | None = None,
    versus: Mapping[str, Estimate] | None = None,
) -> CaseResult:
    checks: list[Check] = []
    versus = versus or {}
    if name == AGENTS:
        if "share_of_oracle" in metrics:
            share = metrics["share_of_oracle"]
            checks.append(
                Check(
                    evaluator="share_of_oracle",
                    passed=share.mean >= SHARE_GOAL,
                    reason=f"{share.mean:.1%} of the oracle's expected incremental margin "
                    f"[{share.low:.1%}, {share.high:.1%}] (goal: at least {SHARE_GOAL:.0%})",
                )
            )
        for baseline in BEAT:
            if baseline not in versus:
                continue
            gap = versus[baseline]
            checks.append(
                Check(
                    evaluator=f"expected_margin_vs_{baseline}",
                    passed=gap.low > 0,
                    reason=f"agents - {baseline}: {gap.mean:,.2f} [{gap.low:,.2f}, {gap.high:,.2f}] "
                    f"expected incremental margin, member by member ({_ahead(gap)})",
                )
            )
        if "violations" in metrics:
            violations = metrics["violations"].mean
            checks.append(
                Check(
                    evaluator="zero_violations",
                    passed=violations == 0,
                    reason=f"{violations:g} rule violations on average (re-checked by the harness)",
                )
            )
        if budgets:
            over = {
                u: t["discount_spend"]
                for u, t in by_use_case.items()
                if t["discount_spend"] > budgets.get(u, 0.0)
            }
            checks.append(
                Check(
                    evaluator="within_budget",
                    passed=not over,
                    reason="; ".join(
                        f"{u}: {v:,.2f} spent over a budget of {budgets.get(u, 0.0):,.2f}"
                        for u, v in over.items()
                    )
                    or "every use case within its budget",
                )
            )
    decision: dict[str, Any] = {key: _interval(value) for key, value in metrics.items()}
    if versus:
        decision["expected_margin_minus"] = {other: _interval(gap) for other, gap in versus.items()}
    if by_use_case:
        decision["by_use_case"] = {u: dict(t) for u, t in by_use_case.items()}
    if seconds is not None:
        decision["seconds"] = (
            seconds  # the policy's simulated days over all seeds (measured, machine-dependent)
        )
    return CaseResult(
        id=name, title=f"policy {name}", group="simulation", checks=tuple(checks), decision=decision
    )
