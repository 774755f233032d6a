"""Simulated replies: each message draws from its own random stream, and what a reply writes back
(an unsubscribe withdraws consent on that channel only)."""

from dataclasses import replace
from datetime import datetime

import numpy as np
from sqlalchemy import select

from evals.simulation.environment import SimWorld
from evals.simulation.responses import SentOffer, _write, message_streams
from policies.vocabulary import OfferType
from tools.storage.models import ChannelConsent


async def _consents(world: SimWorld, members: list[int]) -> dict[tuple[int, str], bool]:
    async with world.db.session() as session:
        rows = (
            await session.execute(
                select(ChannelConsent.customer_id, ChannelConsent.channel, ChannelConsent.granted).where(
                    ChannelConsent.customer_id.in_(members)
                )
            )
        ).all()
    return {(member, channel): granted for member, channel, granted in rows}


async def test_unsubscribes_withdraw_consent_on_their_channel_only(world: SimWorld) -> None:
    before = await _consents(world, [1, 2])
    at = datetime(2026, 6, 2, 10, 0)
    replies = [
        SentOffer(contact_id=1, customer_id=1, channel="email", sent_at=at, offer_type=OfferType.NONE),
        SentOffer(contact_id=2, customer_id=2, channel="sms", sent_at=at, offer_type=OfferType.NONE),
    ]
    await _write(world, {}, {}, {}, replies)
    after = await _consents(world, [1, 2])
    withdrawn = {(1, "email"), (2, "sms")}
    assert withdrawn <= set(after) and not any(after[key] for key in withdrawn)
    assert {k: v for k, v in after.items() if k not in withdrawn} == {
        k: v for k, v in before.items() if k not in withdrawn
    }


def test_a_message_draws_the_same_numbers_whoever_else_is_messaged_and_in_any_order() -> None:
    email = SentOffer(
        contact_id=1,
        customer_id=7,
        channel="email",
        sent_at=datetime(2026, 6, 1, 20),
        offer_type=OfferType.NONE,
    )
    other_member = replace(email, contact_id=2, customer_id=8)
    second_email = replace(email, contact_id=3)  # a second e-mail to the same member that day
    in_order = [s.random(6) for s in message_streams(5, [email, other_member, second_email])]
    shuffled = [s.random(6) for s in message_streams(5, [other_member, email, second_email])]
    alone = message_streams(5, [email])[0].random(6)
    np.testing.assert_array_equal(in_order[0], shuffled[1])
    np.testing.assert_array_equal(in_order[0], alone)
    np.testing.assert_array_equal(in_order[1], shuffled[0])
    assert not np.array_equal(in_order[0], in_order[2])  # the second message draws afresh
    assert not np.array_equal(alone, message_streams(6, [email])[0].random(6))  # another world, other numbers
