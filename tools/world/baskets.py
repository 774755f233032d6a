"""What is in each order: lines, quantities, prices paid, discounts and coupons, and the totals.

The first line is what the order is for (the replenished consumable, the product a reminder was
about) or a draw from the member's taste in season; further lines are often complements of the
first (jacket, then gloves). Discounts come from three places: the coupon of the message that
prompted the order, a public coupon that price-sensitive members use, and promotions on lines,
deeper for items out of season. Full-price-only items are never discounted. Everything is in cents,
so every order equals the sum of its lines exactly.
"""

from dataclasses import dataclass

import numpy as np

from policies.vocabulary import OfferType
from tools.world.catalogue import Catalogue
from tools.world.contacts import Contacts
from tools.world.members import Members
from tools.world.offers import OFFER_INDEX, OFFER_TEMPLATES
from tools.world.orders import PROMPTED, REPLENISHMENT, Orders
from tools.world.picking import OPPOSITE, CategoryPicker, ComplementPicker, ProductPicker
from tools.world.population import Population
from tools.world.taxonomy import SEASONS
from tools.world.timeline import DAY, Timeline
from tools.world.traits import Traits

PUBLIC_COUPON = "PCT10"  # the code printed on receipts and shared around: used without any message
BUNDLE_LINES = 2  # a bundle discount needs at least this many lines


@dataclass(frozen=True)
class Baskets:
    # lines, grouped by order
    order: np.ndarray  # order index of each line
    product: np.ndarray
    quantity: np.ndarray
    unit_price: np.ndarray  # cents
    unit_cost: np.ndarray
    discount: np.ndarray
    # orders
    subtotal: np.ndarray
    discount_total: np.ndarray
    total: np.ndarray
    cost: np.ndarray
    coupon: np.ndarray  # index into OFFER_TEMPLATES of the coupon applied, -1 for none
    redeemed: np.ndarray  # the prompting contact's offer was redeemed


@dataclass(frozen=True)
class _Offer:
    template: np.ndarray  # index into OFFER_TEMPLATES of the prompting offer, -1 without one
    kind: np.ndarray  # object: OfferType per order, None without an offer
    pct: np.ndarray
    amount: np.ndarray  # cents
    min_spend: np.ndarray  # cents


def _prompting_offers(orders: Orders, contacts: Contacts) -> _Offer:
    n = orders.count
    template = np.full(n, -1)
    prompted = orders.kind == PROMPTED
    template[prompted] = contacts.offer[orders.contact[prompted]]

    def per_order(values: np.ndarray) -> np.ndarray:
        """The prompting template's value per order: index -1, "no offer", takes the last entry."""
        return values[template]

    return _Offer(
        template=template,
        kind=per_order(np.array([*(t.type for t in OFFER_TEMPLATES), None], dtype=object)),
        pct=per_order(np.array([*(t.discount_pct or 0.0 for t in OFFER_TEMPLATES), 0.0])),
        amount=per_order(np.array([*(round((t.amount_off or 0.0) * 100) for t in OFFER_TEMPLATES), 0])),
        min_spend=per_order(np.array([*(round(t.min_spend * 100) for t in OFFER_TEMPLATES), 0])),
    )


def fill_baskets(
    population: Population,
    orders: Orders,
    contacts: Contacts,
    traits: Traits,
    members: Members,
    catalogue: Catalogue,
    clock: Timeline,
    categories: CategoryPicker,
    products: ProductPicker,
    complements: ComplementPicker,
    rng: np.random.Generator,
) -> Baskets:
    b = population.behaviour
    n_orders = orders.count
    extra = np.where(orders.kind == REPLENISHMENT, b.replenishment_extra_lines, b.lines_per_order - 1)
    lines = 1 + rng.poisson(extra)
    order = np.repeat(np.arange(n_orders), lines)
    start = np.cumsum(lines) - lines
    first = np.arange(len(order)) == start[order]
    member = orders.member[order]
    when = orders.placed_at[order]
    season = clock.season_of_period()[clock.period_of_day()[when // DAY]]

    category = categories.pick(rng, member, season)
    focus = orders.focus_category[order]
    category = np.where(first & (focus >= 0), focus, category)
    complement = complements.pick(rng, category[start[order]])
    use_complement = ~first & (complement >= 0) & (rng.random(len(order)) < b.complement_share)
    category = np.where(use_complement, complement, category)
    ps = traits.price_sensitivity[member]
    product = products.pick(rng, category, ps, when)
    wanted = orders.focus_product[order]
    product = np.where(first & (wanted >= 0), wanted, product)

    consumable = catalogue.is_consumable[product]
    quantity = np.where(
        consumable, 1 + rng.poisson(0.2 * members.household_size[member]), 1 + (rng.random(len(order)) < 0.06)
    )
    price = catalogue.price_cents[product]
    gross = price * quantity
    eligible = ~catalogue.full_price_only[product]

    offer = _prompting_offers(orders, contacts)
    eligible_gross = np.bincount(order, weights=np.where(eligible, gross, 0), minlength=n_orders).astype(
        np.int64
    )
    can_discount = eligible_gross > 0  # an all-premium order takes no coupon
    relative_ps = traits.price_sensitivity[orders.member] / population.traits.price_sensitivity.mean
    public = (orders.kind != PROMPTED) & can_discount & (rng.random(n_orders) < b.coupon_rate * relative_ps)
    kind = offer.kind
    is_pct = can_discount & (
        (kind == OfferType.PERCENT_OFF) | ((kind == OfferType.BUNDLE) & (lines >= BUNDLE_LINES))
    )
    public_pct = OFFER_TEMPLATES[OFFER_INDEX[PUBLIC_COUPON]].discount_pct or 0.0
    coupon_pct = np.where(is_pct, offer.pct, np.where(public, public_pct, 0.0))

    opposite = np.array([SEASONS.index(OPPOSITE.get(s, "all")) for s in SEASONS])
    off_season = catalogue.season[product] == opposite[season]
    promo_p = (b.promo_rate + b.promo_sensitivity * ps) * np.where(off_season, b.off_season_promo_boost, 1.0)
    promo = rng.random(len(order)) < np.minimum(promo_p, 0.95)
    promo_pct = np.array(b.promo_depths, dtype=float)[rng.integers(0, len(b.promo_depths), len(order))]
    line_pct = np.where(coupon_pct[order] > 0, coupon_pct[order], np.where(promo, promo_pct, 0.0))
    discount = np.where(eligible, np.round(gross * line_pct / 100), 0).astype(np.int64)

    # Amount-off coupons: spread over eligible lines in proportion, remainder on each order's first one.
    amount_ok = (kind == OfferType.AMOUNT_OFF) & (eligible_gross >= np.maximum(offer.min_spend, offer.amount))
    takes = amount_ok[order] & eligible
    share = np.where(takes, np.floor(offer.amount[order] * gross / np.maximum(eligible_gross[order], 1)), 0)
    discount = np.where(takes, share.astype(np.int64), discount)
    remainder = offer.amount - np.bincount(order, weights=np.where(takes, discount, 0), minlength=n_orders)
    heads = np.unique(order[takes], return_index=True)[1]
    first_taker = np.flatnonzero(takes)[heads]
    discount[first_taker] += remainder[order[first_taker]].astype(np.int64)

    subtotal = np.bincount(order, weights=gross, minlength=n_orders).astype(np.int64)
    discount_total = np.bincount(order, weights=discount, minlength=n_orders).astype(np.int64)
    cost = np.bincount(order, weights=catalogue.cost_cents[product] * quantity, minlength=n_orders).astype(
        np.int64
    )
    total = subtotal - discount_total

    spend_ok = total >= offer.min_spend
    needs_spend = (
        (kind == OfferType.BONUS_POINTS) | (kind == OfferType.POINTS_MULTIPLIER) | (kind == OfferType.GIFT)
    )
    redeemed = (
        is_pct
        | amount_ok
        | (kind == OfferType.FREE_SHIPPING)
        | (kind == OfferType.EARLY_ACCESS)
        | (needs_spend & spend_ok)
    )
    coupon = np.where(redeemed, offer.template, np.where(public, OFFER_INDEX[PUBLIC_COUPON], -1))
    return Baskets(
        order=order,
        product=product,
        quantity=quantity.astype(np.int64),
        unit_price=price,
        unit_cost=catalogue.cost_cents[product],
        discount=discount,
        subtotal=subtotal,
        discount_total=discount_total,
        total=total,
        cost=cost,
        coupon=coupon,
        redeemed=redeemed,
    )
