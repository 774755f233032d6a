"""Offers used on orders members place on their own: the margin a discount gives away to purchases
that would have happened anyway, applied once per offer and once per order."""

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from evals.simulation.environment import SimWorld
from evals.simulation.own_orders import OwnOrder, Wallet, own_orders_between, priced, redeem_on_own_orders
from evals.simulation.responses import Ledger, ProductIndex, SentOffer
from policies.loader import load_policy
from policies.vocabulary import OfferType
from tools.storage.models import Order, Outcome

VALUATION = load_policy().valuation


class Eager(Wallet):
    """A wallet whose members always use what they hold (the draw is under every probability)."""

    def draw(self, order_id: int) -> float:
        return 0.0


def offer(customer_id: int, sent_at: object, **fields: object) -> SentOffer:
    values = {
        "contact_id": 1,
        "customer_id": customer_id,
        "channel": "email",
        "sent_at": sent_at,
        "offer_type": OfferType.PERCENT_OFF,
        "discount_pct": 15.0,
        **fields,
    }
    return SentOffer(**values)  # type: ignore[arg-type]


def own_order(
    channel: str = "online",
    amounts: tuple[float, ...] = (60.0, 40.0),
    categories: tuple[str, ...] = ("coffee", "pet_food"),
) -> OwnOrder:
    return OwnOrder(
        order_id=7,
        customer_id=3,
        placed_at=np.datetime64("2026-06-03T10:00").item(),
        channel=channel,
        had_coupon=False,
        skus=("A", "B"),
        categories=categories,
        amounts=np.array(amounts),
        costs=np.array(amounts) * 0.6,
    )


def test_a_percent_offer_costs_its_share_of_the_whole_order_or_of_its_scope() -> None:
    sent = np.datetime64("2026-06-01T20:00").item()
    assert priced(offer(3, sent), own_order(), VALUATION) == pytest.approx((15.0, 15.0))
    assert priced(offer(3, sent, categories=("coffee",)), own_order(), VALUATION) == pytest.approx((9.0, 9.0))
    assert priced(offer(3, sent, categories=("beauty",)), own_order(), VALUATION) is None
    assert priced(offer(3, sent, min_spend=150.0), own_order(), VALUATION) is None


def test_free_shipping_is_worth_nothing_on_an_order_that_does_not_ship() -> None:
    sent = np.datetime64("2026-06-01T20:00").item()
    shipping = offer(3, sent, offer_type=OfferType.FREE_SHIPPING, discount_pct=None, free_shipping=True)
    assert priced(shipping, own_order(), VALUATION) == pytest.approx((0.0, VALUATION.shipping_cost))
    assert priced(shipping, own_order(channel="store"), VALUATION) is None


def test_an_offer_used_on_an_order_that_happened_anyway_loses_its_cost_and_the_expectation_it_teaches() -> (
    None
):
    ledger = Ledger()
    used = offer(3, np.datetime64("2026-06-01T20:00").item())
    ledger.record_own_order_redemption(used, cut=15.0, cost=15.0, taught=2.5)
    assert ledger.incremental_margin == -17.5 and ledger.incremental_revenue == -15.0
    assert ledger.discount_spend == 15.0 and ledger.redemptions == ledger.own_order_redemptions == 1
    assert ledger.by_use_case[used.use_case]["incremental_margin"] == -17.5
    assert ledger.realised_by_member == {3: -17.5} and ledger.price_redemptions == 1


def test_a_held_offer_is_usable_only_after_it_was_sent_and_within_its_validity() -> None:
    sent = np.datetime64("2026-06-01T20:00").item()
    wallet = Wallet(valid_for=timedelta(days=7), seed=3)
    held = offer(3, sent)
    wallet.hold(held)
    assert wallet.usable(3, sent + timedelta(days=1)) == [held]
    assert wallet.usable(3, sent - timedelta(hours=1)) == []
    assert wallet.usable(3, sent + timedelta(days=8)) == []
    assert wallet.usable(4, sent + timedelta(days=1)) == []
    # an offer that states a shorter validity is not usable past it
    brief = replace(offer(5, sent), valid_until=sent + timedelta(days=1))
    wallet.hold(brief)
    assert wallet.usable(5, sent + timedelta(hours=20)) == [brief]
    assert wallet.usable(5, sent + timedelta(days=2)) == []


def test_whether_an_order_would_carry_an_offer_is_the_same_under_every_policy() -> None:
    one, other = Wallet(valid_for=timedelta(days=7), seed=3), Wallet(valid_for=timedelta(days=7), seed=3)
    draws = [one.draw(order) for order in range(200)]
    assert draws == [other.draw(order) for order in range(200)]
    assert 0.4 < float(np.mean(draws)) < 0.6  # uniform, not a constant
    assert draws != [Wallet(valid_for=timedelta(days=7), seed=4).draw(order) for order in range(200)]


def _first_own_order(world: SimWorld, after_day: int) -> tuple[int, object, int]:
    begin, _ = world.day_window(after_day)
    orders = world.future.orders
    placed = np.asarray(orders["placed_at"])
    later = np.flatnonzero(
        (placed >= np.datetime64(begin.replace(tzinfo=None), "us"))
        & np.array([c is None for c in orders["coupon_code"]])
    )
    row = later[np.argmin(placed[later])]
    day = int((placed[row] - np.datetime64(world.start.replace(tzinfo=None), "us")) // np.timedelta64(1, "D"))
    return int(orders["customer_id"][row]), placed[row].astype("datetime64[us]").item(), day


async def test_a_member_who_would_have_bought_anyway_redeems_and_costs_the_discount(world: SimWorld) -> None:
    customer, placed_at, day = _first_own_order(world, after_day=1)
    for replayed in range(day + 1):
        await world.replay(replayed)
    catalogue = await ProductIndex.load(world)
    wallet = Eager(valid_for=timedelta(days=7), seed=3)
    held = offer(customer, placed_at - timedelta(days=1), contact_id=99)
    wallet.hold(held)
    ledger = Ledger()
    begin, end = world.day_window(day)
    mine = [o for o in own_orders_between(world, begin, end, catalogue) if o.customer_id == customer]
    expected = 0.15 * float(mine[0].amounts.sum())
    async with world.db.session() as session:
        before = await session.scalar(select(Order.total).where(Order.id == mine[0].order_id))

    used = await redeem_on_own_orders(world, begin, end, wallet, catalogue, VALUATION, ledger)

    assert used >= 1
    # nothing gained: the discount lost, and the discount expectation a price cut teaches the member
    taught = ledger.incremental_margin + ledger.discount_spend
    assert taught < 0 and ledger.incremental_margin == pytest.approx(sum(ledger.realised_by_member.values()))
    assert ledger.own_order_redemptions == used and wallet.usable(customer, placed_at) == []
    async with world.db.session() as session:
        after = await session.scalar(select(Order.total).where(Order.id == mine[0].order_id))
        redeemed = (await session.scalars(select(Outcome).where(Outcome.contact_id == 99))).all()
    assert after == pytest.approx(before - expected, abs=0.01)
    assert [(o.type, o.order_id) for o in redeemed] == [("redeem", mine[0].order_id)]
    # Used once: the same day again finds nothing left to redeem.
    assert await redeem_on_own_orders(world, begin, end, wallet, catalogue, VALUATION, Ledger()) == 0


async def test_the_own_order_an_offer_driven_order_displaced_is_not_discounted_again(world: SimWorld) -> None:
    customer, placed_at, day = _first_own_order(world, after_day=1)
    for replayed in range(day + 1):
        await world.replay(replayed)
    catalogue = await ProductIndex.load(world)
    begin, end = world.day_window(day)
    displaced = min(
        (o for o in own_orders_between(world, begin, end, catalogue) if o.customer_id == customer),
        key=lambda o: o.placed_at,
    )
    wallet = Eager(valid_for=timedelta(days=7), seed=3)
    wallet.displace_next(world, offer(customer, placed_at - timedelta(days=1)), timedelta(days=30))
    wallet.hold(offer(customer, placed_at - timedelta(days=1), contact_id=5))
    async with world.db.session() as session:
        before = await session.scalar(select(Order.total).where(Order.id == displaced.order_id))

    await redeem_on_own_orders(world, begin, end, wallet, catalogue, VALUATION, Ledger())

    assert displaced.order_id in wallet.used_orders
    async with world.db.session() as session:
        assert await session.scalar(select(Order.total).where(Order.id == displaced.order_id)) == before
        assert (
            displaced.order_id
            not in (await session.scalars(select(Outcome.order_id).where(Outcome.type == "redeem"))).all()
        )
