"""The outbox in the database: claiming due messages for one sender, and recording what came of
each send — sent, retried later, moved to a fallback channel, or dead-lettered with the reason.

A claim leases each message (a row in `delivery_leases`, taken by an atomic upsert that only
overwrites an expired lease) and moves it to `sending`, so two workers never hold the same one.
A worker that dies leaves `sending` messages whose leases expire; they are claimed again and sent
under the same idempotency key, which the receiving end uses to drop the repeat.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy import Row, and_, delete, exists, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import Channel
from tools.delivery import DeliveryResult, OutboundMessage, outside_quiet_hours
from tools.storage import (
    ChannelConsent,
    Contact,
    Customer,
    Database,
    DeliveryAttempt,
    DeliveryLease,
    begin_write,
    upsert_insert,
)
from tools.time import to_storage

log = structlog.get_logger(__name__)

Outcome = Literal["sent", "duplicate", "retry", "fallback", "dead_letter", "lease_lost"]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff: timedelta
    max_backoff: timedelta
    fallbacks: Mapping[Channel, Sequence[Channel]]
    usable: frozenset[Channel]  # channels with an adapter


@dataclass(frozen=True)
class Claim:
    messages: list[OutboundMessage]
    cancelled: int


async def claim_contacts(
    db: Database, worker_id: str, *, now: datetime, limit: int, lease: timedelta
) -> Claim:
    """Lease up to `limit` due messages (queued and due, or `sending` under an expired lease) and
    move them to `sending`. A message whose channel lost the member's consent since it was queued
    is cancelled instead: consent is checked at the moment of sending, not only at approval."""
    moment = to_storage(now)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        leased = set(await _lease(conn, worker_id, now=moment, expires=moment + lease, limit=limit))
        if not leased:
            return Claim([], 0)
        claimed = set(
            (
                await conn.execute(
                    update(Contact)
                    .where(Contact.id.in_(leased), Contact.status.in_(("queued", "sending")))
                    .values(status="sending")
                    .returning(Contact.id)
                )
            ).scalars()
        )
        rows = (
            (
                await conn.execute(
                    select(
                        Contact.id,
                        Contact.idempotency_key,
                        Contact.channel,
                        Contact.customer_id,
                        Contact.subject,
                        Contact.body,
                        Contact.offer_code,
                        Contact.use_case,
                        Contact.campaign,
                        Contact.scheduled_at,
                        Customer.external_id,
                        Customer.email,
                        Customer.phone,
                        ChannelConsent.granted,
                    )
                    .join(Customer, Customer.id == Contact.customer_id)
                    .outerjoin(
                        ChannelConsent,
                        and_(
                            ChannelConsent.customer_id == Contact.customer_id,
                            ChannelConsent.channel == Contact.channel,
                        ),
                    )
                    .where(Contact.id.in_(claimed))
                    .order_by(Contact.scheduled_at, Contact.id)
                )
            ).all()
            if claimed
            else []
        )
        withdrawn = [r.id for r in rows if not r.granted]
        if withdrawn:
            await conn.execute(
                update(Contact)
                .where(Contact.id.in_(withdrawn))
                .values(status="cancelled", last_error="no consent for this channel at send time")
            )
        # Leases on messages someone else finished meanwhile, or just cancelled, are dropped.
        if done := (leased - claimed) | set(withdrawn):
            await conn.execute(
                delete(DeliveryLease).where(
                    DeliveryLease.owner == worker_id, DeliveryLease.contact_id.in_(done)
                )
            )
    messages = [_message(r) for r in rows if r.granted]
    if withdrawn:
        log.info("outbox.cancelled_without_consent", contacts=withdrawn)
    return Claim(messages, len(withdrawn))


async def _lease(
    conn: AsyncConnection, worker_id: str, *, now: datetime, expires: datetime, limit: int
) -> list[int]:
    live = exists().where(DeliveryLease.contact_id == Contact.id, DeliveryLease.expires_at > now)
    due = (
        select(Contact.id, literal(worker_id), literal(expires))
        .where(
            or_(and_(Contact.status == "queued", Contact.scheduled_at <= now), Contact.status == "sending"),
            ~live,
        )
        .order_by(Contact.scheduled_at, Contact.id)
        .limit(limit)
    )
    stmt = upsert_insert(conn.dialect.name, DeliveryLease).from_select(
        ["contact_id", "owner", "expires_at"], due
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["contact_id"],
        set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
        where=DeliveryLease.expires_at <= now,
    ).returning(DeliveryLease.contact_id)
    return list((await conn.execute(stmt)).scalars())


def _message(row: Row[Any]) -> OutboundMessage:
    return OutboundMessage(
        contact_id=row.id,
        idempotency_key=row.idempotency_key,
        channel=Channel(row.channel),
        customer_id=row.customer_id,
        customer_external_id=row.external_id,
        email=row.email,
        phone=row.phone,
        subject=row.subject,
        body=row.body or "",
        offer_code=row.offer_code,
        use_case=row.use_case,
        campaign=row.campaign,
        scheduled_at=row.scheduled_at,
    )


async def record_result(
    db: Database,
    worker_id: str,
    message: OutboundMessage,
    result: DeliveryResult,
    *,
    now: datetime,
    policy: RetryPolicy,
) -> Outcome:
    """Record one send's result, in one transaction with releasing the message's lease."""
    moment = to_storage(now)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        held = (
            await conn.execute(
                delete(DeliveryLease)
                .where(DeliveryLease.contact_id == message.contact_id, DeliveryLease.owner == worker_id)
                .returning(DeliveryLease.contact_id)
            )
        ).first()
        if held is None:
            # Our lease expired and another worker took the message: it owns the outcome now.
            log.warning("outbox.lease_lost", contact_id=message.contact_id, worker=worker_id)
            return "lease_lost"
        await conn.execute(
            insert(DeliveryAttempt).values(
                contact_id=message.contact_id,
                channel=message.channel.value,
                worker=worker_id,
                result=result.status,
                detail=(result.detail or "")[:1000] or None,
                attempted_at=moment,
            )
        )
        if result.delivered:
            await _set(conn, message, status="sent", sent_at=moment, attempts=Contact.attempts + 1)
            return "sent" if result.status == "sent" else "duplicate"
        return await _after_failure(conn, message, result, moment, policy)


async def _after_failure(
    conn: AsyncConnection,
    message: OutboundMessage,
    result: DeliveryResult,
    now: datetime,
    policy: RetryPolicy,
) -> Outcome:
    """Retry later on the same channel, else move to a consented fallback channel, else dead-letter."""
    attempts = (
        await conn.execute(
            update(Contact)
            .where(Contact.id == message.contact_id)
            .values(
                attempts=Contact.attempts + 1, last_error=f"{message.channel.value}: {result.detail}"[:2000]
            )
            .returning(Contact.attempts)
        )
    ).scalar_one()
    member = (
        await conn.execute(
            select(Customer.time_zone, Customer.quiet_start_hour, Customer.quiet_end_hour).where(
                Customer.id == message.customer_id
            )
        )
    ).one()
    if result.status == "transient" and attempts < policy.max_attempts:
        wait = min(policy.backoff * 2 ** (attempts - 1), policy.max_backoff)
        await _set(conn, message, status="queued", scheduled_at=_when(now + wait, message.channel, member))
        return "retry"
    tried = set(
        (
            await conn.execute(
                select(DeliveryAttempt.channel)
                .where(DeliveryAttempt.contact_id == message.contact_id)
                .distinct()
            )
        ).scalars()
    )
    consented = set(
        (
            await conn.execute(
                select(ChannelConsent.channel).where(
                    ChannelConsent.customer_id == message.customer_id, ChannelConsent.granted.is_(True)
                )
            )
        ).scalars()
    )
    why = f"{message.channel.value} failed after {attempts} attempt(s): {result.detail}"
    for fallback in policy.fallbacks.get(message.channel, ()):
        if fallback.value not in tried and fallback.value in consented and fallback in policy.usable:
            await _set(
                conn,
                message,
                channel=fallback.value,
                attempts=0,
                status="queued",
                scheduled_at=_when(now, fallback, member),
                last_error=f"{why}; falling back to {fallback.value}"[:2000],
            )
            log.info(
                "outbox.fallback",
                contact_id=message.contact_id,
                channel=message.channel.value,
                fallback=fallback.value,
            )
            return "fallback"
    await _set(
        conn,
        message,
        status="dead_letter",
        last_error=f"{why}; tried {', '.join(sorted(tried))}; no consented fallback channel left"[:2000],
    )
    log.warning("outbox.dead_letter", contact_id=message.contact_id, reason=why)
    return "dead_letter"


async def _set(conn: AsyncConnection, message: OutboundMessage, **values: Any) -> None:
    await conn.execute(update(Contact).where(Contact.id == message.contact_id).values(**values))


def _when(moment: datetime, channel: Channel, member: Row[Any]) -> datetime:
    if channel is Channel.IN_STORE:  # shown at the till when the member shops: no quiet hours
        return moment
    return outside_quiet_hours(moment, member.time_zone, member.quiet_start_hour, member.quiet_end_hour)


@dataclass(frozen=True)
class DeadLetter:
    contact_id: int
    customer_id: int
    channel: str
    use_case: str | None
    attempts: int
    reason: str | None
    scheduled_at: datetime


async def dead_letters(db: Database, *, limit: int = 50) -> list[DeadLetter]:
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(Contact)
                .where(Contact.status == "dead_letter")
                .order_by(Contact.scheduled_at.desc())
                .limit(limit)
            )
        ).all()
    return [
        DeadLetter(c.id, c.customer_id, c.channel, c.use_case, c.attempts, c.last_error, c.scheduled_at)
        for c in rows
    ]
