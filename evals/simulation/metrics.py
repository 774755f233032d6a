"""Per-policy metrics with confidence intervals over seeds (Student's t, two-sided 95%)."""

import math
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from evals.simulation.responses import Ledger

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


class PolicyMetrics(BaseModel):
    policy: str
    metrics: dict[str, Estimate]
    decisions: int
    contacts: int


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
        return Estimate(mean=mean, low=mean, high=mean, seeds=len(values))
    half = _t(len(values) - 1) * float(np.std(values, ddof=1)) / math.sqrt(len(values))
    return Estimate(mean=mean, low=mean - half, high=mean + half, seeds=len(values))


def summarise(runs: list[Run]) -> dict[str, PolicyMetrics]:
    out: dict[str, PolicyMetrics] = {}
    for policy in dict.fromkeys(r.policy for r in runs):
        mine = [r for r in runs if r.policy == policy]
        values = [per_run(r.ledger, r.members) for r in mine]
        out[policy] = PolicyMetrics(
            policy=policy,
            metrics={m: estimate([v[m] for v in values]) for m in METRICS},
            decisions=sum(r.decisions for r in mine),
            contacts=sum(r.ledger.contacts for r in mine),
        )
    return out
