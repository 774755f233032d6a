"""The order a proposal is judged on: the member's usual basket, or a high-ticket offer's own
products at their own margin."""

from policies.proposal import Offer
from policies.vocabulary import OfferType
from tests.tools.nba.profiles import sample_profile
from tests.tools.proposals import proposal
from tools.rule_facts import SkuCost, expected_order, facts_from_profile

DOORBELL = SkuCost(price=299.0, unit_cost=275.0)  # an 8% margin


def test_a_high_ticket_offer_is_judged_at_its_own_products_margin() -> None:
    assert expected_order(50.0, 0.45, [DOORBELL]) == (299.0, 24.0)


def test_a_cheap_offer_is_judged_on_the_members_usual_basket() -> None:
    assert expected_order(50.0, 0.45, [SkuCost(20.0, 5.0)]) == (50.0, 22.5)
    assert expected_order(0.0, None, []) == (1.0, 0.0)


def test_rule_facts_carry_the_thin_margin_of_a_thin_margin_cart() -> None:
    member = sample_profile(aov=50.0, margin_rate=0.45)
    cart = proposal()
    cart = cart.model_copy(
        update={"offer": Offer(type=OfferType.POINTS_MULTIPLIER, points_multiplier=2.0, skus=("DOORBELL",))}
    )
    facts = facts_from_profile(member, cart, {"DOORBELL": DOORBELL})
    assert (facts.basket_value, facts.basket_margin) == (299.0, 24.0)
    # Without the product's costs the member's usual basket and margin stand.
    assert (
        facts_from_profile(member, cart, {}).basket_value,
        facts_from_profile(member, cart, {}).basket_margin,
    ) == (50.0, 22.5)
