"""The learning loop: how each offer family actually converted, against what the scorer predicted.

Every proposal the agents sent carries its predicted uplift: the orders the message itself should
cause. Outcomes say which messages led to an order. Per offer family, the ratio of observed
message-led orders to predicted ones — shrunk toward 1 by the
prior's weight, and bounded (see `learn_lift`) — rescales that family's effect in the scorer, so
offers that members like these redeemed rank higher next time.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from policies.vocabulary import OfferType
from tools.nba.response import LearnedLift, learn_lift
from tools.storage.db import Database
from tools.storage.models import Contact, Outcome, Proposal


async def learned_lift(db: Database) -> LearnedLift:
    ordered = select(Outcome.contact_id).where(Outcome.type == "order")
    async with db.session() as session:
        rows = (await session.execute(
            select(Proposal.content, Contact.id.in_(ordered))
            .join(Contact, Contact.proposal_id == Proposal.id)
            .where(Contact.status == "sent"))).all()
    observed: dict[OfferType, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for content, converted in rows:
        family = OfferType(content["offer"]["type"])
        observed[family][0] += float(bool(converted))
        observed[family][1] += max(float(content["value"]["uplift"]), 0.0)
    return learn_lift({family: (actual, expected) for family, (actual, expected) in observed.items()})


@dataclass
class LiftCache:
    """Relearn at most once per `every`: the ratios move slowly, and scoring is on the hot path."""

    db: Database
    clock: Callable[[], datetime]
    every: timedelta = timedelta(hours=1)
    _value: LearnedLift | None = field(default=None, repr=False)
    _at: datetime | None = field(default=None, repr=False)

    async def get(self) -> LearnedLift:
        now = self.clock()
        if self._value is None or self._at is None or not self._at <= now < self._at + self.every:
            self._value, self._at = await learned_lift(self.db), now
        return self._value
