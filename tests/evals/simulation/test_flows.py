"""The `flows` baseline does what a competent Klaviyo user sets up: a cart reminder without a
discount an hour after the cart, 10% off at a day if nothing was ordered, morning sends local."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from evals.simulation.baselines import email_members
from evals.simulation.environment import SimWorld
from evals.simulation.flows import Flows, next_local
from tools.storage.models import BehaviouralEvent, Category, Order


def test_morning_sends_go_out_at_the_local_hour() -> None:
    at = next_local(datetime(2026, 6, 1, 20, 0), "Australia/Sydney", 10)  # 06:00 in Sydney on 2 June
    assert at == datetime(2026, 6, 2, 0, 0)
    assert next_local(datetime(2026, 6, 2, 0, 0), "Australia/Sydney", 10) == at


async def test_an_abandoned_cart_gets_a_plain_reminder_then_ten_percent_a_day_later(world: SimWorld) -> None:
    now = world.start.replace(tzinfo=None) + timedelta(hours=20)
    fresh, stale = sorted(await email_members(world))[:2]
    async with world.db.session() as session, session.begin():
        category_id, name = (await session.execute(select(Category.id, Category.name).limit(1))).one()
        await session.execute(delete(Order).where(Order.customer_id.in_([fresh, stale])))
        for member, hours in ((fresh, 2), (stale, 30)):
            session.add(
                BehaviouralEvent(
                    idempotency_key=f"test-cart-{member}",
                    customer_id=member,
                    type="cart_add",
                    occurred_at=now - timedelta(hours=hours),
                    category_id=category_id,
                    session_id=f"btest{member}",
                    channel="online",
                )
            )
    plans = {p.customer_id: p for p in await Flows().plan(world, 0, now)}
    assert (plans[fresh].code, plans[fresh].use_case, plans[fresh].categories) == (
        "REMINDER",
        "cart_abandonment",
        (name,),
    )
    assert plans[fresh].send_at == now  # an hour after the cart has passed: straight away
    assert (plans[stale].code, plans[stale].use_case) == ("PCT10", "cart_abandonment")
    assert len(plans) == len(set(plans))  # one flow message a member a day
