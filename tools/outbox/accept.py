"""Accepting an approved proposal into the outbox: the one door to a member.

Everything is decided in one transaction that first takes the member's write lock, so two workers
cannot both pass the same cap or spend the same budget:
1. the approval exists, is unused and unexpired, and approved exactly this proposal: not only what
   the member reads (content hash) but everything that costs money or decides where it is charged
   (offer, estimated cost, use case, channel, send window) — the whole proposal as the guard
   recorded it;
2. an optional re-check of the rules against the database as it is now (caps, consent) — the
   caller supplies it, so this module stays free of the rules engine;
3. the approved cost is reserved from the approved use case's budget (the stored proposal's, not
   the caller's), in whole cents, with a conditional UPDATE guarded by a CHECK constraint;
4. the approval is consumed (conditional UPDATE: a second send finds it used) and the message is
   queued with the approval as its idempotency key.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from policies.proposal import OfferProposal, content_hash
from tools.budgets import cents, covering, fits_budget, reserve_cents
from tools.errors import SendRefused
from tools.storage import Budget, Contact, Customer, Database, GuardVerdict, Proposal
from tools.time import to_storage

Recheck = Callable[[AsyncSession, OfferProposal], Awaitable[list[str]]]


@dataclass(frozen=True)
class SendReceipt:
    contact_id: int
    proposal_id: str
    channel: str
    scheduled_at: datetime
    status: str


# The send's writes, built once and run on the session's connection: plain statements, as nothing
# loaded in the session is read after them (the budget's reservation alone goes through the ORM).
_LOCK_MEMBER = update(Customer).where(Customer.id == bindparam("member_id")).values(locale=Customer.locale)
_CONSUME_APPROVAL = (
    update(GuardVerdict)
    .where(GuardVerdict.id == bindparam("verdict_id"), GuardVerdict.approval_used_at.is_(None))
    .values(approval_used_at=bindparam("used_at", type_=DateTime()))
)
_QUEUE_CONTACT = insert(Contact)
_MARK_SENT = update(Proposal).where(Proposal.id == bindparam("sent_id")).values(status="sent")


async def send_approved(
    db: Database, proposal: OfferProposal, approval_id: str, *, now: datetime, recheck: Recheck | None = None
) -> SendReceipt:
    moment = to_storage(now)
    async with db.session() as session, session.begin():
        conn = await session.connection()
        await _lock_member(conn, proposal.customer_id)
        found = (
            await session.execute(
                select(GuardVerdict, Proposal)
                .join(Proposal, Proposal.id == GuardVerdict.proposal_id)
                .where(GuardVerdict.approval_id == approval_id)
            )
        ).first()
        verdict, approved = (found[0], found[1]) if found is not None else (None, None)
        check_approval(verdict, proposal, moment, approved)
        assert verdict is not None and approved is not None
        if recheck is not None and (problems := await recheck(session, proposal)):
            raise SendRefused("rules", "; ".join(problems))
        await _reserve_budget(session, approved, moment)
        consumed = await conn.execute(_CONSUME_APPROVAL, {"verdict_id": verdict.id, "used_at": moment})
        if consumed.rowcount != 1:
            raise SendRefused("approval_used", "this approval was already used")
        contact = queued_contact(proposal, approval_id, verdict.proposal_id, moment)
        key = (await conn.execute(_QUEUE_CONTACT, contact)).inserted_primary_key
        assert key is not None  # a single-row insert
        await conn.execute(_MARK_SENT, {"sent_id": verdict.proposal_id})
        return SendReceipt(
            key[0], verdict.proposal_id, contact["channel"], contact["scheduled_at"], contact["status"]
        )


async def _lock_member(conn: AsyncConnection, customer_id: int) -> None:
    # A no-op write takes the row lock on PostgreSQL and the database write lock on SQLite, so
    # everything below sees and changes this member's contacts and budgets alone.
    locked = await conn.execute(_LOCK_MEMBER, {"member_id": customer_id})
    if locked.rowcount != 1:
        raise SendRefused("unknown_member", f"no member with id {customer_id}")


def approval_key(approval_id: str) -> str:
    return f"approval:{approval_id}"  # one key per approval: a message is queued at most once per approval


def queued_contact(
    proposal: OfferProposal, approval_id: str, proposal_id: str, moment: datetime
) -> dict[str, Any]:
    """The outbox row for an approved proposal, the same whichever door (one send or a batch) queues it;
    the approval is the idempotency key, so a replay through either door finds the first."""
    return {
        "idempotency_key": approval_key(approval_id),
        "customer_id": proposal.customer_id,
        "proposal_id": proposal_id,
        "channel": proposal.channel.value,
        "use_case": proposal.use_case.value,
        "offer_code": proposal.offer.template_code,
        "subject": proposal.message.subject,
        "body": proposal.message.text,
        "status": "queued",
        "attempts": 0,
        "scheduled_at": max(to_storage(proposal.send_at), moment),
    }


def check_approval(
    verdict: GuardVerdict | None, proposal: OfferProposal, now: datetime, approved: Proposal | None
) -> None:
    """Refuse unless `verdict` is a live approval of exactly `proposal`; `approved` is the stored
    proposal the verdict judged."""
    if verdict is None or approved is None:
        raise SendRefused(
            "no_approval", "no approval with this id; the guard must approve the proposal first"
        )
    if verdict.content_hash != content_hash(proposal):
        raise SendRefused(
            "content_changed", "the proposal differs from what the guard approved; ask for a new approval"
        )
    # The content hash covers what the member reads; the approval pins the rest too (cost, use
    # case and so budget, value), or an approved message could be sent on another budget or at
    # no charge.
    if approved.content != proposal.model_dump(mode="json"):
        raise SendRefused(
            "proposal_changed",
            "the proposal differs from what the guard approved (cost, use case, "
            "rationale or value); pass it exactly as approved",
        )
    if verdict.approval_used_at is not None:
        raise SendRefused("approval_used", "this approval was already used")
    if verdict.approval_expires_at is None or verdict.approval_expires_at <= now:
        raise SendRefused("approval_expired", "the approval has expired; ask the guard again")


async def _reserve_budget(session: AsyncSession, approved: Proposal, now: datetime) -> None:
    use_case = approved.use_case
    budget = await session.scalar(select(Budget).where(Budget.use_case == use_case, covering(now)))
    if budget is None:
        raise SendRefused("no_budget", f"no budget for {use_case} covers {now:%Y-%m-%d}")
    if budget.paused:
        raise SendRefused("paused", f"use case {use_case} is paused")
    cost = cents(approved.estimated_cost)
    if cost <= 0:
        return
    if not fits_budget(Decimal(cost) / 100, budget.amount, budget.spent):
        raise SendRefused("budget", f"budget for {use_case} cannot cover {cost / 100:.2f}")
    try:
        reserved = await reserve_cents(session, budget.id, cost)
    except IntegrityError as exc:  # the CHECK constraint is the last line of defence
        raise SendRefused("budget", "budget exhausted") from exc
    if not reserved:
        raise SendRefused("budget", f"budget for {use_case} cannot cover {cost / 100:.2f}")


async def outbox_counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(select(Contact.status, func.count()).group_by(Contact.status))
        return {status: int(count) for status, count in rows}
