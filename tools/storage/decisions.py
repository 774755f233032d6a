"""What the agents decide and what governs it: offer templates, budgets, proposals, guard
verdicts and approvals, the human review queue, the decision log and experiment assignment."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import Channel, OfferType, UseCase, Verdict
from tools.storage.base import Base, Money, Rate, one_of

PROPOSAL_STATUSES = ["proposed", "approved", "rejected", "in_review", "sent", "expired"]
REVIEW_STATUSES = ["pending", "approved", "rejected"]
ARMS = ["treatment", "control"]


class OfferTemplate(Base):
    __tablename__ = "offer_templates"
    __table_args__ = (
        one_of("type", OfferType),
        CheckConstraint(
            "discount_pct IS NULL OR (discount_pct > 0 AND discount_pct <= 100)", name="pct_range"
        ),
        CheckConstraint("amount_off IS NULL OR amount_off > 0", name="amount_positive"),
        CheckConstraint("points_multiplier IS NULL OR points_multiplier > 1", name="multiplier_gt_one"),
        CheckConstraint("bonus_points IS NULL OR bonus_points > 0", name="bonus_positive"),
        CheckConstraint("min_spend >= 0", name="min_spend_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    discount_pct: Mapped[float | None] = mapped_column(Rate)
    amount_off: Mapped[float | None] = mapped_column(Money)
    points_multiplier: Mapped[float | None] = mapped_column(Float)
    bonus_points: Mapped[int | None] = mapped_column(Integer)
    min_spend: Mapped[float] = mapped_column(Money, default=0.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Budget(Base):
    """Money a use case may give away in a period. `spent <= amount` is enforced by the database,
    so concurrent workers cannot overspend whatever they believe in memory."""

    __tablename__ = "budgets"
    __table_args__ = (
        one_of("use_case", UseCase),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        CheckConstraint("spent >= 0 AND spent <= amount", name="spent_within_amount"),
        UniqueConstraint("use_case", "period_start", name="uq_budgets_use_case_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case: Mapped[str] = mapped_column(String(24))
    period_start: Mapped[datetime] = mapped_column(DateTime)
    period_end: Mapped[datetime] = mapped_column(DateTime)
    amount: Mapped[float] = mapped_column(Money)
    spent: Mapped[float] = mapped_column(Money, default=0.0)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        one_of("use_case", UseCase),
        one_of("channel", Channel),
        one_of("status", PROPOSAL_STATUSES),
        CheckConstraint("estimated_cost >= 0", name="cost_nonnegative"),
        Index("ix_proposals_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    use_case: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    estimated_cost: Mapped[float] = mapped_column(Money)
    expected_value: Mapped[float | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class GuardVerdict(Base):
    """The guard's verdict on one proposal. An approval is bound to the content hash it judged and
    is single-use: the channels server marks `approval_used_at` in the same transaction as the send.
    An approving verdict without an approval id is waiting in the human review queue."""

    __tablename__ = "guard_verdicts"
    __table_args__ = (
        one_of("verdict", Verdict),
        CheckConstraint("approval_id IS NULL OR verdict <> 'reject'", name="no_approval_on_reject"),
        CheckConstraint("(approval_id IS NULL) = (approval_expires_at IS NULL)", name="approval_expires"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    policy_version: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    approval_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    approval_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    approval_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    guard_model: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewItem(Base):
    """A high-value or flagged decision waiting for a person instead of being sent automatically."""

    __tablename__ = "review_queue"
    __table_args__ = (one_of("status", REVIEW_STATUSES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class DecisionLogEntry(Base):
    __tablename__ = "decision_log"
    __table_args__ = (Index("ix_decision_log_trace_step", "trace_id", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(36))
    step: Mapped[int] = mapped_column(Integer)
    agent: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ExperimentAssignment(Base):
    """Treatment or holdout per member and use case; derived by hashing, stored for audit."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (one_of("use_case", UseCase), one_of("arm", ARMS))

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    use_case: Mapped[str] = mapped_column(String(24), primary_key=True)
    arm: Mapped[str] = mapped_column(String(10))
    assigned_at: Mapped[datetime] = mapped_column(DateTime)


class SchemaInfo(Base):
    """One row about this database: when it was made and, if seeded, its synthetic world. (The
    schema's version is its Alembic revision, in `alembic_version`.)"""

    __tablename__ = "schema_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    world_seed: Mapped[int | None] = mapped_column(Integer)
    world_note: Mapped[str | None] = mapped_column(Text)
