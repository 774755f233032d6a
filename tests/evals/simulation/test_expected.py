"""The yardstick's model of one message: the structure the issue asks of the world, on a small world."""

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from evals.simulation.environment import SimWorld
from evals.simulation.expected import Valuer
from evals.simulation.moments import CART, moments_at
from evals.simulation.oracle import candidate
from evals.simulation.responses import ProductIndex
from policies.loader import load_policy


async def _setup(world: SimWorld) -> tuple[Valuer, object, int, tuple[str, ...], tuple[str, ...]]:
    catalogue = await ProductIndex.load(world)
    valuer = Valuer.build(world, catalogue, load_policy().valuation)
    moments = await moments_at(world, world.start + timedelta(hours=20))
    truth = world.truth
    member = int(np.argmax(truth.taste.max(axis=1)))  # a member with a clear favourite
    names = {i: n for n, i in catalogue.category_id_by_name.items()}
    favourite = (names[int(truth.category_id[np.argmax(truth.taste[member])])],)
    disliked = (names[int(truth.category_id[np.argmin(truth.taste[member])])],)
    return valuer, moments, int(truth.customer_id[member]), favourite, disliked


def _at(world: SimWorld, member: int, hour: int) -> object:
    return world.start.replace(tzinfo=None) + timedelta(hours=hour)


async def test_a_relevant_offer_moves_a_member_far_more_than_an_irrelevant_one(world: SimWorld) -> None:
    valuer, moments, member, favourite, disliked = await _setup(world)
    at = _at(world, member, 30)
    offers = [candidate(member, "email", "PCT15", at, "upsell", scope, ()) for scope in (favourite, disliked)]
    p = valuer.value(offers, moments, np.zeros(2)).probabilities
    assert p.order[0] > 3 * p.order[1]


async def test_trigger_intent_lifts_conversion_and_makes_the_order_likelier_to_have_happened_anyway(
    world: SimWorld,
) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    i = int(np.searchsorted(world.truth.customer_id, member))
    category = int(world.truth.category_id[np.argmax(world.truth.taste[i])])
    calm = replace(moments, intent=np.zeros_like(moments.intent))
    hot = replace(
        calm,
        intent=np.where(np.arange(len(moments.intent)) == i, 1.0, 0.0),
        intent_kind=np.where(np.arange(len(moments.intent)) == i, CART, 0),
        intent_category=np.where(np.arange(len(moments.intent)) == i, category, -1),
    )
    offer = [
        candidate(member, "email", "REMINDER", _at(world, member, 30), "cart_abandonment", favourite, ())
    ]
    before, after = valuer.value(offer, calm, np.zeros(1)), valuer.value(offer, hot, np.zeros(1))
    assert after.ordered[0] > 3 * before.ordered[0]
    assert after.anyway[0] > before.anyway[0]
    assert after.value[0] > before.value[0]


async def test_fatigue_lowers_clicks_and_orders_not_only_opens(world: SimWorld) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    offer = [candidate(member, "email", "REMINDER", _at(world, member, 30), "upsell", favourite, ())] * 2
    p = valuer.value(offer, moments, np.array([0, 4])).probabilities
    assert p.open[1] < p.open[0] and p.click[1] < p.click[0] and p.order[1] < p.order[0]


async def test_send_time_matters_modestly(world: SimWorld) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    opens = valuer.value(
        [
            candidate(member, "email", "REMINDER", _at(world, member, h), "upsell", favourite, ())
            for h in range(24, 48)
        ],
        moments,
        np.zeros(24),
    ).probabilities.open
    assert 1.1 <= opens.max() / opens.mean() <= 1.3


async def test_a_discount_costs_what_it_gives_away_to_orders_that_would_have_happened(
    world: SimWorld,
) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    at = _at(world, member, 30)
    plain, discount = valuer.value(
        [candidate(member, "email", code, at, "upsell", favourite, ()) for code in ("REMINDER", "PCT20")],
        moments,
        np.zeros(2),
    ).own_cost
    assert plain == 0 and discount > 0
    assert valuer.value(
        [candidate(member, "email", "PCT20", at, "upsell", favourite, ())], moments, np.zeros(1)
    ).taught[0] == pytest.approx(
        world.response.params.lasting.discount_expectation
        * world.truth.price_sensitivity[np.searchsorted(world.truth.customer_id, member)]
        / world.response.mean_price_sensitivity
        * moments.order_rate[np.searchsorted(world.truth.customer_id, member)]
        * world.response.params.lasting.expectation_days,
        rel=1e-5,
    )


async def test_an_offer_valid_for_a_day_gives_away_less_on_own_orders_than_one_valid_a_week(
    world: SimWorld,
) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    at = _at(world, member, 30)
    week = candidate(member, "email", "PCT15", at, "upsell", favourite, ())
    day = replace(week, valid_until=at + timedelta(days=1))
    own = valuer.value([week, day], moments, np.zeros(2)).own_cost
    assert own[0] > 0 and 0 < own[1] < own[0]


def _by_price_and_usual(
    world: SimWorld, valuer: Valuer, member: int, favourite: tuple[str, ...]
) -> tuple[np.ndarray, float]:
    """The favourite category's products, cheapest first, and the member's usual basket."""
    catalogue = valuer.catalogue
    pool = catalogue.by_category_name[favourite[0]]
    i = int(np.searchsorted(world.truth.customer_id, member))
    return pool[np.argsort(catalogue.price[pool])], float(
        valuer.member_line_price[i] * (1 + valuer.extra_lines)
    )


async def test_named_products_dearer_than_the_usual_basket_sell_less_often_in_proportion(
    world: SimWorld,
) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    catalogue = valuer.catalogue
    by_price, usual = _by_price_and_usual(world, valuer, member, favourite)
    sku = {position: name for name, position in catalogue.sku_index.items()}
    cheap, dear = (sku[int(by_price[0])],), tuple(sku[int(k)] for k in by_price[-3:])  # three at most
    at = _at(world, member, 30)
    offers = [candidate(member, "email", "BUNDLE15", at, "upsell", favourite, skus) for skus in (cheap, dear)]
    expected = valuer.value(offers, moments, np.zeros(2))
    dear_price = catalogue.price[by_price[-3:]].sum()
    ratio = dear_price / usual
    assert ratio > 1 >= catalogue.price[by_price[0]] / usual  # the member's usual basket lies between
    reach = world.response.params.basket_lift.price_reach
    assert reach > 0
    p = expected.probabilities.order
    assert p[1] / p[0] == pytest.approx(ratio**-reach)
    # so the dearer basket does not buy its whole price in expected revenue
    revenue = expected.ordered * expected.revenue
    assert revenue[1] / revenue[0] < dear_price / catalogue.price[by_price[0]]


async def test_a_price_offer_is_expected_to_be_redeemed_on_its_order_and_on_the_members_own(
    world: SimWorld,
) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    at = _at(world, member, 30)
    offers = [candidate(member, "email", code, at, "upsell", favourite, ()) for code in ("REMINDER", "PCT15")]
    expected = valuer.value(offers, moments, np.zeros(2))
    plain, priced = expected.redeemed
    assert plain == pytest.approx(expected.ordered[0])  # nothing to redeem beyond the order itself
    assert expected.own_redeemed[1] > 0  # an active member may use it on an order of their own
    assert priced == pytest.approx(expected.ordered[1] + expected.own_redeemed[1])


async def test_products_the_member_put_in_a_cart_are_not_held_to_their_usual_basket(
    world: SimWorld,
) -> None:
    valuer, moments, member, favourite, _ = await _setup(world)
    catalogue = valuer.catalogue
    by_price, usual = _by_price_and_usual(world, valuer, member, favourite)
    dear = by_price[-3:]
    skus = tuple(name for name, position in catalogue.sku_index.items() if position in set(dear.tolist()))
    assert catalogue.price[dear].sum() > usual
    reminder = candidate(
        member, "email", "REMINDER", _at(world, member, 30), "cart_abandonment", favourite, ()
    )
    offer = [replace(reminder, skus=skus)]  # a reminder of what is in the cart names its products
    picked = valuer.value(offer, moments, np.zeros(1)).probabilities.order[0]
    carted = replace(moments, carted={member: frozenset(int(catalogue.product_id[k]) for k in dear)})
    chosen = valuer.value(offer, carted, np.zeros(1)).probabilities.order[0]
    assert chosen > picked  # the member chose them: no price reach
    one_of_them = replace(moments, carted={member: frozenset({int(catalogue.product_id[dear[0]])})})
    assert valuer.value(offer, one_of_them, np.zeros(1)).probabilities.order[0] == pytest.approx(picked)
