"""The value model ranks actions the way the seed playbooks expect, for the right reasons."""

from dataclasses import replace

import numpy as np
import pytest

from policies.loader import load_policy
from policies.vocabulary import Channel, OfferType, UseCase
from tools.nba.response import learn_lift
from tools.nba.scorer import CHANNELS, MAX_CANDIDATES, MemberBatch, candidates_for, ranked, score

VALUATION = load_policy().valuation


def batch(
    *,
    ps: list[float],
    full_price: list[bool],
    p0: float = 0.2,
    basket: float = 120.0,
    reachable: tuple[Channel, ...] = (Channel.EMAIL,),
    recent: int = 0,
) -> MemberBatch:
    n = len(ps)
    ones = np.ones(n)
    return MemberBatch(
        customer_id=np.arange(1, n + 1),
        p_buy_anyway=ones * p0,
        basket_value=ones * basket,
        margin_rate=ones * 0.45,
        price_sensitivity=np.array(ps),
        full_price_buyer=np.array(full_price),
        clv_365=ones * 600,
        recent_contacts_7d=ones * recent,
        consecutive_ignored=np.zeros(n),
        opens=dict.fromkeys(CHANNELS, ones * 5),
        sends=dict.fromkeys(CHANNELS, ones * 20),
        reachable={c: np.full(n, c in reachable) for c in CHANNELS},
    )


def best(scores, row: int):
    return scores.candidates[ranked(scores, row, 1)[0]]


def test_candidate_grid_is_bounded_and_includes_do_nothing() -> None:
    for use_case in UseCase:
        cands = candidates_for(use_case)
        assert len(cands) <= MAX_CANDIDATES and cands[0].lever.is_nothing


def test_price_sensitive_member_gets_a_discount_full_price_member_does_not() -> None:
    scores = score(batch(ps=[0.9, 0.05], full_price=[False, True]), UseCase.REACTIVATION, VALUATION)
    assert best(scores, 0).lever.offer_type in (OfferType.PERCENT_OFF, OfferType.AMOUNT_OFF)
    assert best(scores, 1).lever.offer_type not in (
        OfferType.PERCENT_OFF,
        OfferType.AMOUNT_OFF,
        OfferType.BUNDLE,
    )


def test_unreachable_channels_are_never_chosen() -> None:
    scores = score(batch(ps=[0.5], full_price=[False], reachable=(Channel.SMS,)), UseCase.UPSELL, VALUATION)
    for j in ranked(scores, 0, 10):
        assert scores.candidates[j].channel in (None, Channel.SMS)


def test_do_nothing_wins_when_member_buys_anyway() -> None:
    # Near-certain buyer: any discount is pure cannibalisation.
    scores = score(batch(ps=[0.3], full_price=[False], p0=0.97, recent=3), UseCase.REACTIVATION, VALUATION)
    assert best(scores, 0).lever.is_nothing


def test_value_decomposes_into_its_components() -> None:
    scores = score(batch(ps=[0.6], full_price=[False]), UseCase.CART_ABANDONMENT, VALUATION)
    j = ranked(scores, 0, 1)[0]
    margin = 120.0 * 0.45
    p1, up = scores.propensity[0, j], scores.uplift[0, j]
    reconstructed = up * margin - (scores.cost[0, j]) - scores.fatigue_penalty[0, j]
    assert scores.value[0, j] == pytest.approx(reconstructed)
    assert scores.expected_margin[0, j] == pytest.approx(p1 * margin)


def test_contact_pressure_lowers_value() -> None:
    calm = score(batch(ps=[0.5], full_price=[False], recent=0), UseCase.UPSELL, VALUATION)
    busy = score(batch(ps=[0.5], full_price=[False], recent=4), UseCase.UPSELL, VALUATION)
    contacts = np.isfinite(calm.value[0]) & np.array([not c.lever.is_nothing for c in calm.candidates])
    assert contacts.sum() > 0
    assert np.all(busy.value[0, contacts] < calm.value[0, contacts])


def test_learned_lift_moves_the_ranking() -> None:
    member = batch(ps=[0.5], full_price=[False])
    before = score(member, UseCase.REACTIVATION, VALUATION)
    learned = learn_lift(
        {
            (UseCase.REACTIVATION, OfferType.EARLY_ACCESS): (400.0, 40.0),
            (UseCase.REACTIVATION, OfferType.PERCENT_OFF): (0.0, 300.0),
        }
    )
    after = score(member, UseCase.REACTIVATION, VALUATION, learned=learned)
    assert best(before, 0).lever.offer_type is not OfferType.EARLY_ACCESS
    assert best(after, 0).lever.offer_type is OfferType.EARLY_ACCESS


def test_learned_lift_scales_the_whole_uplift_a_rivals_win_back_included() -> None:
    member = batch(ps=[0.8], full_price=[False])
    pressed = MemberBatch(**{**member.__dict__, "competitor_discount_pct": np.array([20.0])})
    learned = learn_lift({(UseCase.COMPETITIVE_RESPONSE, OfferType.PERCENT_OFF): (0.0, 400.0)})
    before = score(pressed, UseCase.COMPETITIVE_RESPONSE, VALUATION)
    after = score(pressed, UseCase.COMPETITIVE_RESPONSE, VALUATION, learned=learned)
    factor = learned.factor(OfferType.PERCENT_OFF, UseCase.COMPETITIVE_RESPONSE)
    price = [
        j
        for j, c in enumerate(before.candidates)
        if c.lever.offer_type is OfferType.PERCENT_OFF and np.isfinite(before.value[0, j])
    ]
    assert price and factor < 0.1
    np.testing.assert_allclose(after.uplift[0, price], factor * before.uplift[0, price], rtol=1e-9)


def test_competitor_promotion_favours_closing_the_gap_for_price_sensitive_members() -> None:
    member = batch(ps=[0.8], full_price=[False])
    calm = score(member, UseCase.COMPETITIVE_RESPONSE, VALUATION)
    pressed_batch = MemberBatch(**{**member.__dict__, "competitor_discount_pct": np.array([20.0])})
    pressed = score(pressed_batch, UseCase.COMPETITIVE_RESPONSE, VALUATION)
    price = [j for j, c in enumerate(calm.candidates) if c.lever.is_price and np.isfinite(calm.value[0, j])]
    assert all(pressed.value[0, j] > calm.value[0, j] for j in price)
    assert best(pressed, 0).lever.is_price


def test_fatigue_is_counted_in_margin_like_the_rest_of_the_value() -> None:
    rich = batch(ps=[0.3], full_price=[False], recent=2)
    thin = replace(rich, margin_rate=rich.margin_rate * 0.5)
    fatigue_thin = score(thin, UseCase.UPSELL, VALUATION).fatigue_penalty
    fatigue_rich = score(rich, UseCase.UPSELL, VALUATION).fatigue_penalty
    assert np.allclose(fatigue_thin * 2, fatigue_rich) and fatigue_rich[0, 1:].max() > 0


def test_an_offer_is_redeemed_by_members_who_would_buy_anyway_only_while_it_is_valid() -> None:
    # Likely to buy within the fortnight the message is judged over, far less within the three
    # days the offer is valid: the discount's cost on those orders shrinks; its caused orders pay it all.
    horizon = batch(ps=[0.6], full_price=[False], p0=0.4)
    brief = replace(horizon, p_buy_while_valid=np.array([0.1]))
    long_, short = (score(b, UseCase.UPSELL, VALUATION) for b in (horizon, brief))
    priced = [
        j for j, c in enumerate(long_.candidates) if np.isfinite(long_.value[0, j]) and c.lever.is_price
    ]
    assert priced
    for j in priced:
        seen = long_.redeem[0, j] / long_.propensity[0, j]
        assert short.redeem[0, j] == pytest.approx(seen * (short.uplift[0, j] + 0.1))
        assert short.value[0, j] > long_.value[0, j]
        assert short.uplift[0, j] == pytest.approx(long_.uplift[0, j])  # what it causes is unchanged
