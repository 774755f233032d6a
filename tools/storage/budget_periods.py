"""The budgets table: money each use case may give away in a period (logic in `tools.budgets`)."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import UseCase
from tools.storage.base import Base, Money, one_of


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
