"""Holdout (control) groups: per use case a fixed share of members gets nothing, so the lift of
everything else is measured against them rather than assumed (DESIGN §7).

A member's arm is a pure function of their external id — the retailer's own id, so the arm
survives a re-import into a fresh database — and the use case, hashed. It is stored in
`experiment_assignments` the first time it is needed and never rewritten: a later change of the
share applies to members not yet assigned, and comparisons already running stay valid.
"""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Subquery, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import UseCase
from tools.storage import Customer, Database, ExperimentAssignment, QueuedTrigger, begin_write, upsert_insert
from tools.time import to_storage

DEFAULT_CONTROL_SHARE = 0.10
_CHUNK = 5_000  # ids per IN list: well inside SQLite's and asyncpg's bind-parameter limits
_SCALE = float(2**64)


class Arm(StrEnum):
    TREATMENT = "treatment"
    CONTROL = "control"


def arm_for(external_id: str, use_case: UseCase, control_share: float = DEFAULT_CONTROL_SHARE) -> Arm:
    """The arm a member falls in, by hashing: the same inputs give the same arm on every machine."""
    if not 0.0 <= control_share < 1.0:
        raise ValueError(f"control share must be in [0, 1), got {control_share}")
    digest = hashlib.sha256(f"{use_case.value}\x1f{external_id}".encode()).digest()
    return Arm.CONTROL if int.from_bytes(digest[:8], "big") / _SCALE < control_share else Arm.TREATMENT


async def ensure_arms(
    conn: AsyncConnection,
    use_case: UseCase,
    customer_ids: Sequence[int] | None,
    *,
    now: datetime,
    control_share: float = DEFAULT_CONTROL_SHARE,
) -> dict[int, Arm]:
    """Arms of the given members (all members when None), assigning and storing any not yet
    assigned. Runs in the caller's transaction; unknown ids are left out of the result."""
    found: dict[int, Arm] = {}
    missing: list[tuple[int, str]] = []
    for chunk in _chunks(customer_ids):
        query = select(Customer.id, Customer.external_id, ExperimentAssignment.arm).outerjoin(
            ExperimentAssignment,
            and_(
                ExperimentAssignment.customer_id == Customer.id,
                ExperimentAssignment.use_case == use_case.value,
            ),
        )
        if chunk is not None:
            query = query.where(Customer.id.in_(chunk))
        for customer_id, external_id, arm in await conn.execute(query):
            if arm is None:
                missing.append((customer_id, external_id))
            else:
                found[customer_id] = Arm(arm)
    if missing:
        # Sorted: concurrent writers on PostgreSQL then take the keys in one order (no deadlock).
        new = {
            customer_id: arm_for(external_id, use_case, control_share)
            for customer_id, external_id in sorted(missing)
        }
        # Another process may assign the same member meanwhile; hashing gives it the same arm.
        await conn.execute(
            upsert_insert(conn.dialect.name, ExperimentAssignment).on_conflict_do_nothing(),
            [
                {
                    "customer_id": c,
                    "use_case": use_case.value,
                    "arm": arm.value,
                    "assigned_at": to_storage(now),
                }
                for c, arm in new.items()
            ],
        )
        found |= new
    return found


@dataclass(frozen=True)
class HoldoutSummary:
    use_case: UseCase
    treatment: int
    control: int


async def assign_holdout(
    db: Database,
    use_case: UseCase,
    *,
    now: datetime,
    control_share: float = DEFAULT_CONTROL_SHARE,
) -> HoldoutSummary:
    """Assign every member not yet assigned for this use case; returns the arm sizes."""
    async with db.engine.begin() as conn:
        await begin_write(conn)
        arms = await ensure_arms(conn, use_case, None, now=now, control_share=control_share)
    control = sum(1 for arm in arms.values() if arm is Arm.CONTROL)
    return HoldoutSummary(use_case, treatment=len(arms) - control, control=control)


def _chunks(ids: Sequence[int] | None) -> Iterator[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def first_triggers(*conditions: ColumnElement[bool]) -> Subquery:
    """One row per member and use case triggered under `conditions` (on `QueuedTrigger`): the arm
    the holdout put them in and when they were first triggered. What the holdout comparisons, the
    report's and the scorer's, start from."""
    return (
        select(
            QueuedTrigger.use_case.label("use_case"),
            QueuedTrigger.customer_id.label("customer_id"),
            func.min(QueuedTrigger.arm).label("arm"),
            func.min(QueuedTrigger.created_at).label("first_at"),
        )
        .where(*conditions)
        .group_by(QueuedTrigger.use_case, QueuedTrigger.customer_id)
        .subquery()
    )
