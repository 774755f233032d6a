"""A member's contact record: consents, recent messages, engagement, and outcomes coming back."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from policies.vocabulary import OutcomeType
from tools.errors import InvalidInput, NotFound
from tools.storage import ChannelConsent, Contact, Customer, Database, LoyaltyAccount, Outcome
from tools.time import to_storage

ENGAGED = (OutcomeType.OPEN.value, OutcomeType.CLICK.value, OutcomeType.REDEEM.value, OutcomeType.ORDER.value)
# Outcomes after which the member must not hear from us on that channel again.
OPTING_OUT = (OutcomeType.UNSUBSCRIBE.value, OutcomeType.COMPLAINT.value)

_consents = ChannelConsent.__table__
_WITHDRAW = (
    update(_consents)
    .where(_consents.c.customer_id == bindparam("member"), _consents.c.channel == bindparam("on"))
    .values(granted=False, opted_out_at=bindparam("at"), updated_at=bindparam("at"))
)


async def withdraw_consents(
    conn: AsyncConnection | AsyncSession, opt_outs: Sequence[tuple[int, str, datetime]]
) -> None:
    """Withdraw consent for each (member, channel, when) in one executemany, inside the caller's
    transaction: every door an unsubscribe or complaint comes through (the channels server, event
    ingestion, the simulator's members) withdraws it the same way."""
    if opt_outs:
        await conn.execute(
            _WITHDRAW, [{"member": member, "on": channel, "at": at} for member, channel, at in opt_outs]
        )


@dataclass(frozen=True)
class SentMessage:
    contact_id: int
    channel: str
    use_case: str | None
    status: str
    scheduled_at: datetime
    sent_at: datetime | None
    offer_code: str | None
    engaged: bool
    proposal_id: str | None


@dataclass(frozen=True)
class ContactRecord:
    customer_id: int
    time_zone: str
    quiet_start_hour: int
    quiet_end_hour: int
    consents: dict[str, bool]
    opted_out: dict[str, datetime]
    recent: list[SentMessage]  # newest first, queued and sent


# Contacts that count toward caps and duplicates: queued, in flight, or delivered.
LIVE_STATUSES = ("queued", "sending", "sent")

# Built once: every decision reads a member's contact facts several times (scoring, each rule check).
_MEMBER_WITH_CONSENTS = (  # the member's row once per consent row (once, consent columns empty, without any)
    select(
        Customer.time_zone,
        Customer.quiet_start_hour,
        Customer.quiet_end_hour,
        LoyaltyAccount.tier,
        ChannelConsent.channel,
        ChannelConsent.granted,
        ChannelConsent.opted_out_at,
    )
    .outerjoin(LoyaltyAccount, LoyaltyAccount.customer_id == Customer.id)
    .outerjoin(ChannelConsent, ChannelConsent.customer_id == Customer.id)
    .where(Customer.id == bindparam("member"))
)
# A member's live contacts since `since`, newest first, with whether they engaged with each.
RECENT_CONTACTS = (
    select(
        Contact.id,
        Contact.channel,
        Contact.use_case,
        Contact.status,
        Contact.scheduled_at,
        Contact.sent_at,
        Contact.offer_code,
        Contact.id.in_(
            select(Outcome.contact_id).where(
                Outcome.customer_id == bindparam("member"), Outcome.type.in_(ENGAGED)
            )
        ).label("engaged"),
        Contact.proposal_id,
    )
    .where(
        Contact.customer_id == bindparam("member"),
        Contact.scheduled_at >= bindparam("since", type_=DateTime()),
        Contact.status.in_(LIVE_STATUSES),
    )
    .order_by(Contact.scheduled_at.desc(), Contact.id.desc())
)


async def member_with_consents(
    conn: AsyncConnection | AsyncSession, customer_id: int
) -> tuple[Row[Any], list[Row[Any]]]:
    """The member's time zone, quiet hours and tier, and their consent rows: one statement."""
    rows = (await conn.execute(_MEMBER_WITH_CONSENTS, {"member": customer_id})).all()
    if not rows:
        raise NotFound(f"no member with id {customer_id}")
    return rows[0], [row for row in rows if row.channel is not None]


async def contact_record(
    db: Database, customer_id: int, *, now: datetime, lookback: timedelta
) -> ContactRecord:
    async with db.engine.connect() as conn:
        member, consents = await member_with_consents(conn, customer_id)
        recent = (
            await conn.execute(RECENT_CONTACTS, {"member": customer_id, "since": to_storage(now - lookback)})
        ).all()
    return ContactRecord(
        customer_id=customer_id,
        time_zone=member.time_zone,
        quiet_start_hour=member.quiet_start_hour,
        quiet_end_hour=member.quiet_end_hour,
        consents={c.channel: c.granted for c in consents},
        opted_out={c.channel: c.opted_out_at for c in consents if c.opted_out_at is not None},
        recent=[
            SentMessage(
                r.id,
                r.channel,
                r.use_case,
                r.status,
                r.scheduled_at,
                r.sent_at,
                r.offer_code,
                bool(r.engaged),
                r.proposal_id,
            )
            for r in recent
        ],
    )


async def contact_history(db: Database, customer_id: int, *, limit: int) -> list[dict[str, Any]]:
    async with db.session() as session:
        if await session.get(Customer, customer_id) is None:
            raise NotFound(f"no member with id {customer_id}")
        contacts = (
            await session.scalars(
                select(Contact)
                .where(Contact.customer_id == customer_id)
                .order_by(Contact.scheduled_at.desc(), Contact.id.desc())
                .limit(limit)
            )
        ).all()
        ids = [c.id for c in contacts]
        outcomes = (
            (
                await session.execute(
                    select(Outcome.contact_id, Outcome.type).where(Outcome.contact_id.in_(ids))
                )
            ).all()
            if ids
            else []
        )
    by_contact: dict[int, list[str]] = {}
    for contact_id, kind in outcomes:
        by_contact.setdefault(contact_id, []).append(kind)
    return [
        {
            "contact_id": c.id,
            "channel": c.channel,
            "use_case": c.use_case,
            "status": c.status,
            "scheduled_at": c.scheduled_at.isoformat(),
            "sent_at": c.sent_at.isoformat() if c.sent_at else None,
            "offer_code": c.offer_code,
            "subject": c.subject,
            "outcomes": sorted(by_contact.get(c.id, [])),
        }
        for c in contacts
    ]


async def record_outcome(
    db: Database,
    contact_id: int,
    kind: OutcomeType,
    *,
    occurred_at: datetime,
    revenue: float = 0.0,
    margin: float = 0.0,
    order_id: int | None = None,
) -> bool:
    """Record a member's response; returns False when it was already recorded (idempotent).
    An unsubscribe or complaint withdraws consent for that channel in the same transaction."""
    if revenue < 0:
        raise InvalidInput("revenue cannot be negative")
    moment = to_storage(occurred_at)
    try:
        async with db.session() as session, session.begin():
            contact = await session.get(Contact, contact_id)
            if contact is None:
                raise NotFound(f"no contact with id {contact_id}")
            if contact.sent_at is not None and moment < contact.sent_at:
                raise InvalidInput("an outcome cannot precede the message it responds to")
            session.add(
                Outcome(
                    contact_id=contact_id,
                    customer_id=contact.customer_id,
                    type=kind.value,
                    occurred_at=moment,
                    order_id=order_id,
                    revenue=revenue,
                    margin=margin,
                )
            )
            if kind.value in OPTING_OUT:
                await withdraw_consents(session, [(contact.customer_id, contact.channel, moment)])
    except IntegrityError:
        return False
    return True


def consecutive_ignored(recent: list[SentMessage], *, now: datetime, window: timedelta) -> int:
    """Messages sent since the member last engaged that went unanswered for the attribution window."""
    count = 0
    for message in recent:
        if message.status != "sent" or message.sent_at is None:
            continue
        if message.engaged:
            break
        if to_storage(now) - message.sent_at >= window:
            count += 1
    return count
