"""Queueing many approved proposals at once: the door of `tools.outbox.accept.send_approved`, set-based.

A campaign queues tens of thousands of messages; one transaction per message spends its time on
round trips. Here the items go in chunks, each chunk one transaction with a fixed number of
statements whatever its size, and every item keeps the guarantees of the single path:
1. the chunk's members are locked (PostgreSQL row locks taken in id order, so batches and single
   sends cannot deadlock; SQLite's write lock from the first statement);
2. each approval exists, approved exactly this proposal (content, cost, use case: see
   `tools.outbox.check_approval`), is unused and unexpired;
3. the caller's set-based re-check (caps, consent, quiet hours) runs against the database as it
   is now, under those locks;
4. each approved use case's budget is reserved, in whole cents, with one conditional UPDATE for the
   chunk, items taken in the order given (best first) while the money lasts, the CHECK constraint
   behind it;
5. the approvals are consumed with one conditional UPDATE whose row count must match, and the
   messages are inserted in one executemany with the approval as idempotency key.
A chunk is all or nothing: a conflict rolls it back and it is decided again from the start.
A member named twice goes to a later chunk, so the re-check sees the first message. Re-running a
batch (after a crash, say) is safe: an item whose message an earlier run queued comes back as that
message's receipt, marked replayed, never as a second send.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from policies.proposal import OfferProposal
from tools.budgets import cents, covering, reserve_cents
from tools.errors import StorageError
from tools.outbox.accept import SendReceipt, SendRefused, approval_key, check_approval, queued_contact
from tools.storage import Budget, Contact, Customer, Database, GuardVerdict, Proposal, begin_write
from tools.time import to_storage

log = structlog.get_logger(__name__)

# Problems per proposal, in the order given; an empty list lets that proposal through.
RecheckMany = Callable[[AsyncSession, Sequence[OfferProposal]], Awaitable[list[list[str]]]]
ChunkDone = Callable[[int], None]

DEFAULT_CHUNK = 500  # bound parameters per IN list and executemany stay well inside both drivers' limits
_TRIES = 3


@dataclass(frozen=True)
class BatchItem:
    proposal: OfferProposal
    approval_id: str


@dataclass(frozen=True)
class BatchResult:
    outcomes: list[SendReceipt | SendRefused]  # one per item, in the order given
    replayed: frozenset[int]  # indexes of items an earlier run had already queued

    @property
    def queued(self) -> list[int]:
        """Indexes of items queued by this run."""
        return [
            i for i, o in enumerate(self.outcomes) if isinstance(o, SendReceipt) and i not in self.replayed
        ]

    @property
    def refused(self) -> list[int]:
        return [i for i, o in enumerate(self.outcomes) if isinstance(o, SendRefused)]


class _Conflict(Exception):
    """The chunk's writes found the database other than it was read under lock; decide it again."""


_RETRYABLE = (_Conflict, IntegrityError)


def _log_retry(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome is not None else None
    log.info("outbox.batch_retry", attempt=state.attempt_number, reason=str(failure)[:200])


async def send_approved_many(
    db: Database,
    items: Sequence[BatchItem],
    *,
    now: datetime,
    recheck: RecheckMany | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    on_chunk: ChunkDone | None = None,
) -> BatchResult:
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    moment = to_storage(now)
    outcomes: dict[int, SendReceipt | SendRefused] = {}
    replayed: set[int] = set()
    for chunk in _chunks(items, chunk_size):
        retrying = AsyncRetrying(
            stop=stop_after_attempt(_TRIES),
            retry=retry_if_exception_type(_RETRYABLE),
            reraise=True,
            before_sleep=_log_retry,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    decided, again = await _queue_chunk(db, chunk, moment, recheck)
        except _RETRYABLE as exc:
            raise StorageError(
                f"cannot queue a chunk of {len(chunk)} sends after {_TRIES} tries: {exc}"
            ) from exc
        outcomes.update(decided)
        replayed |= again
        if on_chunk is not None:
            on_chunk(len(chunk))
    return BatchResult([outcomes[i] for i in range(len(items))], frozenset(replayed))


def _chunks(items: Sequence[BatchItem], size: int) -> list[list[tuple[int, BatchItem]]]:
    """Chunks in the order given, except that a member's second item goes to a later chunk than its
    first (and so on): within a chunk every member appears once."""
    rounds: list[list[tuple[int, BatchItem]]] = []
    seen: dict[int, int] = {}
    for index, item in enumerate(items):
        turn = seen.get(item.proposal.customer_id, 0)
        seen[item.proposal.customer_id] = turn + 1
        if turn == len(rounds):
            rounds.append([])
        rounds[turn].append((index, item))
    return [r[start : start + size] for r in rounds for start in range(0, len(r), size)]


async def _queue_chunk(
    db: Database, chunk: list[tuple[int, BatchItem]], moment: datetime, recheck: RecheckMany | None
) -> tuple[dict[int, SendReceipt | SendRefused], set[int]]:
    decided: dict[int, SendReceipt | SendRefused] = {}
    async with db.session() as session, session.begin():
        await begin_write(session)
        members = sorted({item.proposal.customer_id for _, item in chunk})
        known = set(
            (
                await session.scalars(
                    select(Customer.id)
                    .where(Customer.id.in_(members))
                    .order_by(Customer.id)
                    .with_for_update()
                )
            ).all()
        )
        pairs = (
            await session.execute(
                select(GuardVerdict, Proposal)
                .join(Proposal, Proposal.id == GuardVerdict.proposal_id)
                .where(GuardVerdict.approval_id.in_([item.approval_id for _, item in chunk]))
            )
        ).all()
        verdicts = {v.approval_id: v for v, _ in pairs}
        approved = {v.approval_id: p for v, p in pairs}
        passed: list[tuple[int, BatchItem, GuardVerdict]] = []
        used: list[tuple[int, BatchItem]] = []
        for index, item in chunk:
            verdict = verdicts.get(item.approval_id)
            try:
                if item.proposal.customer_id not in known:
                    raise SendRefused("unknown_member", f"no member with id {item.proposal.customer_id}")
                check_approval(verdict, item.proposal, moment, approved.get(item.approval_id))
            except SendRefused as refusal:
                if refusal.code == "approval_used":
                    used.append((index, item))
                decided[index] = refusal
                continue
            assert verdict is not None
            passed.append((index, item, verdict))
        replayed = await _replays(session, used, decided)
        if recheck is not None and passed:
            problems = await recheck(session, [item.proposal for _, item, _ in passed])
            if len(problems) != len(passed):
                raise ValueError(f"the re-check answered for {len(problems)} of {len(passed)} proposals")
            for (index, _, _), found in zip(passed, problems, strict=True):
                if found:
                    decided[index] = SendRefused("rules", "; ".join(found))
            passed = [p for p in passed if p[0] not in decided]
        passed = await _reserve_budgets(session, passed, moment, decided)
        if passed:
            decided.update(await _queue(session, passed, moment))
    return decided, replayed


async def _replays(
    session: AsyncSession, used: list[tuple[int, BatchItem]], decided: dict[int, SendReceipt | SendRefused]
) -> set[int]:
    """Items whose approval was consumed by queueing their own message (same idempotency key):
    an earlier run's work, reported as its receipt."""
    if not used:
        return set()
    keys = {approval_key(item.approval_id): index for index, item in used}
    rows = (
        await session.execute(
            select(
                Contact.id,
                Contact.idempotency_key,
                Contact.proposal_id,
                Contact.channel,
                Contact.scheduled_at,
                Contact.status,
            ).where(Contact.idempotency_key.in_(list(keys)))
        )
    ).all()
    for row in rows:
        decided[keys[row.idempotency_key]] = SendReceipt(
            row.id, row.proposal_id, row.channel, row.scheduled_at, row.status
        )
    return {keys[row.idempotency_key] for row in rows}


async def _reserve_budgets(
    session: AsyncSession,
    passed: list[tuple[int, BatchItem, GuardVerdict]],
    moment: datetime,
    decided: dict[int, SendReceipt | SendRefused],
) -> list[tuple[int, BatchItem, GuardVerdict]]:
    """Reserve each use case's spend for the items it can cover, in order; refuse the rest."""
    if not passed:
        return passed
    use_cases = sorted({item.proposal.use_case.value for _, item, _ in passed})
    budgets: dict[str, Budget] = {}
    for budget in (
        await session.scalars(
            select(Budget)
            .where(Budget.use_case.in_(use_cases), covering(moment))
            .order_by(Budget.id)
            .with_for_update()
        )
    ).all():
        budgets.setdefault(budget.use_case, budget)
    # Whole cents, so the sum reserved is exactly the sum of what each item would have reserved.
    left = {u: cents(b.amount) - cents(b.spent) for u, b in budgets.items()}
    spend: dict[str, int] = dict.fromkeys(budgets, 0)
    kept = []
    for index, item, verdict in passed:
        use_case = item.proposal.use_case.value
        budget = budgets.get(use_case)
        # check_approval made the item's proposal the approved one, so its use case and cost are
        # the approved ones.
        cost = cents(item.proposal.estimated_cost)
        if budget is None:
            decided[index] = SendRefused("no_budget", f"no budget for {use_case} covers {moment:%Y-%m-%d}")
        elif budget.paused:
            decided[index] = SendRefused("paused", f"use case {use_case} is paused")
        elif cost > left[use_case]:
            decided[index] = SendRefused("budget", f"budget for {use_case} cannot cover {cost / 100:.2f}")
        else:
            left[use_case] -= max(cost, 0)
            spend[use_case] += max(cost, 0)
            kept.append((index, item, verdict))
    for use_case, total in spend.items():
        if total == 0:
            continue
        if not await reserve_cents(session, budgets[use_case].id, total):
            raise _Conflict(f"budget for {use_case} changed under lock")
    return kept


async def _queue(
    session: AsyncSession, passed: list[tuple[int, BatchItem, GuardVerdict]], moment: datetime
) -> dict[int, SendReceipt]:
    consumed = await session.execute(
        update(GuardVerdict)
        .where(
            GuardVerdict.id.in_([verdict.id for _, _, verdict in passed]),
            GuardVerdict.approval_used_at.is_(None),
        )
        .values(approval_used_at=moment)
    )
    if consumed.rowcount != len(passed):
        raise _Conflict(f"{len(passed) - consumed.rowcount} approvals were used meanwhile")
    rows = [
        queued_contact(item.proposal, item.approval_id, verdict.proposal_id, moment)
        for _, item, verdict in passed
    ]
    inserted = await session.execute(
        insert(Contact.__table__).returning(Contact.id, Contact.idempotency_key), rows
    )
    ids = {key: contact_id for contact_id, key in inserted}
    await session.execute(
        update(Proposal)
        .where(Proposal.id.in_([verdict.proposal_id for _, _, verdict in passed]))
        .values(status="sent")
    )
    return {
        index: SendReceipt(
            ids[row["idempotency_key"]], verdict.proposal_id, row["channel"], row["scheduled_at"], "queued"
        )
        for (index, _, verdict), row in zip(passed, rows, strict=True)
    }
