"""What the agents propose and how it is judged: proposals, the guard's verdicts (and the approvals
they carry), and the human review queue."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import Channel, UseCase, Verdict
from tools.storage.base import Base, Money, one_of

PROPOSAL_STATUSES = ["proposed", "approved", "rejected", "in_review", "sent", "expired"]
REVIEW_STATUSES = ["pending", "approved", "rejected"]


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
