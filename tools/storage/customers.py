"""Members: identity, contact preferences and the loyalty account."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import Channel, Tier
from tools.storage.base import Base, one_of


class Customer(Base):
    """A loyalty member. `first_name` and `notes` are customer-controlled text: data, never instructions."""

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("quiet_start_hour BETWEEN 0 AND 23", name="quiet_start_range"),
        CheckConstraint("quiet_end_hour BETWEEN 0 AND 23", name="quiet_end_range"),
        CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2030", name="birth_year_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    gender: Mapped[str | None] = mapped_column(String(16))
    income_band: Mapped[str | None] = mapped_column(String(32))
    household_size: Mapped[int | None] = mapped_column(SmallInteger)
    postcode: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16), default="en-AU")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start_hour: Mapped[int] = mapped_column(SmallInteger, default=21)
    quiet_end_hour: Mapped[int] = mapped_column(SmallInteger, default=8)
    joined_at: Mapped[datetime] = mapped_column(DateTime)
    # When upstream systems (POS, e-commerce, ESP) last synced this member; NULL means the member
    # is fed continuously. A profile built on an old sync is stale whatever it says.
    data_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    notes: Mapped[str | None] = mapped_column(Text)


class ChannelConsent(Base):
    """Consent per member and channel. An opt-out keeps its timestamp; consent is then false."""

    __tablename__ = "channel_consents"
    __table_args__ = (one_of("channel", Channel),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class LoyaltyAccount(Base):
    __tablename__ = "loyalty_accounts"
    __table_args__ = (
        one_of("tier", Tier),
        CheckConstraint("points_balance >= 0", name="points_nonnegative"),
        CheckConstraint("lifetime_points >= points_balance", name="lifetime_covers_balance"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(16))
    points_balance: Mapped[int] = mapped_column(Integer)
    lifetime_points: Mapped[int] = mapped_column(Integer)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
