from policies.engine import check_fairness
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import customised, make_context, make_proposal


def _campaign(
    depths_by_group: dict[str | None, list[float]], attribute: str = "postcode_group"
) -> tuple[list, list]:
    proposals, contexts = [], []
    for group, depths in depths_by_group.items():
        for depth in depths:
            offer = (
                {"discount_pct": depth}
                if depth
                else {"type": "bonus_points", "discount_pct": None, "bonus_points": 300}
            )
            proposals.append(make_proposal(offer=offer, estimated_cost=4.0))
            contexts.append(make_context(**{attribute: group}))
    return proposals, contexts


def test_deeper_discounts_for_one_postcode_group_are_flagged(policy: Policy) -> None:
    proposals, contexts = _campaign({"N1": [20.0] * 25, "E9": [10.0] * 15 + [0.0] * 10, "SW4": [12.0] * 20})
    result = check_fairness(proposals, contexts, policy)
    [violation] = result.violations
    assert violation.rule_id is RuleId.FAIRNESS_DISCOUNT_DEPTH
    assert violation.facts == {
        "attribute": "postcode_group",
        "high_group": "N1",
        "high_depth_pct": 20.0,
        "low_group": "E9",
        "low_depth_pct": 6.0,  # points count as no discount
        "gap_pct_points": 14.0,
        "tolerance_pct_points": 5.0,
    }
    assert result.policy_version == policy.version and not result.passed


def test_gaps_within_the_tolerance_pass(policy: Policy) -> None:
    proposals, contexts = _campaign({"N1": [15.0] * 20, "E9": [10.0] * 20})  # exactly 5 points apart
    assert check_fairness(proposals, contexts, policy).passed


def test_small_and_unknown_groups_are_left_out(policy: Policy) -> None:
    proposals, contexts = _campaign({"N1": [10.0] * 30, "E9": [30.0] * 19, None: [30.0] * 40})
    assert check_fairness(proposals, contexts, policy).passed


def test_each_attribute_is_checked_on_its_own(policy: Policy) -> None:
    proposals, contexts = _campaign({"18-24": [5.0] * 20, "65+": [25.0] * 20}, attribute="demographic_group")
    [violation] = check_fairness(proposals, contexts, policy).violations
    assert (violation.facts["attribute"], violation.facts["high_group"]) == ("demographic_group", "65+")
    postcode_only = customised(policy, "fairness.discount_depth.attributes", ["postcode_group"])
    assert check_fairness(proposals, contexts, postcode_only).passed


def test_fairness_can_be_disabled(policy: Policy) -> None:
    proposals, contexts = _campaign({"N1": [30.0] * 20, "E9": [5.0] * 20})
    disabled = customised(policy, "fairness.discount_depth.enabled", False)
    assert check_fairness(proposals, contexts, disabled).violations == ()
