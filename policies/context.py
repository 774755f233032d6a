"""The facts the rules need about a member and the world at check time.

The rules engine reads no storage: the caller (the rules MCP server) fills a `RuleContext` for each
proposal, and the engine judges the proposal against it. Everything the engine knows is therefore
in this model, which makes each verdict reproducible from the logged proposal, context and policy.

Where a fact is missing the rules fail closed: a channel without a recorded consent has none, a SKU
without an inventory record has no stock.
"""

from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

from policies.fields import Label, Money, UtcDatetime
from policies.vocabulary import Channel, Tier, UseCase

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class RecentContact(BaseModel):
    """A marketing message already sent to the member, or approved and scheduled."""

    model_config = _MODEL_CONFIG

    channel: Channel
    sent_at: UtcDatetime  # scheduled time for a message not sent yet
    offer_fingerprint: Sha256Hex  # `policies.proposal.offer_fingerprint` of the offer it carried
    use_case: UseCase  # lets the cart rule count a sequence's messages rather than trust the proposal


class SkuFacts(BaseModel):
    """What the rules need about one product named by an offer."""

    model_config = _MODEL_CONFIG

    price: Annotated[float, Strict(), Field(gt=0, le=1_000_000)]  # current shelf price
    unit_cost: Money
    available_units: Annotated[int, Strict(), Field(ge=0)]  # on hand minus reserved
    full_price: bool  # a "never discounted" item (new season, brand agreement, regulated)
    category: Label | None = None


class RuleContext(BaseModel):
    model_config = _MODEL_CONFIG

    customer_id: Annotated[int, Strict(), Field(ge=1)]  # must match the proposal's: a guard against mix-ups
    now: UtcDatetime
    tier: Tier
    segments: frozenset[Label] = frozenset()  # micro-segment ids the member is in (several at once)
    time_zone: str = Field(max_length=64)  # IANA name, e.g. "Europe/London"; quiet hours use it
    consents: dict[Channel, bool] = {}  # marketing consent per channel; absent means no consent
    opted_out: frozenset[Channel] = frozenset()  # channels the member unsubscribed from
    # Every marketing contact within the policy's longest look-back (caps, duplicates, fatigue
    # cool-down), including messages approved and scheduled but not sent yet.
    recent_contacts: tuple[RecentContact, ...] = Field(default=(), max_length=10_000)
    consecutive_ignored: Annotated[int, Strict(), Field(ge=0)] = (
        0  # ignored messages since the last engagement
    )
    profile_stale: bool  # the profile service's own verdict on its freshness
    data_age_hours: Annotated[float, Strict(), Field(ge=0)]  # age of the newest record behind the profile
    # Budget left for the proposal's use case; negative when already overspent.
    budget_remaining: Annotated[float, Strict(), Field(ge=-1_000_000_000, le=1_000_000_000)]
    skus: dict[Label, SkuFacts] = {}  # facts for every SKU the offer names (and its gift SKU)
    # The order the offer is expected to apply to: the cart for cart abandonment, else the member's
    # typical basket. Margin is gross margin in money on that order at full price.
    expected_basket_value: Annotated[float, Strict(), Field(gt=0, le=1_000_000)]
    expected_basket_margin: Annotated[float, Strict(), Field(ge=-1_000_000, le=1_000_000)]
    postcode_group: Label | None = None  # for campaign fairness checks
    demographic_group: Label | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {name!r}") from error
        return name

    @model_validator(mode="after")
    def _margin_within_basket(self) -> Self:
        if self.expected_basket_margin > self.expected_basket_value:
            raise ValueError("expected_basket_margin cannot exceed expected_basket_value")
        return self
