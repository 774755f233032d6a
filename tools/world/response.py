"""The hidden response model: what one message does to one member.

Seeding draws the world's historical outcomes from it, and the simulator scores policies against
the same function, so what agents can learn from history is what they will be judged on. All
parameters come from the population file's `[response]` section:

    p_open  = open_rate[ch] * r * time * fatigue * (1 + open_boost * i)           (capped at 0.98)
    p_click = click_rate[ch] * sqrt(r) * fatigue^f * (1 + click_boost * i)          given an open
    p_order = order_rate * (1 + offer_sensitivity * value * s) * lapse * relevance * reach
              * fatigue^f * (1 + order_boost * i)                                   given a click
    p_unsub = unsubscribe_rate[ch] * (1 + unsubscribe_fatigue * recent); complaints alike

where r is the member's hidden responsiveness on the channel over the population mean, s their
price sensitivity over the population mean, value the offer's perceived value as a share of a
basket (`perceived_value`), `time = 1 + send_time_effect * (2 * exp(-d^2 / 2w^2) - 1)` for d hours
between the local send time and the member's preferred hour, `fatigue = (1 - fatigue_per_contact)
** recent` for `recent` contacts in the last fatigue_window_days (f = `fatigue_on_orders`), and lapse
is 1 for active members, `lapsed_conversion` for lapsed ones. `i` is the member's trigger intent
met by the message (0 without one; `[response.intent]`) and `relevance` the offer's match to the
member's tastes (1 for an unscoped message; `[response.relevance]`, `ResponseModel.relevance`).
The seeded history meets intent and relevance as the simulator does: a cart reminder meets the cart's intent, a
message about a category the member's taste for it (`tools.world.contacts`). SMS opens happen (the member reads it) but are not tracked.
`reach` = min(1, usual / offered) ** price_reach for products the sender chose whose price is
`offered` against the member's `usual` basket (`[response.basket_lift]`): a member spends about
what they usually do, so naming dearer products does not buy a bigger order at the same odds (the
seeded history's messages name no products).
A share `cannibalisation` of offer-driven orders would have happened anyway. The simulator also
lets a member who opened an incentive apply it to an order of their own within
`redeem_window_days`, with probability min(1, own_order_redemption * s)
(`evals.simulation.own_orders`); seeding does not draw that yet.
"""

from dataclasses import dataclass

import numpy as np

from policies.vocabulary import OfferType
from tools.world.members import MESSAGE_CHANNELS
from tools.world.offers import OfferTemplateSpec
from tools.world.population import Population, Response


@dataclass(frozen=True)
class Exposure:
    """One entry per contact."""

    channel: np.ndarray  # index into MESSAGE_CHANNELS
    responsiveness: np.ndarray  # the member's hidden responsiveness on that channel
    hour_distance: np.ndarray  # hours (0-12) between local send time and the preferred hour
    recent_contacts: np.ndarray
    offer_value: np.ndarray
    price_sensitivity: np.ndarray
    active: np.ndarray
    intent: np.ndarray | None = None  # the trigger intent the message meets, 0-1 (None: none)
    relevance: np.ndarray | None = None  # the offer's match to the member's tastes (None: 1)
    price_ratio: np.ndarray | None = None  # named products' price over the member's usual basket (None: 1)


@dataclass(frozen=True)
class Probabilities:
    open: np.ndarray
    click: np.ndarray  # given an open
    order: np.ndarray  # given a click
    unsubscribe: np.ndarray
    complaint: np.ndarray


@dataclass(frozen=True)
class ResponseModel:
    params: Response
    mean_responsiveness: np.ndarray  # (3,) population mean per MESSAGE_CHANNELS
    mean_price_sensitivity: float
    points_per_dollar: int

    @classmethod
    def from_population(cls, population: Population) -> "ResponseModel":
        traits = population.traits
        return cls(
            params=population.response,
            mean_responsiveness=np.array([traits.channel_response[ch].mean for ch in MESSAGE_CHANNELS]),
            mean_price_sensitivity=traits.price_sensitivity.mean,
            points_per_dollar=population.loyalty.points_per_dollar,
        )

    def send_time_factor(self, hour_distance: np.ndarray) -> np.ndarray:
        width = self.params.send_time_width_hours
        closeness = np.exp(-(hour_distance**2) / (2 * width**2))
        return 1 + self.params.send_time_effect * (2 * closeness - 1)

    def relevance(self, share: np.ndarray, categories: int | np.ndarray, n_categories: int) -> np.ndarray:
        """A scoped offer's multiplier on orders: the member's taste `share` in its `categories`
        against an even spread over the world's `n_categories`."""
        r = self.params.relevance
        spread = share * n_categories / np.maximum(categories, 1)
        return np.asarray(np.clip(spread**r.exponent, r.floor, r.cap))

    def reach(self, price_ratio: np.ndarray) -> np.ndarray:
        """The multiplier on orders of a message naming products `price_ratio` times the member's
        usual basket: 1 up to it, falling as the price climbs past it."""
        dearer = np.maximum(np.asarray(price_ratio, dtype=float), 1.0)
        return np.asarray(dearer**-self.params.basket_lift.price_reach)

    def perceived_value(self, offer: OfferTemplateSpec) -> float:
        """What an offer is worth to the member, as a share of a reference basket."""
        p = self.params
        match offer.type:
            case OfferType.PERCENT_OFF | OfferType.BUNDLE:
                return (offer.discount_pct or 0.0) / 100
            case OfferType.AMOUNT_OFF:
                return (offer.amount_off or 0.0) / max(p.reference_basket, offer.min_spend)
            case OfferType.POINTS_MULTIPLIER:
                return ((offer.points_multiplier or 1.0) - 1) * self.points_per_dollar * p.point_value
            case OfferType.BONUS_POINTS:
                return (offer.bonus_points or 0) * p.point_value / max(p.reference_basket, offer.min_spend)
            case OfferType.FREE_SHIPPING:
                return p.perceived_value.free_shipping
            case OfferType.EARLY_ACCESS:
                return p.perceived_value.early_access
            case OfferType.GIFT:
                return p.perceived_value.gift
            case OfferType.NONE:
                return 0.0

    def probabilities(self, x: Exposure) -> Probabilities:
        p = self.params
        relative = x.responsiveness / self.mean_responsiveness[x.channel]
        fatigue = (1 - p.fatigue_per_contact) ** x.recent_contacts
        tired = fatigue**p.fatigue_on_orders
        intent = np.zeros(len(x.channel)) if x.intent is None else x.intent
        relevance = 1.0 if x.relevance is None else x.relevance
        reach = 1.0 if x.price_ratio is None else self.reach(x.price_ratio)
        opens = np.minimum(
            np.array(p.open_rate.as_tuple())[x.channel]
            * relative
            * self.send_time_factor(x.hour_distance)
            * fatigue
            * (1 + p.intent.open_boost * intent),
            0.98,
        )
        clicks = np.minimum(
            np.array(p.click_rate.as_tuple())[x.channel]
            * np.sqrt(relative)
            * tired
            * (1 + p.intent.click_boost * intent),
            0.9,
        )
        sensitivity = x.price_sensitivity / self.mean_price_sensitivity
        lapse = np.where(x.active, 1.0, p.lapsed_conversion)
        orders = np.minimum(
            p.order_rate
            * (1 + p.offer_sensitivity * x.offer_value * sensitivity)
            * lapse
            * relevance
            * reach
            * tired
            * (1 + p.intent.order_boost * intent),
            0.9,
        )
        pressure = 1 + p.unsubscribe_fatigue * x.recent_contacts
        return Probabilities(
            open=opens,
            click=clicks,
            order=orders,
            unsubscribe=np.minimum(np.array(p.unsubscribe_rate.as_tuple())[x.channel] * pressure, 0.5),
            complaint=np.minimum(np.array(p.complaint_rate.as_tuple())[x.channel] * pressure, 0.5),
        )
