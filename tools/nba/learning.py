"""The learning loop: how each use case and offer family actually converted, against the prediction.

Every proposal the agents sent carries its predicted uplift: the orders the message itself should
cause. Outcomes say which messages led to an order (an order attributed to the contact). Those are
the like-for-like pair: the proposal's `propensity` also counts members who buy anyway, through
any channel, which an attributed order does not; and subtracting the predicted baseline from all
orders would bury a few caused orders in the noise of many uncaused ones. An attributed order can
still be one the member would have placed anyway, so the learned multiplier errs high, on the
side of the priors. Per use case and offer family, the observed-to-predicted
ratio, partially pooled (see `learn_lift`), rescales the message's effect in the scorer.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from policies.vocabulary import OfferType, UseCase
from tools.nba.response import LearnedLift, learn_lift
from tools.nba.response_fit import ResponseRates, fit_response
from tools.storage import Contact, Database, Outcome, Proposal


async def learned_lift(db: Database) -> LearnedLift:
    ordered = select(Outcome.contact_id).where(Outcome.type == "order")
    async with db.session() as session:
        rows = (
            await session.execute(
                select(Proposal.content, Contact.id.in_(ordered))
                .join(Contact, Contact.proposal_id == Proposal.id)
                .where(Contact.status == "sent")
            )
        ).all()
    observed: dict[tuple[UseCase, OfferType], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for content, converted in rows:
        cell = observed[UseCase(content["use_case"]), OfferType(content["offer"]["type"])]
        cell[0] += float(bool(converted))
        cell[1] += max(float(content["value"]["uplift"]), 0.0)
    return learn_lift({key: (actual, expected) for key, (actual, expected) in observed.items()})


@dataclass
class ResponseCache:
    """The response fitted from every contact before now (`tools.nba.response_fit`), refitted at
    most once per `every`: one statement over the contact history, kept off the hot path."""

    db: Database
    clock: Callable[[], datetime]
    every: timedelta = timedelta(hours=1)
    _value: ResponseRates | None = field(default=None, repr=False)
    _at: datetime | None = field(default=None, repr=False)

    async def get(self) -> ResponseRates:
        now = self.clock()
        if self._value is None or self._at is None or not self._at <= now < self._at + self.every:
            self._value, self._at = await fit_response(self.db, now), now
        return self._value


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
