"""Orders and their lines, with what was paid, discounted and couponed."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tools.storage.base import Base, Money, one_of

ORDER_CHANNELS = ["online", "store", "app"]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        one_of("channel", ORDER_CHANNELS),
        CheckConstraint("discount_total >= 0", name="discount_nonnegative"),
        Index("ix_orders_customer_placed", "customer_id", "placed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    placed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    channel: Mapped[str] = mapped_column(String(8))
    subtotal: Mapped[float] = mapped_column(Money)
    discount_total: Mapped[float] = mapped_column(Money)
    total: Mapped[float] = mapped_column(Money)
    coupon_code: Mapped[str | None] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))


class OrderLine(Base):
    """A line; negative quantity is a return. Unit cost is captured at sale time for margin."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_nonzero"),
        CheckConstraint("unit_price >= 0", name="price_nonnegative"),
        CheckConstraint("unit_cost >= 0", name="cost_nonnegative"),
        CheckConstraint("discount >= 0", name="discount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[float] = mapped_column(Money)
    unit_cost: Mapped[float] = mapped_column(Money)
    discount: Mapped[float] = mapped_column(Money)
