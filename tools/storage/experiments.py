"""Holdout arms: which members each use case leaves alone to measure against (`tools.decisions.holdout`)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import UseCase
from tools.storage.base import Base, one_of

ARMS = ["treatment", "control"]


class ExperimentAssignment(Base):
    """Treatment or holdout per member and use case; derived by hashing, stored for audit."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (one_of("use_case", UseCase), one_of("arm", ARMS))

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    use_case: Mapped[str] = mapped_column(String(24), primary_key=True)
    arm: Mapped[str] = mapped_column(String(10))
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
