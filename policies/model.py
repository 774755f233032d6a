"""The policy: a versioned set of rule blocks and the valuation constants the rules share.

The shape mirrors the policy file: `[max_discount.segment]` in TOML is `Policy.max_discount.segment`
here, and its path is the rule id. Every block is required, so a policy file says everything the
engine will enforce; nothing is filled in silently from code.
"""

from operator import attrgetter

from pydantic import BaseModel, ConfigDict, Field

from policies import rule_config as rc
from policies.retailer import Retailer
from policies.rule_ids import RuleId

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Valuation(BaseModel):
    """What non-price incentives are worth in money, so every offer has a face value."""

    model_config = _MODEL_CONFIG

    point_value: float = Field(gt=0, le=100)  # money per loyalty point when redeemed
    points_per_dollar: float = Field(ge=0, le=1_000)  # base earn rate
    shipping_cost: float = Field(ge=0, le=1_000)  # what free shipping costs the retailer per order


class MaxDiscountRules(BaseModel):
    model_config = _MODEL_CONFIG
    segment: rc.SegmentDiscountRule
    category: rc.CategoryDiscountRule
    full_price: rc.FullPriceDiscountRule


class MarginRules(BaseModel):
    model_config = _MODEL_CONFIG
    floor: rc.MarginFloorRule


class PointsRules(BaseModel):
    model_config = _MODEL_CONFIG
    top_tier: rc.TopTierPointsRule


class FrequencyRules(BaseModel):
    model_config = _MODEL_CONFIG
    daily_total: rc.DailyCapRule
    weekly_total: rc.WeeklyCapRule
    channel_weekly: rc.ChannelWeeklyCapRule
    channel_gap: rc.ChannelGapRule


class FatigueRules(BaseModel):
    model_config = _MODEL_CONFIG
    backoff: rc.FatigueRule


class ConsentRules(BaseModel):
    model_config = _MODEL_CONFIG
    channel: rc.ConsentRule
    opt_out: rc.OptOutRule


class QuietHoursRules(BaseModel):
    model_config = _MODEL_CONFIG
    local: rc.QuietHoursRule


class DuplicateRules(BaseModel):
    model_config = _MODEL_CONFIG
    cross_channel: rc.DuplicateOfferRule


class CartRules(BaseModel):
    model_config = _MODEL_CONFIG
    first_message_discount: rc.CartFirstMessageRule


class CostRules(BaseModel):
    model_config = _MODEL_CONFIG
    understated: rc.CostUnderstatedRule


class BudgetRules(BaseModel):
    model_config = _MODEL_CONFIG
    remaining: rc.BudgetRule


class InventoryRules(BaseModel):
    model_config = _MODEL_CONFIG
    available: rc.InventoryRule


class DataRules(BaseModel):
    model_config = _MODEL_CONFIG
    freshness: rc.FreshnessRule


class SmsRules(BaseModel):
    model_config = _MODEL_CONFIG
    length: rc.SmsLengthRule
    opt_out_text: rc.SmsOptOutRule


class ValidityRules(BaseModel):
    model_config = _MODEL_CONFIG
    bounds: rc.ValidityRule


class ScheduleRules(BaseModel):
    model_config = _MODEL_CONFIG
    horizon: rc.ScheduleRule


class ReviewRules(BaseModel):
    model_config = _MODEL_CONFIG
    high_value: rc.HighValueReviewRule


class FairnessRules(BaseModel):
    model_config = _MODEL_CONFIG
    discount_depth: rc.FairnessRule


class Policy(BaseModel):
    model_config = _MODEL_CONFIG

    version: str = Field(min_length=1, max_length=64)  # recorded on every verdict
    description: str = Field(default="", max_length=2_000)
    valuation: Valuation
    consent: ConsentRules
    quiet_hours: QuietHoursRules
    sms: SmsRules
    data: DataRules
    frequency: FrequencyRules
    fatigue: FatigueRules
    duplicate: DuplicateRules
    max_discount: MaxDiscountRules
    margin: MarginRules
    points: PointsRules
    cart: CartRules
    cost: CostRules
    budget: BudgetRules
    inventory: InventoryRules
    validity: ValidityRules
    schedule: ScheduleRules
    review: ReviewRules
    fairness: FairnessRules
    # Where copy may link, whose contact details it may carry, which languages are judged. Not a
    # rule block: a policy file without it gets the placeholder retailer (links to nothing real).
    retailer: Retailer = Field(default_factory=Retailer)

    def rule(self, rule_id: RuleId) -> rc.RuleConfig:
        """The configuration block of a rule: its id is its path in the policy."""
        config: rc.RuleConfig = attrgetter(rule_id)(self)
        return config
