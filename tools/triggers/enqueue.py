"""Putting candidates into the durable trigger queue: idempotently, with the member's holdout arm.

The unique idempotency key makes enqueueing safe to repeat and to race: `ON CONFLICT DO NOTHING`
drops a cause already queued, whoever queued it. Members in the control arm are queued as
`skipped`, so they count as "would have been triggered" without reaching a worker.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import UseCase
from tools.decisions.holdout import Arm, ensure_arms
from tools.storage import QueuedTrigger, upsert_insert
from tools.time import to_storage
from tools.triggers.evaluate import Firing
from tools.triggers.rules import TriggerRule
from tools.triggers.sql import key_for


@dataclass(frozen=True)
class Enqueued:
    new: int
    control: int


async def enqueue(
    conn: AsyncConnection,
    rule: TriggerRule,
    candidates: Sequence[Firing],
    *,
    now: datetime,
    control_share: float,
) -> Enqueued:
    """Queue the candidates in the caller's (write) transaction; returns how many were new."""
    if not candidates:
        return Enqueued(0, 0)
    moment = to_storage(now)
    by_use_case: dict[UseCase, list[Firing]] = {}
    for c in candidates:
        by_use_case.setdefault(c.use_case or rule.use_case, []).append(c)
    rows = []
    for use_case, firings in by_use_case.items():  # a member's holdout arm is per use case
        arms = await ensure_arms(
            conn, use_case, [c.customer_id for c in firings], now=moment, control_share=control_share
        )
        rows += [
            {
                "idempotency_key": key_for(rule.name, c.customer_id, c.cause),
                "rule": rule.name,
                "kind": rule.kind.value,
                "customer_id": c.customer_id,
                "use_case": use_case.value,
                "arm": arms[c.customer_id].value,
                "payload": c.payload,
                "status": "skipped" if arms[c.customer_id] is Arm.CONTROL else "pending",
                "attempts": 0,
                "created_at": moment,
                "due_at": to_storage(c.due_at),
                "finished_at": moment if arms[c.customer_id] is Arm.CONTROL else None,
            }
            for c in firings
            if c.customer_id in arms  # a member deleted since evaluation, or unknown to a profile feed
        ]
    if not rows:
        return Enqueued(0, 0)
    # One order for every writer, so concurrent schedulers on PostgreSQL wait for each other's
    # keys in the same sequence instead of deadlocking.
    rows.sort(key=lambda row: row["idempotency_key"])
    inserted = await conn.execute(
        upsert_insert(conn.dialect.name, QueuedTrigger)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(QueuedTrigger.arm),
        rows,
    )
    new_arms = inserted.scalars().all()
    return Enqueued(new=len(new_arms), control=sum(1 for arm in new_arms if arm == Arm.CONTROL))
