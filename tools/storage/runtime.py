"""The runtime's own bookkeeping: the durable trigger queue, the leases that keep one member with one
worker and one outbox message with one sender, and the log of every delivery attempt.

Leases are rows with a primary key rather than flags on the leased row: taking one is a single
`INSERT ... ON CONFLICT DO UPDATE ... WHERE expired`, which the database settles atomically on
SQLite and PostgreSQL alike, so two workers racing for the same member cannot both win.

Two helpers about the dialects sit here too for the writers of these tables, `upsert_insert` and
`begin_write`; their times go through `tools.time.to_storage` (the naive-UTC convention).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import Channel, UseCase
from tools.storage.base import Base, one_of
from tools.storage.experiments import ARMS


class TriggerKind(StrEnum):
    CART_ABANDONED = "cart_abandoned"
    PURCHASE = "purchase"
    RHYTHM_LAPSE = "rhythm_lapse"
    REPLENISHMENT = "replenishment"
    COMPETITOR_PROMOTION = "competitor_promotion"
    BROWSE_INTENT = "browse_intent"
    ALWAYS_ON = "always_on"


TRIGGER_STATUSES = ["pending", "claimed", "done", "failed", "skipped"]
ATTEMPT_RESULTS = ["sent", "duplicate", "transient", "permanent"]


class QueuedTrigger(Base):
    """A moment that calls for a decision about one member. `idempotency_key` names the rule, the
    member and the cause (an event, an order, a promotion...), so re-evaluating a rule never
    queues the same moment twice. Members in the holdout arm are queued as `skipped`: they stay
    countable as "would have been triggered", which is what incrementality is measured against."""

    __tablename__ = "trigger_queue"
    __table_args__ = (
        one_of("kind", TriggerKind),
        one_of("use_case", UseCase),
        one_of("arm", ARMS),
        one_of("status", TRIGGER_STATUSES),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint(
            "status <> 'claimed' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)",
            name="claim_has_lease",
        ),
        Index("ix_trigger_queue_status_due", "status", "due_at"),
        Index("ix_trigger_queue_customer_status", "customer_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    rule: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    use_case: Mapped[str] = mapped_column(String(24))
    arm: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8))
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class TriggerRuleRun(Base):
    """When the scheduler last evaluated a rule, so a rule that only changes by the day is not
    re-evaluated every minute."""

    __tablename__ = "trigger_rule_runs"

    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(DateTime)


class MemberLease(Base):
    """Which worker is deciding about a member, until when. Expired rows are taken over."""

    __tablename__ = "member_leases"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class DeliveryLease(Base):
    """Which delivery worker holds an outbox message in `sending`, until when. A worker that dies
    leaves the lease to expire; the message is then sent again under the same idempotency key."""

    __tablename__ = "delivery_leases"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class DeliveryAttempt(Base):
    """One call to a channel adapter and what came of it: the audit trail behind retries,
    fallbacks and dead letters."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (
        one_of("channel", Channel),
        one_of("result", ATTEMPT_RESULTS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    worker: Mapped[str] = mapped_column(String(80))
    result: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(DateTime)


def upsert_insert(dialect: str, table: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """`INSERT INTO table` in the dialect's own form, which offers `on_conflict_do_...`."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


async def begin_write(target: AsyncSession | AsyncConnection) -> None:
    """Make the current transaction a writer from its first statement.

    A SQLite transaction that reads and then writes fails at once (busy snapshot, no waiting) if
    another connection wrote in between; one that starts with `BEGIN IMMEDIATE` waits its turn
    instead. PostgreSQL needs nothing: its row locks and unique indexes settle the races."""
    dialect = target.dialect if isinstance(target, AsyncConnection) else target.bind.dialect
    if dialect.name == "sqlite":
        await target.execute(text("BEGIN IMMEDIATE"))
