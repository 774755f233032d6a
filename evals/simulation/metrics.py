"""Per-policy metrics with 95% intervals.

Margins (expected and realised) are sums over members, and members are independent draws of the
population: their intervals come from how the sum varies between members (normal approximation,
pooled over seeds), which a single seed already measures. `share_of_oracle` is a ratio estimate
(the policy's expected margin over the oracle's, member by member on the same worlds) and `versus`
the paired difference of expected margins against every other policy, both with member-level
intervals. Rates and counts keep intervals over seeds (`evals.intervals`).
"""

from collections import Counter
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from evals.intervals import Estimate, estimate
from evals.simulation.responses import TALLIES, Ledger

METRICS = (
    "expected_incremental_margin",
    "incremental_margin",
    "share_of_oracle",
    "incremental_revenue",
    "redemption_rate",
    "offer_redemption_rate",
    "expected_offer_redemption_rate",
    "discount_spend",
    "contacts_per_member",
    "unsubscribe_rate",
    "violations",
    "sends_on_hour",
)
ORACLE = "oracle"
Z = 1.959964  # two-sided 95%, normal


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
    versus: dict[str, Estimate] = {}  # other policy → paired difference of expected incremental margin


class Run(Protocol):
    policy: str
    seed: int
    ledger: Ledger
    members: int
    decisions: int
    seconds: float
    phases: Counter[str]


def per_run(ledger: Ledger, members: int) -> dict[str, float]:
    return {
        "expected_incremental_margin": ledger.expected_incremental_margin,
        "incremental_margin": ledger.incremental_margin,
        "incremental_revenue": ledger.incremental_revenue,
        "redemption_rate": ledger.redemptions / ledger.offers if ledger.offers else 0.0,
        "offer_redemption_rate": ledger.price_redemptions / ledger.price_offers
        if ledger.price_offers
        else 0.0,
        # the same under the hidden model, without the dice: a few dozen price offers redeem too
        # rarely for the realised rate to tell policies apart
        "expected_offer_redemption_rate": ledger.expected_price_redemptions / ledger.price_offers
        if ledger.price_offers
        else 0.0,
        "discount_spend": ledger.discount_spend,
        "contacts_per_member": ledger.contacts / members,
        "unsubscribe_rate": ledger.unsubscribes / ledger.contacts if ledger.contacts else 0.0,
        "violations": float(ledger.violations),
        # share of contacts sent within ±1 h of the member's hidden preferred hour
        "sends_on_hour": ledger.on_hour / ledger.contacts if ledger.contacts else 0.0,
    }


def _vector(by_member: dict[int, float], members: int) -> np.ndarray:
    """Per-member values, zero for members the policy left alone (length `members`)."""
    values = np.zeros(max(members, len(by_member)))
    values[: len(by_member)] = list(by_member.values())
    return values


def member_total(vectors: list[np.ndarray]) -> Estimate:
    """The mean over seeds of a per-member sum, with a member-level 95% interval."""
    totals = [float(v.sum()) for v in vectors]
    mean = float(np.mean(totals))
    variance = sum(len(v) * float(np.var(v, ddof=1)) for v in vectors if len(v) > 1) / len(vectors) ** 2
    half = Z * variance**0.5
    return Estimate(mean=mean, low=mean - half, high=mean + half, seeds=len(vectors), values=totals)


def _aligned(a: dict[int, float], b: dict[int, float], members: int) -> tuple[np.ndarray, np.ndarray]:
    ids = sorted(set(a) | set(b))
    size = max(members, len(ids))
    x, y = np.zeros(size), np.zeros(size)
    x[: len(ids)] = [a.get(i, 0.0) for i in ids]
    y[: len(ids)] = [b.get(i, 0.0) for i in ids]
    return x, y


def share(ours: list[Run], oracle: list[Run]) -> Estimate:
    """Σ ours / Σ oracle (expected margins) over the same worlds, with a ratio estimator's interval."""
    pairs = [
        _aligned(a.ledger.expected_by_member, b.ledger.expected_by_member, a.members)
        for a, b in zip(ours, oracle, strict=True)
    ]
    top = sum(float(y.sum()) for _, y in pairs)
    if top <= 0:
        return Estimate(mean=0.0, low=0.0, high=0.0, seeds=len(pairs), values=[0.0] * len(pairs))
    ratio = sum(float(x.sum()) for x, _ in pairs) / top
    variance = sum(len(x) * float(np.var(x - ratio * y, ddof=1)) for x, y in pairs) / top**2
    half = Z * variance**0.5
    per_seed = [float(x.sum() / y.sum()) if y.sum() > 0 else 0.0 for x, y in pairs]
    return Estimate(mean=ratio, low=ratio - half, high=ratio + half, seeds=len(pairs), values=per_seed)


def difference(ours: list[Run], theirs: list[Run]) -> Estimate:
    """Σ ours - Σ theirs (expected margins), member by member on the same worlds."""
    pairs = [
        _aligned(a.ledger.expected_by_member, b.ledger.expected_by_member, a.members)
        for a, b in zip(ours, theirs, strict=True)
    ]
    return member_total([x - y for x, y in pairs])


def summarise(runs: list[Run], budgets: dict[str, float] | None = None) -> dict[str, PolicyMetrics]:
    out: dict[str, PolicyMetrics] = {}
    by_policy = {
        p: sorted((r for r in runs if r.policy == p), key=lambda r: getattr(r, "seed", 0))
        for p in dict.fromkeys(r.policy for r in runs)
    }
    for policy, mine in by_policy.items():
        values = [per_run(r.ledger, r.members) for r in mine]
        metrics = {m: estimate([v[m] for v in values]) for m in METRICS if m != "share_of_oracle"}
        for metric, attribute in (
            ("expected_incremental_margin", "expected_by_member"),
            ("incremental_margin", "realised_by_member"),
        ):
            by_member = [getattr(r.ledger, attribute) for r in mine]
            if any(by_member):  # a ledger that credited members gives member-level intervals
                metrics[metric] = member_total(
                    [_vector(b, r.members) for b, r in zip(by_member, mine, strict=True)]
                )
        if ORACLE in by_policy and len(by_policy[ORACLE]) == len(mine):
            metrics["share_of_oracle"] = share(mine, by_policy[ORACLE])
        out[policy] = PolicyMetrics(
            policy=policy,
            metrics={m: metrics[m] for m in METRICS if m in metrics},
            decisions=sum(r.decisions for r in mine),
            degraded=sum(getattr(r, "degraded", 0) for r in mine),
            tokens=sum(getattr(r, "tokens", 0) for r in mine),
            cost_usd=round(sum(getattr(r, "cost_usd", 0.0) for r in mine), 4),
            contacts=sum(r.ledger.contacts for r in mine),
            seconds=round(sum(r.seconds for r in mine), 1),
            phases={k: round(v, 1) for k, v in sum((r.phases for r in mine), Counter[str]()).items()},
            by_use_case=_by_use_case([r.ledger for r in mine]),
            budgets=budgets or {},
            versus={
                other: difference(mine, theirs)
                for other, theirs in by_policy.items()
                if other != policy and len(theirs) == len(mine)
            },
        )
    return out


def _by_use_case(ledgers: list[Ledger]) -> dict[str, dict[str, float]]:
    use_cases = sorted({u for ledger in ledgers for u in ledger.by_use_case})
    zero = dict.fromkeys(TALLIES, 0.0)
    return {
        u: {t: float(np.mean([ledger.by_use_case.get(u, zero)[t] for ledger in ledgers])) for t in TALLIES}
        for u in use_cases
    }
