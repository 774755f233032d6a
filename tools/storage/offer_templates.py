"""The offer templates the agents may choose from (loaded from the retailer's offers file)."""

from sqlalchemy import Boolean, CheckConstraint, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import OfferType
from tools.storage.base import Base, Money, Rate, one_of


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
