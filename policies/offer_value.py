"""What an offer is worth, in money and in discount depth, computed for many proposals at once.

The rules price every incentive the same way, whoever proposed it:

- The *order* is the expected basket, or the minimum spend if that is higher (the member must
  spend it); its margin scales with it at the basket's margin rate.
- The *scope* of a price cut is the offer's SKUs at shelf price, one of each, when it names known
  SKUs (a bundle's list price); otherwise the whole order.
- *Depth* is the price cut over its scope: discount_pct for percent-off and bundles, the amount
  over the scope for amount-off. Points, free shipping and gifts have no depth.
- *Face value* is what redeeming costs the retailer: the price cut plus points (at the policy's
  point value), shipping and the gift's unit cost. *Cost* is the larger of face value and the
  proposal's own estimate, so understating the estimate cannot buy room under a limit.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from policies.model import Valuation
from policies.vocabulary import OfferType

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferTerms:
    """The offer-related columns of a batch, one entry per proposal."""

    offer_type: NDArray[np.str_]
    discount_pct: FloatArray  # NaN where the offer has none
    amount_off: FloatArray  # NaN where the offer has none
    points_multiplier: FloatArray  # NaN where the offer has none
    bonus_points: FloatArray  # 0 where the offer has none
    free_shipping: NDArray[np.bool_]
    min_spend: FloatArray  # 0 where the offer has none
    sku_list_value: FloatArray  # shelf price of the offer's known SKUs, one each; 0 if none
    gift_cost: FloatArray  # unit cost of the gift SKU; 0 if none or unknown
    stated_cost: FloatArray
    basket_value: FloatArray
    basket_margin: FloatArray


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferEconomics:
    order_value: FloatArray
    order_margin: FloatArray  # gross margin of the order at full price
    depth_pct: FloatArray
    price_cut: FloatArray
    face_value: FloatArray
    cost: FloatArray
    margin_after_pct: FloatArray  # margin after the offer's cost over what the member pays


def value_offers(terms: OfferTerms, valuation: Valuation) -> OfferEconomics:
    order_value = np.maximum(terms.basket_value, terms.min_spend)
    order_margin = terms.basket_margin * order_value / terms.basket_value
    scope_value = np.where(terms.sku_list_value > 0, terms.sku_list_value, order_value)

    is_percent = ~np.isnan(terms.discount_pct)  # percent-off, or a bundle with a discount
    is_amount = terms.offer_type == OfferType.AMOUNT_OFF
    amount_cut = np.minimum(np.nan_to_num(terms.amount_off), scope_value)
    percent = np.nan_to_num(terms.discount_pct)
    price_cut = np.where(is_percent, percent * scope_value / 100, np.where(is_amount, amount_cut, 0.0))
    # Taken straight from discount_pct where there is one, so a limit of exactly 15% is not
    # broken by floating-point round trips.
    depth_pct = np.where(is_percent, percent, 100 * price_cut / scope_value)

    extra_rate = np.nan_to_num(terms.points_multiplier - 1)
    points_cost = valuation.point_value * (
        terms.bonus_points + extra_rate * valuation.points_per_dollar * order_value
    )
    shipping_cost = np.where(terms.free_shipping, valuation.shipping_cost, 0.0)
    face_value = price_cut + points_cost + shipping_cost + terms.gift_cost
    cost = np.maximum(terms.stated_cost, face_value)

    paid = order_value - price_cut
    safe_paid = np.where(paid > 0, paid, 1.0)
    margin_after_pct = np.where(paid > 0, 100 * (order_margin - cost) / safe_paid, -100.0)

    return OfferEconomics(
        order_value=order_value,
        order_margin=order_margin,
        depth_pct=depth_pct,
        price_cut=price_cut,
        face_value=face_value,
        cost=cost,
        margin_after_pct=margin_after_pct,
    )
