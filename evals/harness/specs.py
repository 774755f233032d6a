"""What a scenario puts into the world: one member with a history, and the tweaks around them.

Everything is relative to the case's moment (`days_ago`, `hours_ago`), so a case reads like a
CRM brief ("bought every 17 days, last 28 days ago") and does not depend on the calendar. Products
are named either by a key of a product the case adds, by an existing SKU, or by a category name
(the fixture builder then picks one of the catalogue's products in it, deterministically).
"""

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.vocabulary import Channel, EventType, Tier, UseCase

_CONFIG = ConfigDict(extra="forbid", frozen=True)

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Ago = Annotated[float, Field(ge=0.0, le=3650.0)]
Hour = Annotated[int, Field(ge=0, le=23)]


class _Spec(BaseModel):
    model_config = _CONFIG


class ItemRef(_Spec):
    """A product: `product` (a case product's key, or a catalogue SKU) or any product in `category`."""

    product: str | None = None
    category: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.product is None) == (self.category is None):
            raise ValueError("name exactly one of product or category")
        return self


class LineSpec(ItemRef):
    quantity: Annotated[int, Field(ge=1, le=50)] = 1
    price: Annotated[float, Field(gt=0)] | None = None  # shelf price paid per unit; default the product's


class OrderSpec(_Spec):
    """One order, or `count` orders `every_days` apart with the newest `days_ago`.

    Each order holds `lines`, or (with `mix`) one line from a category drawn by share, so "95%
    activewear over 20 orders" is 19 activewear orders and one other.
    """

    days_ago: Ago
    count: Annotated[int, Field(ge=1, le=400)] = 1
    every_days: Annotated[float, Field(gt=0)] = 30.0
    lines: tuple[LineSpec, ...] = ()
    mix: dict[str, Annotated[float, Field(gt=0)]] = {}
    price: Annotated[float, Field(gt=0)] | None = None  # per unit, for `mix` lines
    discount_pct: Annotated[float, Field(ge=0, lt=100)] = 0.0  # promotion on every line
    coupon: bool = False
    channel: Literal["online", "store", "app"] = "online"
    hour: Hour = 12  # local hour the orders are placed

    @model_validator(mode="after")
    def _lines_or_mix(self) -> Self:
        if bool(self.lines) == bool(self.mix):
            raise ValueError("give either lines or mix")
        return self


class EventSpec(_Spec):
    """Behavioural events: `count` of them, `every_hours` apart, the newest `hours_ago` (plus `days_ago`)."""

    type: EventType
    days_ago: Ago = 0.0
    hours_ago: Annotated[float, Field(ge=0.0)] = 0.0
    count: Annotated[int, Field(ge=1, le=500)] = 1
    every_hours: Annotated[float, Field(gt=0)] = 24.0
    item: ItemRef | None = None
    channel: Channel | None = None
    value: Annotated[float, Field(ge=0)] | None = None  # default: the product's price for carts

    @property
    def newest_hours_ago(self) -> float:
        return self.days_ago * 24 + self.hours_ago


class ContactSpec(_Spec):
    """Messages already sent: `count`, `every_days` apart, the newest `days_ago`.

    `opened` and `clicked` are shares of them answered; opens land at `open_hour` local time
    (default: the send hour), which is what a member's "usual open hour" is learned from.
    """

    channel: Channel
    days_ago: Ago
    count: Annotated[int, Field(ge=1, le=500)] = 1
    every_days: Annotated[float, Field(gt=0)] = 7.0
    hour: Hour = 10
    opened: Share = 0.0
    clicked: Share = 0.0  # of all messages; a click is also an open
    open_hour: Hour | None = None
    use_case: UseCase | None = None

    @model_validator(mode="after")
    def _clicks_are_opens(self) -> Self:
        if self.clicked > self.opened:
            raise ValueError("clicked cannot exceed opened")
        return self


class MemberSpec(_Spec):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field("Member", min_length=1, max_length=80)
    notes: str | None = None  # customer-controlled free text
    birth_year: Annotated[int, Field(ge=1900, le=2015)] | None = 1988
    gender: str | None = None
    postcode: str | None = "2000"
    time_zone: str = "Australia/Sydney"
    locale: str = "en-AU"
    quiet_hours: tuple[Hour, Hour] = (21, 8)  # local [start, end): no messages from start until end
    joined_days_ago: Ago = 730.0
    data_synced_days_ago: Ago | None = None  # None: fed continuously by upstream systems
    consents: dict[Channel, bool] = {Channel.EMAIL: True}
    opted_out: tuple[Channel, ...] = ()
    app_user: bool = False  # in-app messages reach only members who use the app
    tier: Tier = Tier.SILVER
    points_balance: Annotated[int, Field(ge=0)] = 0
    lifetime_points: Annotated[int, Field(ge=0)] | None = None
    orders: tuple[OrderSpec, ...] = ()
    events: tuple[EventSpec, ...] = ()
    contacts: tuple[ContactSpec, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.quiet_hours[0] == self.quiet_hours[1]:
            raise ValueError("quiet hours need a start and an end that differ")
        if self.lifetime_points is not None and self.lifetime_points < self.points_balance:
            raise ValueError("lifetime_points must cover points_balance")
        return self


class ProductSpec(_Spec):
    """A product the case adds to the catalogue (a new collection, the item in a cart)."""

    key: str = Field(pattern=r"^[a-z0-9_-]{1,30}$")
    name: str = Field(min_length=1, max_length=200)
    category: str
    price: Annotated[float, Field(gt=0)]
    unit_cost: Annotated[float, Field(ge=0)]
    on_hand: Annotated[int, Field(ge=0)] = 50
    weekly_demand: Annotated[float, Field(ge=0)] = 5.0
    clearance: bool = False
    full_price_only: bool = False
    launched_days_ago: Ago | None = None


class StockSpec(ItemRef):
    """Set the stock of one product, or of every product in a category."""

    on_hand: Annotated[int, Field(ge=0)]
    clearance: bool | None = None


class CompetitorSpec(_Spec):
    category: str
    discount_pct: Annotated[float, Field(ge=0, le=100)]
    competitor: str = "Rival Retail"
    started_days_ago: Ago = 1.0
    ends_in_days: Annotated[float, Field(gt=0)] = 6.0


class BudgetSpec(_Spec):
    """Change the current budget of a use case (what is left, or pause it)."""

    use_case: UseCase
    amount: Annotated[float, Field(ge=0)] | None = None
    spent: Annotated[float, Field(ge=0)] | None = None
    paused: bool | None = None


class WorldTweaks(_Spec):
    products: tuple[ProductSpec, ...] = ()
    stock: tuple[StockSpec, ...] = ()
    competitors: tuple[CompetitorSpec, ...] = ()
    budgets: tuple[BudgetSpec, ...] = ()

    @model_validator(mode="after")
    def _keys_unique(self) -> Self:
        keys = [p.key for p in self.products]
        if len(set(keys)) != len(keys):
            raise ValueError("product keys must be unique within a case")
        return self
