import pytest

from policies.engine import check
from policies.model import Policy
from policies.rule_ids import RuleId
from policies.violation import Severity
from tests.policies.builders import make_context, make_proposal, rule_ids, violation_of

MARGIN = RuleId.MARGIN_FLOOR
UNDERSTATED = RuleId.COST_UNDERSTATED
BUDGET = RuleId.BUDGET_REMAINING
REVIEW = RuleId.REVIEW_HIGH_VALUE


def test_margin_floor_after_the_offer(policy: Policy) -> None:
    # Order 80.00 with 14.00 margin; 10% off the 40.00 SKU costs 4.00: (14 − 4) / (80 − 4) = 13.2%.
    result = check(make_proposal(), make_context(expected_basket_margin=14.0), policy)
    violation = violation_of(result, MARGIN)
    assert violation.facts == {"margin_pct": 13.16, "min_margin_pct": 15.0, "max_cost": 2.35}


def test_margin_exactly_at_the_floor_passes(policy: Policy) -> None:
    # (15.4 − 4) / 76 = 15%
    assert MARGIN not in rule_ids(check(make_proposal(), make_context(expected_basket_margin=15.4), policy))


def test_a_message_without_cost_never_breaks_the_margin_floor(policy: Policy) -> None:
    reminder = make_proposal(offer={"type": "none", "discount_pct": None}, estimated_cost=0.0)
    assert MARGIN not in rule_ids(check(reminder, make_context(expected_basket_margin=4.0), policy))


def test_understated_cost_is_caught_and_not_trusted(policy: Policy) -> None:
    result = check(make_proposal(estimated_cost=1.0), make_context(budget_remaining=2.0), policy)
    assert violation_of(result, UNDERSTATED).facts == {"estimated_cost": 1.0, "face_value": 4.0}
    assert violation_of(result, BUDGET).facts["cost"] == 4.0  # the face value, not the claim


def test_cost_within_tolerance_or_above_face_value_passes(policy: Policy) -> None:
    assert UNDERSTATED not in rule_ids(check(make_proposal(estimated_cost=3.99), make_context(), policy))
    assert UNDERSTATED in rule_ids(check(make_proposal(estimated_cost=3.98), make_context(), policy))
    assert UNDERSTATED not in rule_ids(check(make_proposal(estimated_cost=6.0), make_context(), policy))


@pytest.mark.parametrize(
    ("offer", "face_value"),
    [
        ({"type": "bonus_points", "bonus_points": 2_000}, 20.0),  # 2,000 points at 1 cent
        ({"type": "points_multiplier", "points_multiplier": 3.0}, 1.6),  # 2 extra points per dollar on 80.00
        ({"type": "free_shipping", "free_shipping": True}, 6.95),
        ({"type": "gift", "gift_sku": "SKU-1", "skus": []}, 24.0),  # the gift's unit cost
        ({"type": "amount_off", "amount_off": 50.0}, 40.0),  # capped at the SKU's price
        ({"type": "percent_off", "discount_pct": 10.0, "free_shipping": True}, 10.95),
        ({"type": "bundle", "skus": ["SKU-1", "SKU-2"], "discount_pct": 10.0}, 6.0),  # 10% of 40 + 20
    ],
)
def test_face_value_of_each_incentive(policy: Policy, offer: dict, face_value: float) -> None:
    proposal = make_proposal(offer={"discount_pct": None, **offer}, estimated_cost=0.0)
    sku_2 = {"price": 20.0, "unit_cost": 12.0, "available_units": 5, "full_price": False}
    result = check(proposal, make_context(skus={"SKU-2": sku_2}), policy)
    assert violation_of(result, UNDERSTATED).facts["face_value"] == face_value


def test_budget_must_cover_the_cost_exactly_is_enough(policy: Policy) -> None:
    assert BUDGET not in rule_ids(check(make_proposal(), make_context(budget_remaining=4.0), policy))
    violation = violation_of(check(make_proposal(), make_context(budget_remaining=3.99), policy), BUDGET)
    assert violation.facts == {"cost": 4.0, "budget_remaining": 3.99, "use_case": "reactivation"}


def test_high_value_offers_go_to_human_review(policy: Policy) -> None:
    offer = {"discount_pct": None, "type": "amount_off", "amount_off": 20.0, "skus": []}
    large_basket = make_context(expected_basket_value=400.0, expected_basket_margin=140.0)
    result = check(make_proposal(offer=offer, estimated_cost=50.01), large_basket, policy)
    assert violation_of(result, REVIEW).severity is Severity.REVIEW
    assert result.needs_review and not result.passed and not result.blocking
    at_limit = make_proposal(offer=offer, estimated_cost=50.0)
    assert check(at_limit, large_basket, policy).passed


def test_margin_floor_uses_the_offered_items_own_margin(policy: Policy) -> None:
    # The member's usual basket is rich (80.00 at 60% margin), but the offer is 25% off a 10.00 item
    # that earns 1.50: (1.50 − 2.50) / 7.50 is below zero, whatever the basket earns.
    thin = {
        "SKU-1": {
            "price": 10.0,
            "unit_cost": 8.5,
            "available_units": 50,
            "full_price": False,
            "category": "snacks",
        }
    }
    offer = make_proposal(offer={"discount_pct": 25.0}, estimated_cost=2.5)
    result = check(offer, make_context(skus=thin, expected_basket_margin=48.0), policy)
    assert violation_of(result, MARGIN).facts["margin_pct"] < 0
    # The same cut on an item with its own healthy margin (10.00 earning 6.00) passes.
    healthy = {"SKU-1": thin["SKU-1"] | {"unit_cost": 4.0}}
    assert MARGIN not in rule_ids(
        check(offer, make_context(skus=healthy, expected_basket_margin=48.0), policy)
    )


def test_an_offer_costing_exactly_the_budget_left_fits(policy: Policy) -> None:
    # 0.1 + 0.2 is not 0.3 in binary floating point; money is compared in whole cents.
    proposal = make_proposal(
        estimated_cost=0.1 + 0.2, offer={"type": "bonus_points", "discount_pct": None, "bonus_points": 30}
    )
    assert BUDGET not in rule_ids(check(proposal, make_context(budget_remaining=0.3), policy))
    assert BUDGET in rule_ids(check(proposal, make_context(budget_remaining=0.29), policy))
