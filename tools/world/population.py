"""The population file: every parameter of a synthetic retailer, validated at the boundary.

One TOML file describes a retailer's catalogue shape, its members' hidden trait distributions,
their behaviour, the contact programme, the loyalty scheme and the hidden response model. The same
file drives `loyalty seed` and, later, the simulator, so a reviewer can write another retailer
without touching code. `default_population.toml` documents every field.
"""

import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from policies.vocabulary import UseCase
from tools.errors import InvalidInput
from tools.world.geography import REGIONS
from tools.world.taxonomy import DEPARTMENTS

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
Hour = Annotated[int, Field(ge=0, le=23)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Beta(Strict):
    """A Beta(alpha, beta) distribution on (0, 1); its mean is alpha / (alpha + beta)."""

    alpha: Positive
    beta: Positive

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


class Range(Strict):
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


class PerChannel(Strict):
    email: Share
    sms: Share
    push: Share

    def as_tuple(self) -> tuple[float, float, float]:
        return self.email, self.sms, self.push


class WorldSpec(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    end_date: date
    months: int = Field(12, ge=1, le=60)
    lapsed_after_days: int = Field(90, ge=7)


class Department(Strict):
    weight: Positive
    margin: Range

    @model_validator(mode="after")
    def _margin_is_a_share(self) -> Self:
        if not 0.0 < self.margin.low <= self.margin.high < 1.0:
            raise ValueError("margin low and high must lie strictly between 0 and 1")
        return self


class CatalogueSpec(Strict):
    skus: int = Field(ge=1)
    premium_share: Share
    new_collection_share: Share
    new_collection_months: int = Field(ge=1, le=12)
    departments: dict[str, Department]

    @field_validator("departments")
    @classmethod
    def _every_department(cls, departments: dict[str, Department]) -> dict[str, Department]:
        known = {d.key for d in DEPARTMENTS}
        missing, unknown = known - set(departments), set(departments) - known
        if missing or unknown:
            parts = ([f"missing {', '.join(sorted(missing))}"] if missing else []) + (
                [f"unknown {', '.join(sorted(unknown))}"] if unknown else []
            )
            raise ValueError(f"must be exactly {', '.join(sorted(known))}: {'; '.join(parts)}")
        return departments

    @field_validator("skus")
    @classmethod
    def _three_per_category(cls, skus: int) -> int:
        categories = sum(len(d.categories) for d in DEPARTMENTS)
        if skus < 3 * categories:
            raise ValueError(f"must be at least {3 * categories} (three per category)")
        return skus


class MembersSpec(Strict):
    new_member_share: Share
    tenure_years_max: Positive
    regions: dict[str, Positive]
    age: Range
    age_mode: Positive
    gender: dict[str, Positive]
    income_bands: dict[str, Positive]
    household_size_mean: Positive
    email_consent: Share
    phone_share: Share
    sms_consent: Share
    app_user_share: Share
    push_consent: Share
    prior_opt_out_share: Share
    custom_quiet_hours_share: Share
    notes_share: Share
    injection_share: Share
    stale_sync_share: Share

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, regions: dict[str, float]) -> dict[str, float]:
        unknown = set(regions) - set(REGIONS)
        if unknown:
            raise ValueError(f"unknown regions {sorted(unknown)}: use {', '.join(REGIONS)}")
        return regions

    @model_validator(mode="after")
    def _ages(self) -> Self:
        if not 18 <= self.age.low < self.age_mode < self.age.high <= 100:
            raise ValueError("age must satisfy 18 <= low < age_mode < high <= 100")
        return self


class PurchaseRate(Strict):
    """Orders per year at full activity: Gamma(shape, mean / shape). A small shape gives a long tail."""

    shape: Positive
    mean: Positive


class PreferredHour(Strict):
    peaks: list[Hour] = Field(min_length=1)
    weights: list[Positive]
    spread_hours: Positive

    @model_validator(mode="after")
    def _same_length(self) -> Self:
        if len(self.peaks) != len(self.weights):
            raise ValueError("peaks and weights must have the same length")
        return self


class ReplenishmentSpec(Strict):
    affinity: Positive
    cycle_jitter: Positive
    interval_jitter: Positive


class TraitsSpec(Strict):
    price_sensitivity: Beta
    income_shift: Annotated[float, Field(ge=0.0, le=0.5)]
    taste_concentration: Positive
    taste_floor: Share
    channel_response: dict[str, Beta]
    preferred_hour: PreferredHour
    preferred_weekday: list[Positive] = Field(min_length=7, max_length=7)
    purchase_rate: PurchaseRate
    churn_hazard: Beta
    return_rate: Beta
    initially_active: Share
    replenishment: ReplenishmentSpec

    @model_validator(mode="after")
    def _channels(self) -> Self:
        if set(self.channel_response) != {"email", "sms", "push"}:
            raise ValueError("channel_response needs exactly email, sms and push")
        return self


class Behaviour(Strict):
    seasonality: list[Positive] = Field(min_length=12, max_length=12)
    in_season_boost: Positive
    off_season_damp: Positive
    weekday_pull: Share
    shopping_hour_spread: Positive
    lines_per_order: float = Field(ge=1.0)
    replenishment_extra_lines: float = Field(ge=0.0)
    complement_share: Share
    channel_mix: dict[str, Positive]
    price_tilt: float = Field(ge=0.0)
    promo_rate: Share
    promo_sensitivity: Share
    off_season_promo_boost: Positive
    promo_depths: list[Annotated[int, Field(gt=0, lt=100)]] = Field(min_length=1)
    coupon_rate: Share
    browse_sessions_per_order: float = Field(ge=0.0)
    lapsed_browse_factor: Share
    cart_session_share: Share
    cart_sensitivity: Share
    checkout_share: Share
    cart_remove_share: Share
    search_share: Share
    views_per_session: float = Field(ge=1.0)
    app_opens_per_month: float = Field(ge=0.0)
    store_visits_per_month: float = Field(ge=0.0)

    @model_validator(mode="after")
    def _channel_mix(self) -> Self:
        if set(self.channel_mix) != {"online", "app", "store"}:
            raise ValueError("channel_mix needs exactly online, app and store")
        return self


class ContactProgramme(Strict):
    newsletters_per_month: int = Field(ge=0, le=8)
    newsletter_reach: Share
    promo_emails_per_month: int = Field(ge=0, le=8)
    sms_per_month: int = Field(ge=0, le=8)
    sms_reach: Share
    push_per_month: int = Field(ge=0, le=8)
    push_reach: Share
    reactivation_reach: Share
    bundle_every_months: int = Field(ge=0, le=12)
    competitive_response_share: Share
    cart_reminder_reach: Share
    send_hour: Hour
    send_hour_spread: Positive
    fan_threshold: Share


class LoyaltySpec(Strict):
    points_per_dollar: int = Field(ge=1)
    tiers: dict[str, int]
    redeem_block: int = Field(ge=1)
    redeem_share: Beta

    @model_validator(mode="after")
    def _tiers(self) -> Self:
        if list(self.tiers) != ["silver", "gold", "platinum"]:
            raise ValueError("tiers must list silver, gold and platinum thresholds, in that order")
        values = list(self.tiers.values())
        if not 0 < values[0] < values[1] < values[2]:
            raise ValueError("tier thresholds must be positive and increasing")
        return self


class InventorySpec(Strict):
    cover_weeks: Positive
    cover_spread: Positive
    overstock_share: Share
    overstock_weeks: Range
    clearance_share: Share
    stockout_share: Share
    demand_weeks: int = Field(ge=1, le=26)


class Market(Strict):
    competitor_promos_per_month: float = Field(ge=0.0)
    promo_days: Range
    promo_depths: list[Annotated[int, Field(gt=0, lt=100)]] = Field(min_length=1)
    promos_over_end_date: int = Field(ge=0)


class PerceivedValue(Strict):
    free_shipping: Share
    early_access: Share
    gift: Share


class Money(Strict):
    """Dollars per channel."""

    email: Annotated[float, Field(ge=0.0)]
    sms: Annotated[float, Field(ge=0.0)]
    push: Annotated[float, Field(ge=0.0)]

    def as_tuple(self) -> tuple[float, float, float]:
        return self.email, self.sms, self.push


class Intent(Strict):
    """A trigger's hold on a member: after a cart, repeated browsing of a category or a due
    replenishment the member is, for a while, far more likely to act on that thing."""

    cart: Share = 1.0  # intent level right after an abandoned cart
    browse: Share = 0.5  # ... after browsing one category `browse_views` times without buying
    browse_views: int = Field(2, ge=1)
    replenish: Share = 0.6  # ... when a replenishment falls due (from 0.9 of the cycle to 1.5 cycles)
    decay_days: Positive = 2.0  # intent level x exp(-age / decay_days); an organic purchase consumes it
    window_days: int = Field(7, ge=1)  # triggers older than this are forgotten
    open_boost: float = Field(0.4, ge=0.0)  # p_open x (1 + open_boost * intent)
    click_boost: float = Field(1.5, ge=0.0)  # p_click x (1 + click_boost * intent)
    order_boost: float = Field(5.0, ge=0.0)  # p_order x (1 + order_boost * intent)
    off_target: Share = 0.3  # share of the intent an offer scoped to another category still meets
    anyway: Share = 0.12  # chance that full intent turns into an organic order within the redeem window


class Relevance(Strict):
    """An offer scoped to categories moves a member by how much they like them: the response is
    multiplied by (taste share x categories) ** exponent, within [floor, cap]; unscoped offers by 1."""

    exponent: Positive = 0.45
    floor: Positive = 0.1
    cap: Positive = 3.0


class BasketLift(Strict):
    """Items a message adds to the order it leads to, as a share of the basket's value."""

    bundle: Share = 0.25  # a bundle offer
    suggestion: Share = 0.1  # products named in the message (complements, cross-sell)
    # A member spends about what they usually do: products the sender chose that cost more than the
    # member's usual basket are bought (usual / offered) ** price_reach as often.
    price_reach: float = Field(0.7, ge=0.0)


class Lasting(Strict):
    """Effects beyond the order itself, valued at their expectation when their cause happens."""

    winback_days: int = Field(60, ge=0)  # a lapsed member won back keeps their usual rhythm this long
    winback_keep: Share = 0.5  # ... with this chance (the rest lapse again at once)
    discount_expectation: Share = 0.1  # share of a price cut a member comes to expect on future orders, x s
    expectation_days: int = Field(90, ge=0)  # ... over this many days of their usual orders


class Response(Strict):
    """The hidden response model: what a contact does to a member. Seeding draws historical
    outcomes from it; the simulator scores policies against it. See `tools.world.response`."""

    open_rate: PerChannel
    click_rate: PerChannel
    order_rate: Share
    offer_sensitivity: float = Field(ge=0.0)
    lapsed_conversion: Share
    send_time_effect: Annotated[float, Field(ge=0.0, lt=1.0)]
    send_time_width_hours: Positive
    fatigue_per_contact: Annotated[float, Field(ge=0.0, lt=1.0)]
    fatigue_window_days: int = Field(ge=1)
    unsubscribe_rate: PerChannel
    complaint_rate: PerChannel
    unsubscribe_fatigue: float = Field(ge=0.0)
    cannibalisation: Share
    cannibalisation_window_days: int = Field(ge=1)
    own_order_redemption: Share
    redeem_window_days: int = Field(ge=1)
    reference_basket: Positive
    point_value: Positive
    perceived_value: PerceivedValue
    # The structure the simulator's yardstick needs (tools/world/response.py); defaults keep older files valid.
    fatigue_on_orders: Share = 0.5  # clicks and orders feel fatigue ** this (opens feel all of it)
    unsubscribe_value: Money = Money(email=6.0, sms=4.0, push=2.0)  # margin a channel's opt-out loses
    intent: Intent = Intent()
    relevance: Relevance = Relevance()
    basket_lift: BasketLift = BasketLift()
    lasting: Lasting = Lasting()


class BudgetsSpec(Strict):
    amount: dict[str, Positive]
    spent_share: Range

    @model_validator(mode="after")
    def _every_use_case(self) -> Self:
        expected = {u.value for u in UseCase}
        if set(self.amount) != expected:
            raise ValueError(f"amount needs exactly one entry per use case: {', '.join(sorted(expected))}")
        if not 0.0 <= self.spent_share.low <= self.spent_share.high <= 1.0:
            raise ValueError("spent_share must lie within 0 and 1")
        return self


class Expect(Strict):
    """Bounds the generated world must land in; the test suite checks them for every shipped file."""

    lapsed_share: Range
    abandoned_cart_share: Range
    gross_margin: Range
    top_decile_spend_share: Range
    specialist_share: Range


class Population(Strict):
    world: WorldSpec
    catalogue: CatalogueSpec
    members: MembersSpec
    traits: TraitsSpec
    behaviour: Behaviour
    contacts: ContactProgramme
    loyalty: LoyaltySpec
    inventory: InventorySpec
    market: Market
    response: Response
    budgets: BudgetsSpec
    expect: Expect


def load_population(path: Path) -> Population:
    """Read and validate a population file; any problem becomes one InvalidInput naming the field."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"population file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read population file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"population file {path} is not valid TOML: {exc}") from None
    try:
        return Population.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidInput(f"population file {path}: {where}: {message}{more}") from None
