"""What a simulated member's reply writes back: an unsubscribe withdraws consent on that channel only."""

from datetime import datetime

from sqlalchemy import select

from evals.simulation.environment import SimWorld
from evals.simulation.responses import SentOffer, _write
from policies.vocabulary import OfferType
from tools.storage.models import ChannelConsent


async def _consents(world: SimWorld, members: list[int]) -> dict[tuple[int, str], bool]:
    async with world.db.session() as session:
        rows = (await session.execute(select(ChannelConsent.customer_id, ChannelConsent.channel, ChannelConsent.granted)
                                      .where(ChannelConsent.customer_id.in_(members)))).all()
    return {(member, channel): granted for member, channel, granted in rows}


async def test_unsubscribes_withdraw_consent_on_their_channel_only(world: SimWorld) -> None:
    before = await _consents(world, [1, 2])
    at = datetime(2026, 6, 2, 10, 0)
    replies = [SentOffer(contact_id=1, customer_id=1, channel="email", sent_at=at, offer_type=OfferType.NONE),
               SentOffer(contact_id=2, customer_id=2, channel="sms", sent_at=at, offer_type=OfferType.NONE)]
    await _write(world, {}, {}, {}, replies)
    after = await _consents(world, [1, 2])
    withdrawn = {(1, "email"), (2, "sms")}
    assert withdrawn <= set(after) and not any(after[key] for key in withdrawn)
    assert {k: v for k, v in after.items() if k not in withdrawn} == {k: v for k, v in before.items()
                                                                     if k not in withdrawn}
