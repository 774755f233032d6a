"""Per-policy metrics with confidence intervals over seeds (`evals.intervals`)."""

from collections import Counter
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from evals.intervals import Estimate, estimate
from evals.simulation.responses import TALLIES, Ledger

METRICS = ("incremental_margin", "incremental_revenue", "redemption_rate", "discount_spend", "contacts_per_member",
           "unsubscribe_rate", "violations", "sends_on_hour")


class PolicyMetrics(BaseModel):
    policy: str
    metrics: dict[str, Estimate]
    decisions: int
    contacts: int
    degraded: int = 0  # decisions a fallback model answered (part of)
    tokens: int = 0  # the agents' model tokens
    cost_usd: float = 0.0  # their estimated cost
    seconds: float = 0.0  # wall time over all seeds
    phases: dict[str, float] = {}  # of which, seconds by step of the simulated days (the agents' runs)
    by_use_case: dict[str, dict[str, float]] = {}  # use case → tally (evidence), mean over seeds
    budgets: dict[str, float] = {}  # the offer budget per use case each run had


class Run(Protocol):
    policy: str
    ledger: Ledger
    members: int
    decisions: int
    seconds: float
    phases: Counter[str]


def per_run(ledger: Ledger, members: int) -> dict[str, float]:
    return {
        "incremental_margin": ledger.incremental_margin,
        "incremental_revenue": ledger.incremental_revenue,
        "redemption_rate": ledger.redemptions / ledger.offers if ledger.offers else 0.0,
        "discount_spend": ledger.discount_spend,
        "contacts_per_member": ledger.contacts / members,
        "unsubscribe_rate": ledger.unsubscribes / ledger.contacts if ledger.contacts else 0.0,
        "violations": float(ledger.violations),
        # share of contacts sent within ±1 h of the member's hidden preferred hour
        "sends_on_hour": ledger.on_hour / ledger.contacts if ledger.contacts else 0.0,
    }


def summarise(runs: list[Run], budgets: dict[str, float] | None = None) -> dict[str, PolicyMetrics]:
    out: dict[str, PolicyMetrics] = {}
    for policy in dict.fromkeys(r.policy for r in runs):
        mine = [r for r in runs if r.policy == policy]
        values = [per_run(r.ledger, r.members) for r in mine]
        out[policy] = PolicyMetrics(
            policy=policy,
            metrics={m: estimate([v[m] for v in values]) for m in METRICS},
            decisions=sum(r.decisions for r in mine),
            degraded=sum(getattr(r, "degraded", 0) for r in mine),
            tokens=sum(getattr(r, "tokens", 0) for r in mine),
            cost_usd=round(sum(getattr(r, "cost_usd", 0.0) for r in mine), 4),
            contacts=sum(r.ledger.contacts for r in mine),
            seconds=round(sum(r.seconds for r in mine), 1),
            phases={k: round(v, 1) for k, v in sum((r.phases for r in mine), Counter[str]()).items()},
            by_use_case=_by_use_case([r.ledger for r in mine]),
            budgets=budgets or {},
        )
    return out


def _by_use_case(ledgers: list[Ledger]) -> dict[str, dict[str, float]]:
    use_cases = sorted({u for ledger in ledgers for u in ledger.by_use_case})
    zero = dict.fromkeys(TALLIES, 0.0)
    return {u: {t: float(np.mean([ledger.by_use_case.get(u, zero)[t] for ledger in ledgers])) for t in TALLIES}
            for u in use_cases}
