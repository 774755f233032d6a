"""The incentives each use case may use, cheapest first (DESIGN §5: discounts are the last lever).

A lever is an offer shape without a member; the scorer prices it for each member and channel.
"""

from dataclasses import dataclass

from policies.vocabulary import OfferType, UseCase

PRICE_TYPES = frozenset({OfferType.PERCENT_OFF, OfferType.AMOUNT_OFF, OfferType.BUNDLE})


@dataclass(frozen=True)
class Lever:
    key: str
    offer_type: OfferType
    discount_pct: float = 0.0
    amount_off: float = 0.0
    points_multiplier: float = 0.0
    bonus_points: int = 0
    free_shipping: bool = False

    @property
    def is_price(self) -> bool:
        return self.offer_type in PRICE_TYPES

    @property
    def is_nothing(self) -> bool:
        return self.key == "do_nothing"


DO_NOTHING = Lever("do_nothing", OfferType.NONE)
MESSAGE_ONLY = Lever("message_only", OfferType.NONE)  # reminder, new collection, recognition
EARLY_ACCESS = Lever("early_access", OfferType.EARLY_ACCESS)
FREE_SHIPPING = Lever("free_shipping", OfferType.FREE_SHIPPING, free_shipping=True)
DOUBLE_POINTS = Lever("double_points", OfferType.POINTS_MULTIPLIER, points_multiplier=2.0)
BONUS_200 = Lever("bonus_200", OfferType.BONUS_POINTS, bonus_points=200)
BONUS_500 = Lever("bonus_500", OfferType.BONUS_POINTS, bonus_points=500)
PCT_5 = Lever("pct_5", OfferType.PERCENT_OFF, discount_pct=5.0)
PCT_10 = Lever("pct_10", OfferType.PERCENT_OFF, discount_pct=10.0)
PCT_15 = Lever("pct_15", OfferType.PERCENT_OFF, discount_pct=15.0)
PCT_20 = Lever("pct_20", OfferType.PERCENT_OFF, discount_pct=20.0)
AMOUNT_10 = Lever("amount_10", OfferType.AMOUNT_OFF, amount_off=10.0)
AMOUNT_15 = Lever("amount_15", OfferType.AMOUNT_OFF, amount_off=15.0)
BUNDLE_10 = Lever("bundle_10", OfferType.BUNDLE, discount_pct=10.0)

LEVERS: dict[UseCase, tuple[Lever, ...]] = {
    UseCase.REACTIVATION: (
        MESSAGE_ONLY,
        EARLY_ACCESS,
        BONUS_500,
        DOUBLE_POINTS,
        FREE_SHIPPING,
        PCT_10,
        PCT_15,
        PCT_20,
    ),
    UseCase.CART_ABANDONMENT: (
        MESSAGE_ONLY,
        FREE_SHIPPING,
        DOUBLE_POINTS,
        BUNDLE_10,
        PCT_5,
        PCT_10,
        AMOUNT_10,
        AMOUNT_15,
    ),
    UseCase.UPSELL: (MESSAGE_ONLY, DOUBLE_POINTS, BONUS_200, BUNDLE_10, FREE_SHIPPING, PCT_10),
    UseCase.COMPETITIVE_RESPONSE: (
        MESSAGE_ONLY,
        EARLY_ACCESS,
        DOUBLE_POINTS,
        FREE_SHIPPING,
        PCT_5,
        PCT_10,
        AMOUNT_15,
        PCT_15,
    ),
}
