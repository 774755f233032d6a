"""Stable identifiers of the policy rules.

A rule id is also the dotted path of the rule's block in the policy file (`max_discount.segment`
is configured under `[max_discount.segment]`), so a violation, the TOML that produced it and the
documentation all use one name. Ids are part of the product's contract: the guard, the evals and the
decision log refer to them, so rename one only with a migration.
"""

from enum import StrEnum


class RuleId(StrEnum):
    CONSENT_CHANNEL = "consent.channel"
    CONSENT_OPT_OUT = "consent.opt_out"
    QUIET_HOURS_LOCAL = "quiet_hours.local"
    SMS_LENGTH = "sms.length"
    SMS_OPT_OUT_TEXT = "sms.opt_out_text"
    DATA_FRESHNESS = "data.freshness"
    FREQUENCY_DAILY_TOTAL = "frequency.daily_total"
    FREQUENCY_WEEKLY_TOTAL = "frequency.weekly_total"
    FREQUENCY_CHANNEL_WEEKLY = "frequency.channel_weekly"
    FREQUENCY_CHANNEL_GAP = "frequency.channel_gap"
    FATIGUE_BACKOFF = "fatigue.backoff"
    DUPLICATE_CROSS_CHANNEL = "duplicate.cross_channel"
    MAX_DISCOUNT_SEGMENT = "max_discount.segment"
    MAX_DISCOUNT_CATEGORY = "max_discount.category"
    MAX_DISCOUNT_FULL_PRICE = "max_discount.full_price"
    MARGIN_FLOOR = "margin.floor"
    POINTS_TOP_TIER = "points.top_tier"
    CART_FIRST_MESSAGE_DISCOUNT = "cart.first_message_discount"
    COST_UNDERSTATED = "cost.understated"
    BUDGET_REMAINING = "budget.remaining"
    INVENTORY_AVAILABLE = "inventory.available"
    VALIDITY_BOUNDS = "validity.bounds"
    SCHEDULE_HORIZON = "schedule.horizon"
    REVIEW_HIGH_VALUE = "review.high_value"
    FAIRNESS_DISCOUNT_DEPTH = "fairness.discount_depth"
