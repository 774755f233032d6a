"""The product's shared vocabulary: channels, use cases, offer types and tiers.

Plain enums with no behaviour, so every layer (storage, rules, agents, evals) can name the same
things without importing each other.
"""

from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    IN_APP = "in_app"
    IN_STORE = "in_store"


class UseCase(StrEnum):
    REACTIVATION = "reactivation"
    CART_ABANDONMENT = "cart_abandonment"
    UPSELL = "upsell"
    COMPETITIVE_RESPONSE = "competitive_response"


class OfferType(StrEnum):
    NONE = "none"  # a message with no incentive (reminder, new collection, recognition)
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"
    FREE_SHIPPING = "free_shipping"
    BONUS_POINTS = "bonus_points"
    POINTS_MULTIPLIER = "points_multiplier"
    BUNDLE = "bundle"
    EARLY_ACCESS = "early_access"
    GIFT = "gift"


class Tier(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class Tone(StrEnum):
    WARM = "warm"
    PLAYFUL = "playful"
    PREMIUM = "premium"


class EventType(StrEnum):
    VIEW = "view"
    SEARCH = "search"
    CART_ADD = "cart_add"
    CART_REMOVE = "cart_remove"
    CHECKOUT_START = "checkout_start"
    PURCHASE = "purchase"
    APP_OPEN = "app_open"
    STORE_VISIT = "store_visit"
    MESSAGE_OPEN = "message_open"
    MESSAGE_CLICK = "message_click"
    UNSUBSCRIBE = "unsubscribe"
    COMPLAINT = "complaint"


class OutcomeType(StrEnum):
    OPEN = "open"
    CLICK = "click"
    REDEEM = "redeem"
    ORDER = "order"
    UNSUBSCRIBE = "unsubscribe"
    COMPLAINT = "complaint"


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REVISE = "revise"
