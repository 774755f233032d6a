"""How members respond to a contact: the propensity model behind the value of an action.

Priors encode common retail experience (reminders move a little, price levers move the price
sensitive, recognition moves full-price buyers); observed outcomes then rescale each lever
family's effect (`LearnedLift`), so offers that similar members redeemed rank higher. Nothing here
reads the simulator's hidden traits: only observed behaviour reaches the scorer.
"""

from dataclasses import dataclass, field

import numpy as np

from policies.vocabulary import Channel, OfferType, UseCase

# Share of members who see a message on each channel when we have no history for them.
# Untested channels start modest, so a channel the member demonstrably engages with wins.
REACH_PRIOR = {Channel.EMAIL: 0.22, Channel.SMS: 0.30, Channel.PUSH: 0.15, Channel.IN_APP: 0.10, Channel.IN_STORE: 0.05}
# Evidence weight of the prior, in messages: with few sends the member's own rate is shrunk toward it.
REACH_PRIOR_WEIGHT = 8.0
# An in-app message is seen only when the member opens the app: members who live in the app (the
# `app_native` segment: they order there or use it often) see it far more often than the average.
APP_NATIVE_IN_APP_REACH = 0.30
CONTACT_COST = {Channel.EMAIL: 0.01, Channel.SMS: 0.08, Channel.PUSH: 0.005, Channel.IN_APP: 0.0, Channel.IN_STORE: 0.0}
# How much a message on each channel intrudes, scaling the fatigue penalty.
INTRUSIVENESS = {Channel.EMAIL: 1.0, Channel.SMS: 2.5, Channel.PUSH: 1.5, Channel.IN_APP: 0.5, Channel.IN_STORE: 0.3}


@dataclass(frozen=True)
class ResponsePriors:
    """Conversion among members who saw the message, before price sensitivity is applied."""

    reminder: dict[UseCase, float] = field(default_factory=lambda: {
        UseCase.REACTIVATION: 0.05, UseCase.CART_ABANDONMENT: 0.14,
        UseCase.UPSELL: 0.05, UseCase.COMPETITIVE_RESPONSE: 0.04,
    })
    price_ceiling: float = 0.40  # conversion a deep price cut approaches for a fully price-sensitive member
    price_scale_pct: float = 12.0  # depth at which 63% of that ceiling is reached (diminishing returns)
    points_effect: float = 0.06
    early_access_effect: float = 0.07
    free_shipping_effect: float = 0.08
    bundle_bonus: float = 0.04
    unsubscribe_base: float = 0.002  # per message, before pressure and intrusiveness
    channel_share_of_value: float = 0.05  # share of a member's yearly value our messages on one channel drive
    retained_share: float = 0.25  # of future margin a purchase by a lapsing member keeps (it resets their clock)
    competitor_pull: float = 0.8  # how strongly a rival's discount pulls a fully price-sensitive member
    cart_price_barrier: float = 0.5  # price sensitivity an abandoned cart under a rival's promotion implies
    lapse_price_barrier: float = 0.5  # likewise a lapse from the member's rhythm while a rival discounts their category
    cart_intent: float = 0.4  # P(buy the carted item from someone soon): what a rival can take


@dataclass(frozen=True)
class LearnedLift:
    """Multipliers on each offer family's prior effect, learned from outcomes (1.0 = prior)."""

    by_family: dict[OfferType, float] = field(default_factory=dict)

    def factor(self, family: OfferType) -> float:
        return self.by_family.get(family, 1.0)


def shrunk_reach(opens: np.ndarray, sends: np.ndarray, channel: Channel,
                 prior: np.ndarray | float | None = None) -> np.ndarray:
    """`prior`: per member, where more is known about them than the channel's average."""
    prior = REACH_PRIOR[channel] if prior is None else prior
    return (opens + REACH_PRIOR_WEIGHT * prior) / (sends + REACH_PRIOR_WEIGHT)


def learn_lift(observed: dict[OfferType, tuple[float, float]], prior_weight: float = 50.0) -> LearnedLift:
    """`observed[family] = (message-led conversions observed, conversions the model predicted)`.

    The multiplier is a shrunk ratio of what happened to what the priors expected, bounded so one
    noisy week cannot switch a lever off or make it dominate.
    """
    factors = {
        family: float(np.clip((actual + prior_weight) / (expected + prior_weight), 0.25, 4.0))
        for family, (actual, expected) in observed.items()
    }
    return LearnedLift(factors)
