"""What the single-member scorer reads from a profile and the moment before pricing actions."""

from policies.loader import load_policy
from policies.vocabulary import Channel, OfferType, UseCase
from tests.tools.nba.profiles import sample_profile
from tools.nba.member_scoring import MomentContext, member_batch, rival_behind_lapse
from tools.nba.response import APP_NATIVE_IN_APP_REACH, REACH_PRIOR, shrunk_reach
from tools.nba.scorer import ranked, score
from tools.rule_facts import SkuCost

VALUATION = load_policy().valuation
SARAH_MOMENT = MomentContext(anchor_category="Activewear", competitor_discount_pct=15)


def sarah(days_since: float = 28) -> object:
    return sample_profile(
        days_since=days_since,
        median_gap=18,
        affinity=("Activewear", "Socks", "Sneakers"),
        segments=("full_price_buyer", "email_first"),
        discount_share=0.0,
        margin_rate=0.6,
    )


def test_a_cart_is_priced_at_its_own_margin_not_the_members_average() -> None:
    member = sample_profile(margin_rate=0.45)
    doorbell = MomentContext(cart_value=299.0, cart_skus=("DOORBELL",))
    batch = member_batch(member, UseCase.CART_ABANDONMENT, doorbell, 0, 0, cart=[SkuCost(299.0, 275.0)])
    assert abs(batch.margin_rate[0] - 24 / 299) < 1e-9
    assert (
        member_batch(member, UseCase.CART_ABANDONMENT, doorbell, 0, 0).margin_rate[0] == 0.45
    )  # costs unknown


def test_a_lapse_during_a_rivals_promotion_on_the_members_category_is_a_price_barrier() -> None:
    assert rival_behind_lapse(sarah(), UseCase.REACTIVATION, SARAH_MOMENT)
    batch = member_batch(sarah(), UseCase.REACTIVATION, SARAH_MOMENT, 0, 0)
    assert batch.price_sensitivity[0] >= 0.5 and not batch.full_price_buyer[0]


def test_no_barrier_without_a_lapse_a_rival_or_a_category_of_the_members() -> None:
    on_rhythm = member_batch(sarah(days_since=10), UseCase.REACTIVATION, SARAH_MOMENT, 0, 0)
    no_rival = member_batch(sarah(), UseCase.REACTIVATION, MomentContext(anchor_category="Activewear"), 0, 0)
    elsewhere = member_batch(
        sarah(),
        UseCase.REACTIVATION,
        MomentContext(anchor_category="Garden tools", competitor_discount_pct=15),
        0,
        0,
    )
    for batch in (on_rhythm, no_rival, elsewhere):
        assert batch.price_sensitivity[0] == 0.0 and batch.full_price_buyer[0]


def test_sarah_is_won_back_with_a_price_answer_to_the_rival_not_only_recognition() -> None:
    batch = member_batch(sarah(), UseCase.REACTIVATION, SARAH_MOMENT, 0, 0)
    scores = score(batch, UseCase.REACTIVATION, VALUATION)
    best = scores.candidates[ranked(scores, 0, 1)[0]]
    assert best.channel is Channel.EMAIL and best.lever.offer_type is OfferType.PERCENT_OFF
    # Without the rival, the same lapse is answered with recognition, not a discount.
    quiet = member_batch(sarah(), UseCase.REACTIVATION, MomentContext(anchor_category="Activewear"), 0, 0)
    scores = score(quiet, UseCase.REACTIVATION, VALUATION)
    assert not scores.candidates[ranked(scores, 0, 1)[0]].lever.is_price


def test_members_who_live_in_the_app_are_reached_in_app_more_often() -> None:
    native = member_batch(sample_profile(segments=("app_native",)), UseCase.UPSELL, MomentContext(), 0, 0)
    other = member_batch(sample_profile(), UseCase.UPSELL, MomentContext(), 0, 0)
    assert native.reach_prior[Channel.IN_APP][0] == APP_NATIVE_IN_APP_REACH > REACH_PRIOR[Channel.IN_APP]
    assert other.reach_prior == {}
    zero = native.opens[Channel.IN_APP]
    assert (
        shrunk_reach(zero, zero, Channel.IN_APP, native.reach_prior[Channel.IN_APP])[0]
        == APP_NATIVE_IN_APP_REACH
    )


def test_a_regular_purchase_coming_due_raises_the_response_for_that_category_only() -> None:
    from math import exp

    from tests.tools.nba.profiles import AS_OF
    from tools.nba.member_scoring import HORIZON_DAYS, moment_intent

    member = sample_profile(replenishment={"Coffee beans": 2, "Snacks": 25})
    due = moment_intent(member, UseCase.UPSELL, "Coffee beans", AS_OF)
    # a 30-day cycle due within the horizon, against a memoryless buyer of the same rate
    assert abs(due - 1 / (1 - exp(-HORIZON_DAYS[UseCase.UPSELL] / 30))) < 1e-9
    assert moment_intent(member, UseCase.UPSELL, "Snacks", AS_OF) == 1.0  # not due yet
    assert moment_intent(member, UseCase.UPSELL, "Chocolate", AS_OF) == 1.0  # no cycle
    assert moment_intent(member, UseCase.UPSELL, None, AS_OF) == 1.0
