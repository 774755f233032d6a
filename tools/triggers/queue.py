"""Workers' side of the trigger queue: claim, complete, fail, renew.

A worker claims *members*, not single triggers: it takes a lease on each member (a row in
`member_leases`) and with it every due trigger of that member, so one member is decided by one
worker at a time whatever mix of triggers is waiting. The lease is taken with one atomic upsert
that only overwrites an expired lease; a worker that crashes simply lets its leases expire, and
the member's triggers are claimed again — counting the attempt, so a trigger that kills every
worker that touches it ends as `failed` instead of looping.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy import and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.errors import InvalidInput
from tools.storage import Database, MemberLease, QueuedTrigger, begin_write, upsert_insert
from tools.time import to_storage

log = structlog.get_logger(__name__)

Q = QueuedTrigger
MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class ClaimedTrigger:
    id: int
    idempotency_key: str
    rule: str
    kind: str
    customer_id: int
    use_case: str
    payload: dict[str, Any]
    attempts: int
    due_at: datetime
    lease_expires_at: datetime


def _due(now: datetime) -> Any:
    """Pending and due, or claimed by a worker whose lease ran out."""
    return or_(
        and_(Q.status == "pending", Q.due_at <= now), and_(Q.status == "claimed", Q.lease_expires_at <= now)
    )


async def due_members(db: Database, now: datetime) -> list[int]:
    """The members with triggers due at `now`: whose profiles a batch of decisions will read."""
    async with db.engine.connect() as conn:
        return list((await conn.scalars(select(Q.customer_id).where(_due(to_storage(now))).distinct())).all())


async def claim(
    db: Database,
    worker_id: str,
    *,
    limit: int,
    now: datetime,
    lease: timedelta,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[ClaimedTrigger]:
    """Lease up to `limit` members with due triggers and return all their due triggers, the
    members' earliest-due first. No member is ever leased to two workers at once."""
    if limit < 1 or lease <= timedelta(0) or not worker_id:
        raise InvalidInput("claim needs a worker id, a positive limit and a positive lease")
    moment = to_storage(now)
    expires = moment + lease
    async with db.engine.begin() as conn:
        await begin_write(conn)
        await _fail_abandoned(conn, moment, max_attempts)
        leased = set(await _lease_members(conn, worker_id, limit=limit, now=moment, expires=expires))
        if not leased:
            return []
        rows = (
            await conn.execute(
                update(Q)
                .where(Q.customer_id.in_(leased), _due(moment))
                .values(
                    status="claimed", lease_owner=worker_id, lease_expires_at=expires, attempts=Q.attempts + 1
                )
                .returning(
                    Q.id,
                    Q.idempotency_key,
                    Q.rule,
                    Q.kind,
                    Q.customer_id,
                    Q.use_case,
                    Q.payload,
                    Q.attempts,
                    Q.due_at,
                    Q.lease_expires_at,
                )
            )
        ).all()
        # A member leased but left with nothing due (another worker finished it meanwhile) goes back.
        if idle := leased - {r.customer_id for r in rows}:
            await _release(conn, worker_id, idle)
    claimed = [ClaimedTrigger(*row) for row in rows]
    claimed.sort(key=lambda t: (t.due_at, t.customer_id, t.id))
    return claimed


async def _lease_members(
    conn: AsyncConnection,
    worker_id: str,
    *,
    limit: int,
    now: datetime,
    expires: datetime,
) -> Sequence[int]:
    held = exists().where(MemberLease.customer_id == Q.customer_id, MemberLease.expires_at > now)
    wanting = (
        select(Q.customer_id, literal(worker_id), literal(expires))
        .where(_due(now), ~held)
        .group_by(Q.customer_id)
        .order_by(func.min(Q.due_at), Q.customer_id)
        .limit(limit)
    )
    stmt = upsert_insert(conn.dialect.name, MemberLease).from_select(
        ["customer_id", "owner", "expires_at"], wanting
    )
    # Only an expired lease is taken over; a live one (just won by another worker) is left alone,
    # and the row is then not returned, so this worker does not think it holds that member.
    stmt = stmt.on_conflict_do_update(
        index_elements=["customer_id"],
        set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
        where=MemberLease.expires_at <= now,
    ).returning(MemberLease.customer_id)
    return (await conn.execute(stmt)).scalars().all()


async def _fail_abandoned(conn: AsyncConnection, now: datetime, max_attempts: int) -> None:
    await conn.execute(
        update(Q)
        .where(Q.status == "claimed", Q.lease_expires_at <= now, Q.attempts >= max_attempts)
        .values(
            status="failed",
            finished_at=now,
            lease_owner=None,
            lease_expires_at=None,
            last_error=f"lease expired on attempt {max_attempts}: the worker died or hung every time",
        )
    )


async def _release(conn: AsyncConnection, worker_id: str, customer_ids: set[int]) -> None:
    """Drop this worker's leases on members it no longer holds any claimed trigger of."""
    still_claimed = exists().where(
        Q.customer_id == MemberLease.customer_id, Q.status == "claimed", Q.lease_owner == worker_id
    )
    await conn.execute(
        delete(MemberLease).where(
            MemberLease.owner == worker_id, MemberLease.customer_id.in_(customer_ids), ~still_claimed
        )
    )


async def complete(
    db: Database,
    worker_id: str,
    trigger_ids: Sequence[int],
    *,
    now: datetime,
    status: Literal["done", "skipped"] = "done",
) -> int:
    """Mark triggers this worker holds as done (or skipped: decided, nothing to do) and release
    their members. Returns how many it still held; fewer means a lease was lost to another worker."""
    moment = to_storage(now)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        finished = (
            (
                await conn.execute(
                    update(Q)
                    .where(Q.id.in_(trigger_ids), Q.status == "claimed", Q.lease_owner == worker_id)
                    .values(status=status, finished_at=moment, lease_owner=None, lease_expires_at=None)
                    .returning(Q.customer_id)
                )
            )
            .scalars()
            .all()
        )
        if finished:
            await _release(conn, worker_id, set(finished))
    if len(finished) < len(set(trigger_ids)):
        log.warning(
            "triggers.lease_lost", worker=worker_id, expected=len(set(trigger_ids)), completed=len(finished)
        )
    return len(finished)


async def fail(
    db: Database,
    worker_id: str,
    trigger_id: int,
    error: str,
    *,
    now: datetime,
    max_attempts: int = MAX_ATTEMPTS,
    backoff: timedelta = BACKOFF,
) -> str | None:
    """Record a failed attempt: back to `pending` after an exponential backoff, or `failed` once
    `max_attempts` attempts were made. Returns the new status, or None if the worker no longer
    held the trigger."""
    moment = to_storage(now)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        row = (
            await conn.execute(
                select(Q.attempts, Q.customer_id).where(
                    Q.id == trigger_id, Q.status == "claimed", Q.lease_owner == worker_id
                )
            )
        ).first()
        if row is None:
            log.warning("triggers.lease_lost", worker=worker_id, trigger_id=trigger_id)
            return None
        exhausted = row.attempts >= max_attempts
        delay = min(backoff * 2 ** (row.attempts - 1), MAX_BACKOFF)
        status = "failed" if exhausted else "pending"
        await conn.execute(
            update(Q)
            .where(Q.id == trigger_id)
            .values(
                status=status,
                last_error=error[:2000],
                lease_owner=None,
                lease_expires_at=None,
                due_at=Q.due_at if exhausted else moment + delay,
                finished_at=moment if exhausted else None,
            )
        )
        await _release(conn, worker_id, {row.customer_id})
    log.info(
        "triggers.failed_attempt",
        trigger_id=trigger_id,
        attempts=row.attempts,
        status=status,
        error=error[:200],
    )
    return status


async def renew(
    db: Database,
    worker_id: str,
    customer_ids: Sequence[int],
    *,
    now: datetime,
    lease: timedelta,
) -> list[int]:
    """Extend this worker's unexpired leases (a long decision); returns the members still held.
    A lease that already expired is not revived: another worker may hold the member by now."""
    moment = to_storage(now)
    expires = moment + lease
    async with db.engine.begin() as conn:
        await begin_write(conn)
        held = (
            (
                await conn.execute(
                    update(MemberLease)
                    .where(
                        MemberLease.owner == worker_id,
                        MemberLease.customer_id.in_(customer_ids),
                        MemberLease.expires_at > moment,
                    )
                    .values(expires_at=expires)
                    .returning(MemberLease.customer_id)
                )
            )
            .scalars()
            .all()
        )
        if held:
            await conn.execute(
                update(Q)
                .where(Q.customer_id.in_(held), Q.status == "claimed", Q.lease_owner == worker_id)
                .values(lease_expires_at=expires)
            )
    return sorted(held)


async def queue_counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(select(Q.status, func.count()).group_by(Q.status))
        return {status: int(count) for status, count in rows}


async def due_of_kind(db: Database, kind: str, now: datetime) -> list[tuple[int, int, str]]:
    """(trigger id, member, use case) of the pending triggers of one kind due at `now`, by id."""
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(Q.id, Q.customer_id, Q.use_case)
            .where(Q.kind == kind, Q.status == "pending", Q.due_at <= to_storage(now))
            .order_by(Q.id)
        )
        return [(int(i), int(c), str(u)) for i, c, u in rows]


async def other_live_triggers(db: Database, kind: str, members: Sequence[int]) -> set[int]:
    """Of `members`, those with a trigger of another kind pending or claimed: a decision of its own
    is under way or due, which a set-based pass of `kind` leaves to the agents' arbitration."""
    found: set[int] = set()
    async with db.engine.connect() as conn:
        for start in range(0, len(members), 5_000):
            chunk = list(members[start : start + 5_000])
            found.update(
                await conn.scalars(
                    select(Q.customer_id)
                    .where(Q.customer_id.in_(chunk), Q.kind != kind, Q.status.in_(("pending", "claimed")))
                    .distinct()
                )
            )
    return found


async def skip_pending(
    db: Database,
    trigger_ids: Sequence[int],
    *,
    now: datetime,
    status: Literal["done", "skipped"] = "skipped",
) -> int:
    """Mark pending triggers skipped (decided, nothing to do) — or done (decided, sent) — without
    a worker claiming them: what a set-based pass decided. A trigger claimed meanwhile is left to
    its worker."""
    moment = to_storage(now)
    done = 0
    async with db.engine.begin() as conn:
        await begin_write(conn)
        for start in range(0, len(trigger_ids), 5_000):  # inside the drivers' bind-parameter limits
            chunk = list(trigger_ids[start : start + 5_000])
            result = await conn.execute(
                update(Q)
                .where(Q.id.in_(chunk), Q.status == "pending")
                .values(status=status, finished_at=moment)
            )
            done += int(getattr(result, "rowcount", 0) or 0)
    return done
