"""Metrics over seeds: intervals, seed-by-seed comparisons of policies, per-use-case tallies."""

from collections import Counter

import pytest

from evals.intervals import estimate, paired
from evals.simulation.metrics import per_run, summarise
from evals.simulation.responses import Ledger


class Run:
    def __init__(self, policy: str, margin: float, use_case: str = "reactivation") -> None:
        self.policy, self.members, self.decisions, self.seconds = policy, 100, 0, 1.0
        self.ledger = Ledger()
        self.ledger.add(use_case, contacts=10, incremental_margin=margin)
        self.phases = Counter({"decisions": 0.75, "delivery": 0.25})


def test_a_paired_comparison_removes_what_the_worlds_share() -> None:
    # Seeds differ a lot (a busy world, a quiet one), but ours is always 10 above twice theirs.
    ours, theirs = estimate([110.0, 30.0, 70.0]), estimate([50.0, 10.0, 30.0])
    gap = paired(ours.values, theirs.values, multiple=2.0)
    assert gap.values == [10.0, 10.0, 10.0] and gap.low == gap.high == 10.0
    assert ours.low < 2 * theirs.high  # unpaired, the intervals overlap


def test_pairing_needs_the_same_seeds_on_both_sides() -> None:
    with pytest.raises(ValueError):
        paired([1.0, 2.0], [1.0])


def test_summaries_keep_seed_values_and_tally_use_cases() -> None:
    runs = [Run("agents", 30.0), Run("agents", 50.0, "upsell"), Run("nothing", 0.0), Run("nothing", 0.0)]
    result = summarise(runs, {"reactivation": 500.0})
    agents = result["agents"]
    assert agents.metrics["incremental_margin"].values == [30.0, 50.0]
    assert (
        agents.by_use_case["reactivation"]["incremental_margin"] == 15.0
    )  # mean over seeds (0 in the second)
    assert agents.by_use_case["upsell"]["contacts"] == 5.0
    assert agents.budgets == {"reactivation": 500.0} and agents.seconds == 2.0
    assert agents.phases == {"decisions": 1.5, "delivery": 0.5}  # summed over seeds


def test_the_expected_price_offer_redemption_rate_is_per_price_offer_sent() -> None:
    run = Run("agents", 0.0)
    run.ledger.price_offers, run.ledger.expected_price_redemptions = 40, 1.2
    assert per_run(run.ledger, 100)["expected_offer_redemption_rate"] == pytest.approx(0.03)
    assert per_run(Run("nothing", 0.0).ledger, 100)["expected_offer_redemption_rate"] == 0.0


def _credited(policy: str, values: list[float]) -> Run:
    run = Run(policy, 0.0)
    for member, value in enumerate(values, start=1):
        run.ledger.credit(member, expected=value)
        run.ledger.expected_incremental_margin += value
    return run


def test_expected_margins_get_member_level_intervals_and_a_share_of_the_oracle() -> None:
    oracle = _credited("oracle", [2.0, 4.0, 6.0, 8.0] * 25)
    half = _credited("agents", [1.0, 2.0, 3.0, 4.0] * 25)  # exactly half, member by member
    noisy = _credited("flows", [0.0, 10.0] * 50)
    result = summarise([oracle, half, noisy])
    assert result["agents"].metrics["share_of_oracle"].mean == pytest.approx(0.5)
    assert result["agents"].metrics["share_of_oracle"].high - result["agents"].metrics[
        "share_of_oracle"
    ].low == pytest.approx(0.0, abs=1e-9)  # proportional member by member: no doubt about the share
    margin = result["flows"].metrics["expected_incremental_margin"]
    assert margin.mean == 500.0 and margin.low < 500.0 < margin.high  # one seed still gives an interval
    assert result["agents"].versus["oracle"].mean == pytest.approx(-250.0)
