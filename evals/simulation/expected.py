"""The yardstick: what a message is worth in expectation under the hidden model.

For every message a policy sends, the harness computes the member's chance of ordering because of
it (open × click × order, `tools.world.response`), at that moment (trigger intent, fatigue, send
time), with that offer (its value to this member, its relevance to their tastes, the price of the
products it names against their usual basket, the basket it leads to), net of what it costs:

    ev = P(order) × (1 - P(anyway)) × (basket margin × (1 + lift) - offer cost)      new orders
       - P(order) × P(anyway) × offer cost                                          would have bought anyway
       - P(open, no order) × P(own order while it is valid) × P(uses it) × offer cost   margin given away
       - P(opt-out) × the channel's value                                            unsubscribes, complaints
       + P(new order) × lapsed × P(stays) × the member's usual margin over winback_days   win-back
       - E[price cut redeemed] × discount_expectation × s × own orders over expectation_days

P(anyway) is how soon the member would have bought without it: 1 - (1 - cannibalisation) ×
exp(-own order rate × redeem window) × (1 - intent.anyway × intent). The realised responses
(`evals.simulation.responses`) draw from exactly these probabilities, so the expected figure is
the realised one without the dice: far less noise for the same worlds. The agents never see it.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from evals.simulation.environment import SimWorld
from evals.simulation.moments import Moments
from evals.simulation.responses import CHANNEL_INDEX, ProductIndex, SentOffer, offer_cost, offer_spec
from policies.model import Valuation
from policies.vocabulary import OfferType
from tools.world import Exposure, Probabilities

PRICE_OFFERS = (OfferType.PERCENT_OFF, OfferType.AMOUNT_OFF, OfferType.BUNDLE)


@dataclass(frozen=True)
class Expected:
    """One entry per message."""

    probabilities: Probabilities
    anyway: np.ndarray  # P(the member would have placed the order anyway)
    revenue: np.ndarray  # expected basket revenue of the order it leads to (lift included)
    margin: np.ndarray  # ... and its gross margin
    cut: np.ndarray  # expected price cut on that order
    cost: np.ndarray  # expected cost to the retailer of the offer on that order
    own_cost: np.ndarray  # expected cost of the offer used on an order the member places anyway
    own_redeemed: np.ndarray  # P(the offer is used on an order the member places anyway)
    opt_out: np.ndarray  # expected loss from unsubscribes and complaints
    winback: np.ndarray  # value of a lapsed member's return, given a new order
    taught: np.ndarray  # future margin lost per dollar of price cut redeemed (discount expectation)
    value: np.ndarray  # the expected incremental margin of the message
    hour_distance: np.ndarray  # hours between the send and the member's hidden preferred hour

    @property
    def ordered(self) -> np.ndarray:
        p = self.probabilities
        return p.open * p.click * p.order

    @property
    def redeemed(self) -> np.ndarray:
        """P(the message's offer is redeemed): on the order it leads to, or on one of the member's own."""
        return self.ordered + self.own_redeemed


@dataclass
class Valuer:
    world: SimWorld
    catalogue: ProductIndex
    valuation: Valuation
    line_price: np.ndarray  # (C,) mean list price of a category's products, by truth.category_id order
    line_margin: np.ndarray  # (C,) mean gross margin of one
    member_line_price: np.ndarray  # (N,) taste-weighted mean price of a line
    member_line_margin: np.ndarray  # (N,)
    extra_lines: float  # expected lines after the first (as the simulated basket draws them)

    @classmethod
    def build(cls, world: SimWorld, catalogue: ProductIndex, valuation: Valuation) -> "Valuer":
        truth = world.truth
        price = np.array(
            [
                catalogue.price[catalogue.by_category_id[int(c)]].mean()
                if int(c) in catalogue.by_category_id
                else catalogue.price.mean()
                for c in truth.category_id
            ]
        )
        margin = np.array(
            [
                (catalogue.price - catalogue.cost)[catalogue.by_category_id[int(c)]].mean()
                if int(c) in catalogue.by_category_id
                else (catalogue.price - catalogue.cost).mean()
                for c in truth.category_id
            ]
        )
        taste = np.asarray(truth.taste, dtype=float)
        taste = taste / taste.sum(axis=1, keepdims=True)
        mean_extra = world.population.behaviour.lines_per_order - 1
        # E[min(Poisson(mean), 2)]: the simulated basket adds at most two lines
        p0, p1 = np.exp(-mean_extra), mean_extra * np.exp(-mean_extra)
        extra = p1 + 2 * (1 - p0 - p1)
        return cls(world, catalogue, valuation, price, margin, taste @ price, taste @ margin, float(extra))

    def category_position(self, category_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.world.truth.category_id, category_ids)

    def value(self, offers: list[SentOffer], moments: Moments, recent: np.ndarray) -> Expected:
        world, truth, params = self.world, self.world.truth, self.world.response.params
        n = len(offers)
        member = np.searchsorted(truth.customer_id, [o.customer_id for o in offers])
        channel = np.array([CHANNEL_INDEX[o.channel] for o in offers])
        categories = [self._scoped(o) for o in offers]
        taste = np.asarray(truth.taste, dtype=float)
        taste = taste / taste.sum(axis=1, keepdims=True)
        n_categories = taste.shape[1]

        # relevance: the member's taste for the offer's categories against an even spread
        relevance = np.ones(n)
        in_scope = np.ones(n)  # P(an own order has something the offer applies to)
        lines = 1 + self.extra_lines
        for k, cats in enumerate(categories):
            if len(cats):
                share = float(taste[member[k], cats].sum())
                relevance[k] = world.response.relevance(np.array(share), len(cats), n_categories)
                in_scope[k] = 1 - (1 - share) ** lines

        # trigger intent the message meets: full when it is about the trigger's category or unscoped
        raw = moments.intent[member]
        target = moments.intent_category[member]
        meets = np.array(
            [
                (len(c) == 0) or (t >= 0 and bool(np.any(self.world.truth.category_id[c] == t)))
                for c, t in zip(categories, target, strict=True)
            ]
        )
        intent = raw * np.where(meets, 1.0, params.intent.off_target)

        hours = np.array(
            [
                self._hour_distance(o, int(truth.preferred_hour[m]))
                for o, m in zip(offers, member, strict=True)
            ]
        )
        perceived = np.array([world.response.perceived_value(offer_spec(o)) for o in offers])
        usual_revenue = self.member_line_price[member] * lines
        sku_price = np.array([self._sku_total(o) for o in offers])
        has_skus = sku_price > 0
        # the price of what a sender picked weighs on the order; what the member carted does not
        picked = has_skus & ~np.array([self._carted(o, moments) for o in offers], dtype=bool)
        exposure = Exposure(
            channel=channel,
            responsiveness=truth.channel_response[member, channel],
            hour_distance=hours,
            recent_contacts=recent,
            offer_value=perceived,
            price_sensitivity=truth.price_sensitivity[member],
            active=moments.active[member],
            intent=intent,
            relevance=relevance,
            price_ratio=np.where(picked, sku_price / np.maximum(usual_revenue, 0.01), 1.0),
        )
        p = world.response.probabilities(exposure)

        rate = moments.order_rate[member]
        window = params.redeem_window_days
        own_soon = 1 - np.exp(-rate * window)
        anyway = 1 - (1 - params.cannibalisation) * (1 - own_soon) * (1 - params.intent.anyway * raw)

        # the basket: the first line from the offer's categories (or the trigger's, or their tastes)
        first_price = self.member_line_price[member].copy()
        first_margin = self.member_line_margin[member].copy()
        for k, cats in enumerate(categories):
            if len(cats):
                first_price[k] = self.line_price[cats].mean()
                first_margin[k] = self.line_margin[cats].mean()
        base_revenue = np.where(
            has_skus, sku_price, first_price + self.extra_lines * self.member_line_price[member]
        )
        base_margin = np.where(
            has_skus,
            np.array([self._sku_margin(o) for o in offers]),
            first_margin + self.extra_lines * self.member_line_margin[member],
        )
        lift = np.array(
            [
                params.basket_lift.bundle
                if o.offer_type is OfferType.BUNDLE
                else params.basket_lift.suggestion
                if o.skus
                else 0.0
                for o in offers
            ]
        )
        revenue, margin = base_revenue * (1 + lift), base_margin * (1 + lift)
        priced = [
            self._cost(o, float(rev), float(sku))
            for o, rev, sku in zip(offers, revenue, sku_price, strict=True)
        ]
        cut = np.array([c for c, _ in priced])
        cost = np.array([c for _, c in priced])

        usual_margin = self.member_line_margin[member] * lines
        sensitivity = truth.price_sensitivity[member] / world.response.mean_price_sensitivity
        own_priced = [
            self._cost(o, float(r), 0.0, ships=True) for o, r in zip(offers, usual_revenue, strict=True)
        ]
        own_cut = np.array([c for c, _ in own_priced])
        own_cost_each = np.array([c for _, c in own_priced]) * in_scope
        incentive = np.array([o.has_incentive for o in offers])
        use = np.minimum(1.0, params.own_order_redemption * sensitivity)
        ordered = p.open * p.click * p.order
        held = np.where(incentive, p.open - ordered, 0.0)
        # a held offer is used only while it is valid: the world's redeem window or the offer's own
        # stated validity, whichever ends first
        valid_days = np.array(
            [
                window
                if o.valid_until is None
                else min(window, max((o.valid_until - o.sent_at).total_seconds(), 0.0) / 86_400)
                for o in offers
            ]
        )
        own_while_valid = 1 - np.exp(-rate * valid_days)
        own_redeemed = held * own_while_valid * use * in_scope
        own_cost = held * own_while_valid * use * own_cost_each

        unsub_value = np.array(params.unsubscribe_value.as_tuple())[channel]
        opt_out = (p.unsubscribe + (1 - p.unsubscribe) * p.complaint) * unsub_value
        lasting = params.lasting
        winback = np.where(
            moments.active[member],
            0.0,
            lasting.winback_keep
            * np.asarray(truth.purchase_rate, dtype=float)[member]
            / 365
            * lasting.winback_days
            * usual_margin,
        )
        price_offer = np.array([o.offer_type in PRICE_OFFERS for o in offers])
        # each dollar of price cut teaches a price-sensitive member to wait for the next one
        per_cut = lasting.discount_expectation * sensitivity * rate * lasting.expectation_days
        taught = np.where(price_offer, per_cut, 0.0)
        value = (
            ordered * (1 - anyway) * (margin - cost)
            - ordered * anyway * cost
            - own_cost
            - opt_out
            + ordered * (1 - anyway) * winback
            - taught * (ordered * cut + own_redeemed * own_cut)
        )
        return Expected(
            p,
            anyway,
            revenue,
            margin,
            cut,
            cost,
            own_cost,
            own_redeemed,
            opt_out,
            winback,
            taught,
            value,
            hours,
        )

    def _scoped(self, offer: SentOffer) -> np.ndarray:
        """Positions (in truth.category_id) of the categories an offer is scoped to."""
        names = list(offer.categories)
        if offer.skus:
            names += [
                self.catalogue.category_by_product[int(self.catalogue.product_id[k])]
                for k in self.catalogue.positions(offer.skus)
            ]
        ids = sorted(
            {self.catalogue.category_id_by_name[c] for c in names if c in self.catalogue.category_id_by_name}
        )
        return self.category_position(np.array(ids, dtype=np.int64)) if ids else np.array([], dtype=np.int64)

    def _carted(self, offer: SentOffer, moments: Moments) -> bool:
        """Whether every product the offer names is one the member put in a cart lately."""
        known = self.catalogue.positions(offer.skus)
        mine = moments.carted.get(offer.customer_id, frozenset())
        return bool(known) and all(int(self.catalogue.product_id[k]) in mine for k in known)

    def _sku_total(self, offer: SentOffer) -> float:
        known = self.catalogue.positions(offer.skus)[:3]
        return float(self.catalogue.price[known].sum()) if known else 0.0

    def _sku_margin(self, offer: SentOffer) -> float:
        known = self.catalogue.positions(offer.skus)[:3]
        return float((self.catalogue.price[known] - self.catalogue.cost[known]).sum()) if known else 0.0

    def _cost(
        self, offer: SentOffer, subtotal: float, sku_value: float, *, ships: bool = True
    ) -> tuple[float, float]:
        scope = sku_value if offer.skus and sku_value > 0 else subtotal
        return offer_cost(offer, subtotal, scope, self.valuation, ships=ships)

    def _hour_distance(self, offer: SentOffer, preferred: int) -> float:
        return hour_distance(offer.sent_at, self.catalogue.time_zone.get(offer.customer_id, "UTC"), preferred)


def hour_distance(sent_at: datetime, zone: str, preferred: int) -> float:
    local = sent_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    gap = abs(local.hour + local.minute / 60 - preferred)
    return min(gap, 24 - gap)
