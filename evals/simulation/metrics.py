"""Per-policy metrics with confidence intervals over seeds (Student's t, two-sided 95%).

Every policy runs on the same worlds, so policies are best compared seed by seed: `paired` gives
the interval of `ours - multiple * theirs` over seeds, which removes the variation the worlds
share (how many members happened to shop) from the comparison.
"""

import math
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from evals.simulation.responses import TALLIES, Ledger

# t(0.975, df) for small samples; past 30 the normal value is close enough.
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         15: 2.131, 20: 2.086, 30: 2.042}
METRICS = ("incremental_margin", "incremental_revenue", "redemption_rate", "discount_spend", "contacts_per_member",
           "unsubscribe_rate", "violations")


class Estimate(BaseModel):
    mean: float
    low: float  # 95% confidence interval over seeds; equal to the mean with one seed
    high: float
    seeds: int
    values: list[float] = []  # per seed, in seed order


class PolicyMetrics(BaseModel):
    policy: str
    metrics: dict[str, Estimate]
    decisions: int
    contacts: int
    by_use_case: dict[str, dict[str, float]] = {}  # use case → tally (evidence), mean over seeds
    budgets: dict[str, float] = {}  # the offer budget per use case each run had




class Run(Protocol):
    policy: str
    ledger: Ledger
    members: int
    decisions: int


def per_run(ledger: Ledger, members: int) -> dict[str, float]:
    return {
        "incremental_margin": ledger.incremental_margin,
        "incremental_revenue": ledger.incremental_revenue,
        "redemption_rate": ledger.redemptions / ledger.offers if ledger.offers else 0.0,
        "discount_spend": ledger.discount_spend,
        "contacts_per_member": ledger.contacts / members,
        "unsubscribe_rate": ledger.unsubscribes / ledger.contacts if ledger.contacts else 0.0,
        "violations": float(ledger.violations),
    }


def _t(df: int) -> float:
    known = [d for d in sorted(T_975) if d <= df]
    return T_975[known[-1]] if df <= 30 else 1.96


def estimate(values: list[float]) -> Estimate:
    mean = float(np.mean(values))
    if len(values) < 2:
        return Estimate(mean=mean, low=mean, high=mean, seeds=len(values), values=list(values))
    half = _t(len(values) - 1) * float(np.std(values, ddof=1)) / math.sqrt(len(values))
    return Estimate(mean=mean, low=mean - half, high=mean + half, seeds=len(values), values=list(values))


def paired(ours: Estimate, theirs: Estimate, multiple: float = 1.0) -> Estimate:
    """`ours - multiple * theirs`, seed by seed (both measured on the same worlds, in seed order)."""
    if len(ours.values) != len(theirs.values) or not ours.values:
        raise ValueError("paired estimates need the same seeds on both sides")
    return estimate([a - multiple * b for a, b in zip(ours.values, theirs.values, strict=True)])


def summarise(runs: list[Run], budgets: dict[str, float] | None = None) -> dict[str, PolicyMetrics]:
    out: dict[str, PolicyMetrics] = {}
    for policy in dict.fromkeys(r.policy for r in runs):
        mine = [r for r in runs if r.policy == policy]
        values = [per_run(r.ledger, r.members) for r in mine]
        out[policy] = PolicyMetrics(
            policy=policy,
            metrics={m: estimate([v[m] for v in values]) for m in METRICS},
            decisions=sum(r.decisions for r in mine),
            contacts=sum(r.ledger.contacts for r in mine),
            by_use_case=_by_use_case([r.ledger for r in mine]),
            budgets=budgets or {},
        )
    return out


def _by_use_case(ledgers: list[Ledger]) -> dict[str, dict[str, float]]:
    use_cases = sorted({u for ledger in ledgers for u in ledger.by_use_case})
    zero = dict.fromkeys(TALLIES, 0.0)
    return {u: {t: float(np.mean([ledger.by_use_case.get(u, zero)[t] for ledger in ledgers])) for t in TALLIES}
            for u in use_cases}
