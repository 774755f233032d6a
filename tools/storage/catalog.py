"""What the retailer sells: categories, their complements, products and stock."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tools.storage.base import Base, Money, one_of

SEASONS = ["all", "spring", "summer", "autumn", "winter"]


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    department: Mapped[str] = mapped_column(String(80), index=True)


class CategoryComplement(Base):
    """Directed edge: buyers of `category` often want `complement` (jackets → gloves)."""

    __tablename__ = "category_complements"
    __table_args__ = (
        CheckConstraint("strength > 0 AND strength <= 1", name="strength_range"),
        CheckConstraint("category_id <> complement_id", name="not_self"),
    )

    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    complement_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    strength: Mapped[float] = mapped_column(Float)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        one_of("season", SEASONS),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("unit_cost >= 0", name="cost_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    product_type: Mapped[str | None] = mapped_column(String(120))
    brand: Mapped[str | None] = mapped_column(String(80))
    price: Mapped[float] = mapped_column(Money)
    unit_cost: Mapped[float] = mapped_column(Money)
    season: Mapped[str] = mapped_column(String(8), default="all")
    is_consumable: Mapped[bool] = mapped_column(Boolean, default=False)
    full_price_only: Mapped[bool] = mapped_column(Boolean, default=False)
    launched_at: Mapped[datetime | None] = mapped_column(DateTime)


class Inventory(Base):
    __tablename__ = "inventory"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonnegative"),
        CheckConstraint("weekly_demand >= 0", name="demand_nonnegative"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer)
    weekly_demand: Mapped[float] = mapped_column(Float)
    clearance: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
