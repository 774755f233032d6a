"""What members do and what reaches them: behavioural events, contacts (sent messages), outcomes,
and the competitor activity around them."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import Channel, EventType, OutcomeType, UseCase
from tools.storage.base import Base, Money, one_of

CONTACT_STATUSES = ["queued", "sending", "sent", "failed", "dead_letter", "cancelled"]


class BehaviouralEvent(Base):
    __tablename__ = "events"
    __table_args__ = (
        one_of("type", EventType),
        Index("ix_events_customer_occurred", "customer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    channel: Mapped[str | None] = mapped_column(String(16))
    session_id: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Money)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CompetitorSignal(Base):
    __tablename__ = "competitor_signals"
    __table_args__ = (
        CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="discount_range"),
        CheckConstraint("ends_at > starts_at", name="window_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competitor: Mapped[str] = mapped_column(String(80))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    discount_pct: Mapped[float] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    description: Mapped[str | None] = mapped_column(Text)


class Contact(Base):
    """One message to one member: the outbox row while queued, the contact history once sent."""

    __tablename__ = "contacts"
    __table_args__ = (
        one_of("channel", Channel),
        one_of("status", CONTACT_STATUSES),
        CheckConstraint(
            "use_case IS NULL OR use_case IN (" + ", ".join(f"'{u.value}'" for u in UseCase) + ")",
            name="use_case_valid",
        ),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        Index("ix_contacts_customer_sent", "customer_id", "sent_at"),
        Index("ix_contacts_status_scheduled", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    proposal_id: Mapped[str | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    use_case: Mapped[str | None] = mapped_column(String(24))
    campaign: Mapped[str | None] = mapped_column(String(80))
    offer_code: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class Outcome(Base):
    """A member's response to a contact. One outcome of each type per contact."""

    __tablename__ = "outcomes"
    __table_args__ = (
        one_of("type", OutcomeType),
        CheckConstraint("revenue >= 0", name="revenue_nonnegative"),
        Index("ix_outcomes_customer_occurred", "customer_id", "occurred_at"),
        Index("uq_outcomes_contact_type", "contact_id", "type", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(12))
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    revenue: Mapped[float] = mapped_column(Money, default=0.0)
    margin: Mapped[float] = mapped_column(Money, default=0.0)
