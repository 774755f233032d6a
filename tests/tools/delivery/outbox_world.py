"""Outbox messages and adapters for delivery tests: a recording sink, and one that fails on
purpose."""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from policies.vocabulary import Channel
from tests.tools.events.world import NAIVE_NOW
from tools.delivery.message import DeliveryResult, OutboundMessage
from tools.storage.db import Database
from tools.storage.models import Contact


async def queue_contacts(
    db: Database,
    members: Iterable[int],
    *,
    channel: Channel = Channel.EMAIL,
    at: datetime = NAIVE_NOW,
    subject: str | None = "Picked for you",
) -> None:
    async with db.session() as s, s.begin():
        for member in members:
            s.add(
                Contact(
                    idempotency_key=f"approval:{member}-{channel.value}",
                    customer_id=member,
                    channel=channel.value,
                    use_case="reactivation",
                    subject=subject,
                    body=f"Hello member {member}",
                    status="queued",
                    attempts=0,
                    scheduled_at=at,
                )
            )


async def contacts(db: Database) -> list[Contact]:
    async with db.session() as s:
        return list((await s.scalars(select(Contact).order_by(Contact.id))).all())


class Recorder:
    """Accepts everything and remembers every call, by idempotency key."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.channels: dict[str, Channel] = {}

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        self.calls[message.idempotency_key] += 1
        self.channels[message.idempotency_key] = message.channel
        return DeliveryResult(status="sent")


class Failing:
    """Fails every call with the given status."""

    def __init__(self, status: str = "permanent") -> None:
        self.status = status
        self.calls = 0

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        self.calls += 1
        return DeliveryResult(status=self.status, detail="gateway says no")  # type: ignore[arg-type]
