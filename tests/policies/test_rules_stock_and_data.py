import pytest

from policies.engine import check
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import make_context, make_proposal, rule_ids, violation_of

INVENTORY = RuleId.INVENTORY_AVAILABLE
FRESHNESS = RuleId.DATA_FRESHNESS
SKU_2 = {"price": 20.0, "unit_cost": 12.0, "available_units": 0, "full_price": False}


def test_out_of_stock_skus_are_named(policy: Policy) -> None:
    two = make_proposal(offer={"skus": ["SKU-1", "SKU-2"]}, estimated_cost=6.0)
    result = check(two, make_context(skus={"SKU-1": {"available_units": 0}, "SKU-2": SKU_2}), policy)
    violation = violation_of(result, INVENTORY)
    assert violation.facts == {"skus": "SKU-1, SKU-2", "min_units": 1}
    assert violation.field == "offer.skus"


def test_one_unit_is_enough(policy: Policy) -> None:
    assert INVENTORY not in rule_ids(
        check(make_proposal(), make_context(skus={"SKU-1": {"available_units": 1}}), policy)
    )


def test_a_sku_without_an_inventory_record_has_no_stock(policy: Policy) -> None:
    unknown = make_proposal(offer={"skus": ["SKU-1", "SKU-9"]})
    assert violation_of(check(unknown, make_context(), policy), INVENTORY).facts["skus"] == "SKU-9"


def test_the_gift_must_be_in_stock_too(policy: Policy) -> None:
    gift = make_proposal(
        offer={"type": "gift", "discount_pct": None, "skus": [], "gift_sku": "SKU-2"}, estimated_cost=12.0
    )
    assert (
        violation_of(check(gift, make_context(skus={"SKU-2": SKU_2}), policy), INVENTORY).facts["skus"]
        == "SKU-2"
    )


def test_offers_without_products_need_no_stock(policy: Policy) -> None:
    order_wide = make_proposal(offer={"skus": []}, estimated_cost=8.0)
    assert INVENTORY not in rule_ids(check(order_wide, make_context(skus={}), policy))


@pytest.mark.parametrize(
    ("age", "stale", "fires"), [(48.0, False, False), (48.5, False, True), (1.0, True, True)]
)
def test_no_action_on_a_stale_profile(policy: Policy, age: float, stale: bool, fires: bool) -> None:
    result = check(make_proposal(), make_context(data_age_hours=age, profile_stale=stale), policy)
    assert (FRESHNESS in rule_ids(result)) is fires
    if fires:
        assert violation_of(result, FRESHNESS).facts == {
            "data_age_hours": age,
            "max_age_hours": 48.0,
            "profile_stale": "yes" if stale else "no",
        }
