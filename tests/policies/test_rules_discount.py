import pytest

from policies.engine import check
from policies.model import Policy
from policies.rule_ids import RuleId
from tests.policies.builders import contact, make_context, make_proposal, rule_ids, violation_of

SEGMENT = RuleId.MAX_DISCOUNT_SEGMENT
CATEGORY = RuleId.MAX_DISCOUNT_CATEGORY
FULL_PRICE = RuleId.MAX_DISCOUNT_FULL_PRICE
TOP_TIER = RuleId.POINTS_TOP_TIER
CART = RuleId.CART_FIRST_MESSAGE_DISCOUNT


def _percent(pct: float, **context: object):
    proposal = make_proposal(offer={"discount_pct": pct}, estimated_cost=40.0 * pct / 100)
    return proposal, make_context(**context)


def test_segment_limit_fires_with_a_fix(policy: Policy) -> None:
    violation = violation_of(check(*_percent(25, segments=["discount_seeker"]), policy), SEGMENT)
    assert violation.facts == {"depth_pct": 25.0, "max_pct": 15.0, "segment": "discount_seeker"}
    assert violation.field == "offer.discount_pct"
    assert "lower it to at most 15%" in violation.message


def test_exactly_at_the_segment_limit_passes(policy: Policy) -> None:
    assert SEGMENT not in rule_ids(check(*_percent(15, segments=["discount_seeker"]), policy))


def test_the_tightest_listed_segment_binds(policy: Policy) -> None:
    result = check(*_percent(18, segments=["new_member", "discount_seeker", "lapsed"]), policy)
    assert violation_of(result, SEGMENT).facts["segment"] == "discount_seeker"


@pytest.mark.parametrize(("pct", "fires"), [(30, False), (31, True)])
def test_members_in_no_listed_segment_get_the_default(policy: Policy, pct: float, fires: bool) -> None:
    result = check(*_percent(pct, segments=["lapsed"]), policy)
    assert (SEGMENT in rule_ids(result)) is fires
    if fires:
        assert violation_of(result, SEGMENT).facts["segment"] == "default"


def test_amount_off_is_held_to_the_same_depth(policy: Policy) -> None:
    amount = make_proposal(
        offer={"type": "amount_off", "discount_pct": None, "amount_off": 14.0}, estimated_cost=14.0
    )
    violation = violation_of(check(amount, make_context(), policy), SEGMENT)  # 14 off a 40.00 SKU: 35%
    assert violation.facts["depth_pct"] == 35.0
    assert violation.field == "offer.amount_off"


def test_amount_off_on_the_order_is_measured_against_the_minimum_spend(policy: Policy) -> None:
    offer = {"type": "amount_off", "discount_pct": None, "amount_off": 30.0, "skus": [], "min_spend": 100.0}
    amount = make_proposal(offer=offer, estimated_cost=30.0)
    assert SEGMENT not in rule_ids(check(amount, make_context(), policy))  # 30 of 100: at the 30% default
    assert SEGMENT in rule_ids(
        check(make_proposal(offer={**offer, "min_spend": 99.0}), make_context(), policy)
    )


def test_points_are_not_a_price_cut(policy: Policy) -> None:
    points = make_proposal(
        offer={"type": "bonus_points", "discount_pct": None, "bonus_points": 500}, estimated_cost=5.0
    )
    assert not {SEGMENT, CATEGORY, FULL_PRICE} & rule_ids(
        check(
            points, make_context(segments=["discount_seeker"], skus={"SKU-1": {"full_price": True}}), policy
        )
    )


def test_category_limit_from_the_skus_category(policy: Policy) -> None:
    result = check(*_percent(15, skus={"SKU-1": {"category": "electronics"}}), policy)
    assert violation_of(result, CATEGORY).facts == {
        "depth_pct": 15.0,
        "max_pct": 10.0,
        "category": "electronics",
    }
    assert CATEGORY not in rule_ids(check(*_percent(10, skus={"SKU-1": {"category": "electronics"}}), policy))


def test_category_limit_from_the_offers_categories_tightest_first(policy: Policy) -> None:
    offer = {"discount_pct": 5.0, "skus": [], "categories": ["grocery", "alcohol"]}
    result = check(make_proposal(offer=offer), make_context(), policy)
    assert violation_of(result, CATEGORY).facts["category"] == "alcohol"


def test_unlisted_categories_have_no_category_limit(policy: Policy) -> None:
    assert CATEGORY not in rule_ids(check(*_percent(25), policy))  # "snacks" is not listed


def test_full_price_items_are_never_discounted(policy: Policy) -> None:
    result = check(*_percent(5, skus={"SKU-1": {"full_price": True}}), policy)
    assert violation_of(result, FULL_PRICE).facts == {"depth_pct": 5.0, "max_pct": 0.0, "skus": "SKU-1"}
    assert FULL_PRICE not in rule_ids(check(*_percent(5), policy))


def test_a_full_price_gift_is_not_a_discount(policy: Policy) -> None:
    gift = make_proposal(
        offer={"type": "gift", "discount_pct": None, "gift_sku": "SKU-1", "skus": []}, estimated_cost=24.0
    )
    assert FULL_PRICE not in rule_ids(check(gift, make_context(skus={"SKU-1": {"full_price": True}}), policy))


def test_no_points_multiplier_for_the_top_tier(policy: Policy) -> None:
    double = make_proposal(
        offer={"type": "points_multiplier", "discount_pct": None, "points_multiplier": 2.0}
    )
    violation = violation_of(check(double, make_context(tier="platinum"), policy), TOP_TIER)
    assert violation.facts == {"tier": "platinum", "multiplier": 2.0}
    assert TOP_TIER not in rule_ids(check(double, make_context(tier="gold"), policy))
    bonus = make_proposal(offer={"type": "bonus_points", "discount_pct": None, "bonus_points": 200})
    assert TOP_TIER not in rule_ids(check(bonus, make_context(tier="platinum"), policy))


def _cart(step: int, offer: dict, *recent: dict):
    proposal = make_proposal(use_case="cart_abandonment", sequence_step=step, offer=offer)
    return proposal, make_context(recent_contacts=list(recent))


REMINDER = {"type": "none", "discount_pct": None}


def test_no_discount_in_the_first_cart_message(policy: Policy) -> None:
    violation = violation_of(check(*_cart(1, {}), policy), CART)
    assert violation.facts == {"step": 1, "offer_type": "percent_off", "allowed_from_step": 2}
    assert CART not in rule_ids(check(*_cart(1, REMINDER), policy))


def test_free_shipping_counts_as_a_discount_in_cart_recovery(policy: Policy) -> None:
    shipping = {"type": "free_shipping", "discount_pct": None, "free_shipping": True}
    assert CART in rule_ids(check(*_cart(1, shipping), policy))


def test_second_cart_message_may_discount_after_a_first(policy: Policy) -> None:
    first = contact("email", 20, use_case="cart_abandonment")
    assert CART not in rule_ids(check(*_cart(2, {}, first), policy))


def test_claimed_step_is_checked_against_the_messages_sent(policy: Policy) -> None:
    assert violation_of(check(*_cart(2, {}), policy), CART).facts["step"] == 1
    too_old = contact("email", 80, use_case="cart_abandonment")  # outside the 72 h sequence window
    assert CART in rule_ids(check(*_cart(2, {}, too_old), policy))
    other_use_case = contact("email", 20, use_case="upsell")
    assert CART in rule_ids(check(*_cart(2, {}, other_use_case), policy))


def test_other_use_cases_may_discount_at_step_one(policy: Policy) -> None:
    assert CART not in rule_ids(check(make_proposal(use_case="upsell"), make_context(), policy))
