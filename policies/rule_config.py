"""The configuration block of each rule, as read from the policy file.

Every block has `severity`, `message` and `enabled`, plus the rule's own parameters. The message is
a `str.format` template over the rule's facts (its `placeholders`); it is test-rendered when the
policy loads, so a typo in a template fails at load time, not when a proposal breaks the rule.
"""

from collections.abc import Mapping
from datetime import time
from string import Formatter
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from policies.fields import Label
from policies.violation import Fact, Severity
from policies.vocabulary import Channel, OfferType, Tier

_MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

Pct = Annotated[float, Field(ge=0, le=100)]
PositiveHours = Annotated[float, Field(gt=0, le=24 * 366)]
_UTC_SAMPLE = "2026-01-01T08:00:00Z"


class RuleConfig(BaseModel):
    model_config = _MODEL_CONFIG

    # Sample facts, one per placeholder the rule fills; used to validate the template at load.
    placeholders: ClassVar[Mapping[str, Fact]] = {}

    enabled: bool = True
    severity: Severity
    message: str = Field(min_length=1, max_length=1_000)

    @field_validator("message")
    @classmethod
    def _template_renders(cls, message: str) -> str:
        available = ", ".join(f"{{{name}}}" for name in cls.placeholders) or "none"
        try:
            names = {name for _, name, _, _ in Formatter().parse(message) if name is not None}
            if unknown := sorted(names - cls.placeholders.keys()):
                raise ValueError(f"unknown placeholder {{{unknown[0]}}}")
            message.format_map(cls.placeholders)  # catches format specs that do not fit the fact
        except (ValueError, KeyError, IndexError) as error:  # KeyError: a nested spec like {cost:{width}}
            raise ValueError(f"message template: {error}; available: {available}") from error
        return message

    def render(self, facts: Mapping[str, Fact]) -> str:
        return self.message.format_map(facts)


class SegmentDiscountRule(RuleConfig):
    placeholders = {"depth_pct": 25.0, "max_pct": 15.0, "segment": "discount_seeker"}

    default_pct: Pct  # for members in none of the listed segments
    limits: dict[Label, Pct] = {}  # a member in several listed segments gets the tightest


class CategoryDiscountRule(RuleConfig):
    placeholders = {"depth_pct": 25.0, "max_pct": 10.0, "category": "electronics"}

    limits: dict[Label, Pct] = {}  # categories not listed have no category limit


class FullPriceDiscountRule(RuleConfig):
    placeholders = {"depth_pct": 10.0, "max_pct": 0.0, "skus": "SKU-1, SKU-2"}

    max_pct: Pct


class MarginFloorRule(RuleConfig):
    placeholders = {"margin_pct": 8.5, "min_margin_pct": 15.0, "max_cost": 12.5}

    min_margin_pct: Annotated[float, Field(ge=-100, lt=100)]


class TopTierPointsRule(RuleConfig):
    placeholders = {"tier": "platinum", "multiplier": 2.0}

    tiers: frozenset[Tier] = Field(min_length=1)


class TotalCapRule(RuleConfig):
    placeholders = {"count": 2, "max_contacts": 2, "window_hours": 24.0}
    window_hours: ClassVar[float]

    max_contacts: int = Field(ge=1, le=1_000)
    counted_channels: frozenset[Channel] = Field(min_length=1)


class DailyCapRule(TotalCapRule):
    window_hours = 24.0


class WeeklyCapRule(TotalCapRule):
    window_hours = 7 * 24.0


class ChannelWeeklyCapRule(RuleConfig):
    placeholders = {"channel": "email", "count": 1, "max_contacts": 1}
    window_hours: ClassVar[float] = 7 * 24.0

    limits: dict[Channel, Annotated[int, Field(ge=0, le=1_000)]]  # channels not listed are not capped


class ChannelGapRule(RuleConfig):
    placeholders = {"channel": "sms", "gap_hours": 20.5, "min_hours": 24.0, "next_allowed": _UTC_SAMPLE}

    min_hours: dict[Channel, PositiveHours]  # channels not listed have no minimum gap


class FatigueRule(RuleConfig):
    placeholders = {"ignored": 3, "max_ignored": 3, "cooldown_days": 14.0, "next_allowed": _UTC_SAMPLE}

    max_consecutive_ignored: int = Field(ge=1, le=1_000)
    cooldown_days: float = Field(gt=0, le=366)


class ConsentRule(RuleConfig):
    placeholders = {"channel": "sms"}

    required_for: frozenset[Channel]


class OptOutRule(RuleConfig):
    placeholders = {"channel": "email"}


class SendWindow(BaseModel):
    """Local times a message may arrive, [send_from, send_until); it may wrap past midnight."""

    model_config = _MODEL_CONFIG

    send_from: time
    send_until: time

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.send_from.tzinfo is not None or self.send_until.tzinfo is not None:
            raise ValueError("send window times are local wall-clock times, without a UTC offset")
        if self.send_from == self.send_until:
            raise ValueError("send_from and send_until are equal; leave the channel out to allow any time")
        return self


class QuietHoursRule(RuleConfig):
    placeholders = {
        "channel": "sms",
        "local_time": "22:30",
        "time_zone": "Europe/London",
        "send_from": "08:00",
        "send_until": "21:00",
        "next_allowed": _UTC_SAMPLE,
    }

    windows: dict[Channel, SendWindow]  # channels not listed may be sent at any time


class DuplicateOfferRule(RuleConfig):
    placeholders = {"other_channel": "email", "other_sent_at": _UTC_SAMPLE, "window_hours": 168.0}

    window_hours: PositiveHours


class CartFirstMessageRule(RuleConfig):
    placeholders = {"step": 1, "offer_type": "percent_off", "allowed_from_step": 2}

    discount_allowed_from_step: int = Field(ge=1, le=10)
    sequence_window_hours: PositiveHours  # earlier cart messages within this window form the sequence
    discount_types: frozenset[OfferType]


class BudgetRule(RuleConfig):
    placeholders = {"cost": 40.0, "budget_remaining": 25.0, "use_case": "reactivation"}


class CostUnderstatedRule(RuleConfig):
    placeholders = {"estimated_cost": 2.0, "face_value": 7.5}

    tolerance: float = Field(ge=0, le=1_000)


class InventoryRule(RuleConfig):
    placeholders = {"skus": "SKU-1, SKU-2", "min_units": 1}

    min_available_units: int = Field(ge=1)


class FreshnessRule(RuleConfig):
    placeholders = {"data_age_hours": 72.0, "max_age_hours": 48.0, "profile_stale": "no"}

    max_age_hours: PositiveHours


class SmsLengthRule(RuleConfig):
    placeholders = {"length": 171, "max_length": 160, "encoding": "GSM-7"}

    max_gsm7_chars: int = Field(ge=1, le=1_600)
    max_unicode_chars: int = Field(ge=1, le=1_600)


class SmsOptOutRule(RuleConfig):
    placeholders = {"required_text": "Reply STOP to opt out"}

    required_text: str = Field(min_length=1, max_length=100)


class ValidityRule(RuleConfig):
    placeholders = {"valid_hours": 12.0, "usable_hours": 10.0, "min_hours": 24.0, "max_days": 30.0}

    min_hours: PositiveHours
    max_days: float = Field(gt=0, le=366)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_hours > self.max_days * 24:
            raise ValueError("min_hours is longer than max_days")
        return self


class ScheduleRule(RuleConfig):
    placeholders = {
        "send_at": _UTC_SAMPLE,
        "now": _UTC_SAMPLE,
        "max_past_minutes": 15.0,
        "max_ahead_days": 7.0,
    }

    max_past_minutes: float = Field(ge=0, le=24 * 60)
    max_ahead_days: float = Field(gt=0, le=366)


class HighValueReviewRule(RuleConfig):
    placeholders = {"cost": 80.0, "max_auto_cost": 50.0}

    max_auto_cost: float = Field(ge=0)


FairnessAttribute = Literal["postcode_group", "demographic_group"]


class FairnessRule(RuleConfig):
    placeholders = {
        "attribute": "postcode_group",
        "high_group": "N1",
        "high_depth_pct": 18.0,
        "low_group": "E9",
        "low_depth_pct": 9.5,
        "gap_pct_points": 8.5,
        "tolerance_pct_points": 5.0,
    }

    attributes: frozenset[FairnessAttribute] = Field(min_length=1)
    tolerance_pct_points: float = Field(gt=0, le=100)
    min_group_size: int = Field(ge=1)  # smaller groups are too noisy to compare
