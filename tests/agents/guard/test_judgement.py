"""Judgement checks against their neighbours: the value estimates the next-best-action scorer
really produces must read as plausible, and the same estimates inflated must not."""

import numpy as np

from policies.judgement import JudgementId, judge
from policies.loader import load_policy
from policies.vocabulary import Channel, UseCase
from tests.agents.guard.world import offer
from tools.nba.scorer import MemberBatch, score


def members(n: int, seed: int) -> MemberBatch:
    rng = np.random.default_rng(seed)
    return MemberBatch(
        customer_id=np.arange(n),
        p_buy_anyway=rng.uniform(0, 0.95, n),
        basket_value=rng.uniform(20, 400, n),
        margin_rate=rng.uniform(0.1, 0.6, n),
        price_sensitivity=rng.uniform(0, 1, n),
        full_price_buyer=rng.uniform(0, 1, n) < 0.2,
        clv_365=rng.uniform(0, 3000, n),
        recent_contacts_7d=rng.integers(0, 4, n),
        consecutive_ignored=rng.integers(0, 3, n),
        opens={c: rng.integers(0, 20, n).astype(float) for c in Channel},
        sends={c: rng.integers(20, 40, n).astype(float) for c in Channel},
        reachable={c: np.ones(n, dtype=bool) for c in Channel},
    )


def value_findings(value: dict[str, float], estimated_cost: float) -> list[str]:
    proposal = offer(value=value, estimated_cost=estimated_cost)
    return [f.message for f in judge(proposal) if f.judgement_id is JudgementId.VALUE_CLAIMS]


def test_the_scorers_estimates_are_plausible_and_inflated_ones_are_not() -> None:
    batch, valuation = members(20, seed=7), load_policy().valuation
    checked = 0
    for use_case in UseCase:
        scores = score(batch, use_case, valuation)
        rows, columns = np.nonzero(np.isfinite(scores.value) & (scores.value > 0))
        for i, j in zip(rows.tolist(), columns.tolist(), strict=True):
            value = {
                "propensity": float(scores.propensity[i, j]),
                "uplift": float(scores.uplift[i, j]),
                "expected_margin": float(scores.expected_margin[i, j]),
                "cost": float(scores.cost[i, j]),
                "fatigue_penalty": float(scores.fatigue_penalty[i, j]),
                "expected_value": float(scores.value[i, j]),
            }
            cost_if_redeemed = float(scores.cost_if_redeemed[i, j])
            assert value_findings(value, cost_if_redeemed) == [], value
            inflated = value | {"expected_value": value["expected_value"] * 3 + 5}
            assert value_findings(inflated, cost_if_redeemed), inflated
            checked += 1
    assert checked > 100


def test_a_clean_proposal_has_no_findings() -> None:
    assert judge(offer()) == ()
