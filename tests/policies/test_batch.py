import random
from collections import Counter

import pytest

from policies.engine import check, check_batch
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import make_context, make_proposal
from tests.policies.random_cases import random_case


@pytest.fixture(scope="module")
def campaign() -> list:
    rng = random.Random(20261126)
    return [random_case(rng) for _ in range(400)]


def test_batch_and_single_checks_agree(policy: Policy, campaign: list) -> None:
    proposals, contexts = zip(*campaign, strict=True)
    batch = check_batch(proposals, contexts, policy)
    single = [check(proposal, context, policy) for proposal, context in campaign]
    assert batch == single


def test_the_random_campaign_exercises_every_proposal_rule(policy: Policy, campaign: list) -> None:
    proposals, contexts = zip(*campaign, strict=True)
    fired = Counter(
        v.rule_id for result in check_batch(proposals, contexts, policy) for v in result.violations
    )
    assert set(fired) == set(RuleId) - {RuleId.FAIRNESS_DISCOUNT_DEPTH}


def test_batch_results_do_not_depend_on_neighbours(policy: Policy, campaign: list) -> None:
    proposals, contexts = zip(*campaign, strict=True)
    forward = check_batch(proposals, contexts, policy)
    backward = check_batch(proposals[::-1], contexts[::-1], policy)
    assert backward[::-1] == forward


def test_facts_match_each_rules_declared_placeholders(policy: Policy, campaign: list) -> None:
    proposals, contexts = zip(*campaign, strict=True)
    for result in check_batch(proposals, contexts, policy):
        for violation in result.violations:
            assert violation.facts.keys() == type(policy.rule(violation.rule_id)).placeholders.keys()


def test_an_empty_campaign_has_no_results(policy: Policy) -> None:
    assert check_batch([], [], policy) == []


def test_proposals_and_contexts_must_pair_up(policy: Policy) -> None:
    with pytest.raises(ValueError, match="2 proposals but 1 contexts"):
        check_batch([make_proposal(), make_proposal()], [make_context()], policy)
    with pytest.raises(ValueError, match="for customer 7 but its context is for customer 1042"):
        check(make_proposal(customer_id=7), make_context(), policy)
