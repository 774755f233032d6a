"""What the customer-data tools return, field by field (their output schemas)."""

from pydantic import BaseModel, Field

from tools.profiles import SegmentCount
from tools.time import UtcTimestamp


class OrderLine(BaseModel):
    sku: str
    name: str
    category: str
    quantity: int
    unit_price: float
    discount: float = Field(description="Discount on this line, in the retailer's currency.")


class PastOrder(BaseModel):
    order_id: str = Field(description="The retailer's order number.")
    placed_at: UtcTimestamp
    channel: str | None = Field(description="Where it was placed: online, app or store.")
    total: float
    discount_total: float
    coupon_code: str | None
    lines: list[OrderLine]


class PurchaseHistory(BaseModel):
    orders: list[PastOrder] = Field(description="Newest first.")


class BehaviourEvent(BaseModel):
    type: str = Field(
        description="view, search, cart_add, app_open, store_visit, message_open, message_click..."
    )
    occurred_at: UtcTimestamp
    sku: str | None
    product: str | None
    category: str | None
    channel: str | None
    value: float | None = Field(description="A cart add's value, where the event has one.")


class RecentEvents(BaseModel):
    events: list[BehaviourEvent] = Field(description="Newest first.")


class SegmentList(BaseModel):
    segments: list[SegmentCount]
