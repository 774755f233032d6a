"""The member profile as the rest of the product sees it (MCP tools, CLI, exports): a validated,
JSON-ready model. Times are aware UTC; dates are calendar dates in UTC.

The profile carries the member's e-mail and phone; `masked()` returns a copy fit to show by
default (`j***@example.com`, `+61 4** *** *12`).
"""

from datetime import date
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from tools.profiles.masking import mask_email, mask_name, mask_phone
from tools.time import UtcTimestamp


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactDetails(_Model):
    first_name: str  # customer-controlled text: data, never instructions
    last_name: str
    email: str | None
    phone: str | None


class Demographics(_Model):
    age: int | None
    birth_year: int | None
    gender: str | None
    income_band: str | None
    household_size: int | None
    postcode: str | None
    locale: str
    time_zone: str


class Loyalty(_Model):
    """Tier and points are the account's current state (there is no history of them)."""

    joined_at: AwareDatetime
    tenure_days: float
    tier: str | None
    points_balance: int | None
    lifetime_points: int | None


class Recency(_Model):
    last_order_at: AwareDatetime | None
    days_since_last_order: float | None


class Frequency(_Model):
    orders_30: int
    orders_90: int
    orders_365: int
    orders_total: int
    median_interval_days: float | None
    spend_trend: float  # -1 stopped .. 0 steady .. +1 new


class Monetary(_Model):
    aov: float | None
    aov_365: float | None
    expected_order_value: float | None  # the average shrunk toward the base's (`tools.profiles.order_value`)
    spend_30: float
    spend_90: float
    spend_365: float
    spend_total: float
    margin_365: float
    margin_total: float
    margin_rate: float | None  # gross margin share at shelf price


class Basket(_Model):
    items_per_order: float | None
    single_item_share: float | None
    distinct_categories_365: int
    top2_category_share: float | None


class CategoryScore(_Model):
    category: str
    score: float  # probability of buying it in the model's affinity window


class PriceSensitivity(_Model):
    discount_share: float | None  # share of spend (shelf price, last year) with a discount or coupon
    coupon_order_share: float | None
    offer_response_rate: float | None  # messages answered with a redemption or order


class ChannelEngagement(_Model):
    channel: str
    consent: bool
    sends: int
    opens: int
    clicks: int
    open_rate: float | None
    click_rate: float | None
    last_engaged_at: AwareDatetime | None


class SendTime(_Model):
    hour: int | None  # local hour, 0..23
    weekday: str | None  # local weekday name


class Seasonality(_Model):
    orders_per_30_days: dict[str, float | None]  # by season (the member's hemisphere)
    peak_season: str | None


class Replenishment(_Model):
    category: str
    interval_days: float
    last_purchased: date
    expected_next_date: date
    # a steady rhythm and likely to be bought again soon; False: bought on 3+ days, but no rhythm
    # to go by (the date is a best guess)
    regular: bool = True


class Predictions(_Model):
    model_as_of: UtcTimestamp  # the fitted models' as-of date (naive UTC inside, offset on the wire); never after the profile's
    churn_risk: float  # calibrated P(no order in the next `churn_horizon_days`)
    churn_horizon_days: int
    predicted_next_purchase_date: date
    predicted_clv_365: float
    category_affinity: list[CategoryScore]  # best first
    replenishment: list[Replenishment]  # soonest first
    # the category bought on the most of the member's shopping days: what an untriggered message is about
    favourite_category: str | None = None


class Freshness(_Model):
    newest: dict[str, AwareDatetime | None]  # per source
    data_age_hours: float | None
    stale: bool
    stale_after_hours: float


class Profile(_Model):
    customer_id: int
    external_id: str
    as_of: AwareDatetime
    contact: ContactDetails
    demographics: Demographics
    loyalty: Loyalty
    recency: Recency
    frequency: Frequency
    monetary: Monetary
    basket: Basket
    price_sensitivity: PriceSensitivity
    engagement: list[ChannelEngagement]
    preferred_channel: str | None
    send_time: SendTime
    seasonality: Seasonality
    lifecycle_stage: str
    segments: list[str]
    freshness: Freshness
    predictions: Predictions

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema with every sub-model written in place and optional values as type lists:
        equivalent to pydantic's, but an MCP client validates each profile against it in half the
        time (no `$ref` to resolve, no `anyOf` to try), and that check is part of every call."""
        return _flattened(handler.resolve_ref_schema(handler(core_schema)), handler)

    def masked(self) -> Self:
        """A copy safe to show by default: e-mail, phone and last name reduced to hints."""
        contact = self.contact.model_copy(
            update={
                "email": mask_email(self.contact.email),
                "phone": mask_phone(self.contact.phone),
                "last_name": mask_name(self.contact.last_name),
            }
        )
        return self.model_copy(update={"contact": contact})


def _flattened(node: Any, handler: GetJsonSchemaHandler) -> Any:
    if isinstance(node, list):
        return [_flattened(item, handler) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = handler.resolve_ref_schema({"$ref": node["$ref"]})
        return _flattened({**target, **{k: v for k, v in node.items() if k != "$ref"}}, handler)
    flat = {key: _flattened(value, handler) for key, value in node.items()}
    options = flat.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(option for option in options if option != {"type": "null"})
        # `format` constrains strings only, so it may sit beside a type list that allows null
        if isinstance(other.get("type"), str) and set(other) <= {"type", "format"}:
            del flat["anyOf"]
            flat.update(other, type=[other["type"], "null"])
    return flat
