"""How members respond to a contact: the propensity model behind the value of an action.

Priors encode common retail experience (reminders move a little, price levers move the price
sensitive, recognition moves full-price buyers); observed outcomes then rescale each lever
family's effect (`LearnedLift`), so offers that similar members redeemed rank higher. Nothing here
reads the simulator's hidden traits: only observed behaviour reaches the scorer.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from policies.vocabulary import Channel, OfferType, UseCase

# Share of members who see a message on each channel when we have no history for them.
# Untested channels start modest, so a channel the member demonstrably engages with wins.
REACH_PRIOR = {
    Channel.EMAIL: 0.22,
    Channel.SMS: 0.30,
    Channel.PUSH: 0.15,
    Channel.IN_APP: 0.10,
    Channel.IN_STORE: 0.05,
}
# Evidence weight of the prior, in messages: with few sends the member's own rate is shrunk toward it.
REACH_PRIOR_WEIGHT = 8.0
# An in-app message is seen only when the member opens the app: members who live in the app (the
# `app_native` segment: they order there or use it often) see it far more often than the average.
APP_NATIVE_IN_APP_REACH = 0.30
CONTACT_COST = {
    Channel.EMAIL: 0.01,
    Channel.SMS: 0.08,
    Channel.PUSH: 0.005,
    Channel.IN_APP: 0.0,
    Channel.IN_STORE: 0.0,
}
# How much a message on each channel intrudes, scaling the fatigue penalty.
INTRUSIVENESS = {
    Channel.EMAIL: 1.0,
    Channel.SMS: 2.5,
    Channel.PUSH: 1.5,
    Channel.IN_APP: 0.5,
    Channel.IN_STORE: 0.3,
}


@dataclass(frozen=True)
class ResponsePriors:
    """Conversion among members who saw the message, before price sensitivity is applied."""

    reminder: dict[UseCase, float] = field(
        default_factory=lambda: {
            UseCase.REACTIVATION: 0.05,
            UseCase.CART_ABANDONMENT: 0.14,
            UseCase.UPSELL: 0.05,
            UseCase.COMPETITIVE_RESPONSE: 0.04,
        }
    )
    price_ceiling: float = 0.40  # conversion a deep price cut approaches for a fully price-sensitive member
    price_scale_pct: float = 12.0  # depth at which 63% of that ceiling is reached (diminishing returns)
    points_effect: float = 0.06
    early_access_effect: float = 0.07
    free_shipping_effect: float = 0.08
    bundle_bonus: float = 0.04
    unsubscribe_base: float = 0.002  # per message, before pressure and intrusiveness
    channel_share_of_value: float = 0.05  # share of a member's yearly value our messages on one channel drive
    # How strongly a rival's discount pulls a fully price-sensitive member: assumed only where no
    # response is fitted; a fit measures it from the orders around past promotions
    # (`tools.nba.rival_pull`).
    competitor_pull: float = 0.8
    cart_price_barrier: float = 0.5  # price sensitivity an abandoned cart under a rival's promotion implies
    lapse_price_barrier: float = (
        0.5  # likewise a lapse from the member's rhythm while a rival discounts their category
    )
    cart_intent: float = 0.4  # P(buy the carted item from someone soon): what a rival can take


# Evidence weight of the priors' effect, in predicted message-led conversions: a Gamma prior of
# this shape, mean 1, on the multiplier. Priors from general retail experience deserve a few
# conversions' worth of trust, not dozens: 1.5 observed against 13.9 predicted must pull the
# multiplier well below 0.5 within one two-week campaign.
LIFT_PRIOR_WEIGHT = 4.0
# Wide enough to learn a 10x over-estimate (0.1) or a 5x under-estimate; the floor keeps a lever
# that has not yet converted from being switched off outright.
LIFT_BOUNDS = (0.05, 5.0)


@dataclass(frozen=True)
class LearnedLift:
    """Multipliers on the priors' message effect, learned from outcomes (1.0 = prior).

    Partially pooled: every message's outcome informs `overall`; a use case's factor is shrunk
    toward it, and an offer family's within the use case toward the use case's. A cell with no
    sends falls back to its parent, so evidence that the priors over-promise everywhere is used
    everywhere.
    """

    overall: float = 1.0
    by_use_case: dict[UseCase, float] = field(default_factory=dict)
    by_lever: dict[tuple[UseCase, OfferType], float] = field(default_factory=dict)
    # What the factors were learned from, (observed, predicted) per cell: what `sampled` draws on.
    evidence: dict[tuple[UseCase, OfferType], tuple[float, float]] = field(default_factory=dict)
    prior_weight: float = LIFT_PRIOR_WEIGHT

    def factor(self, family: OfferType, use_case: UseCase | None = None) -> float:
        if use_case is None:
            return self.overall
        return self.by_lever.get((use_case, family), self.by_use_case.get(use_case, self.overall))

    def sampled(self, rng: np.random.Generator) -> "LearnedLift":
        """One draw of every factor from its posterior, level by level as `learn_lift` pools them
        (Thompson sampling): a lever with little evidence varies a lot, a well-measured one hardly,
        so exploring tries the uncertain levers and leaves the known ones be."""
        return _pooled(
            self.evidence,
            self.prior_weight,
            lambda shape, rate: float(rng.gamma(shape, 1.0 / rate)) if shape > 0 else 0.0,
        )


def shrunk_reach(
    opens: np.ndarray, sends: np.ndarray, channel: Channel, prior: np.ndarray | float | None = None
) -> np.ndarray:
    """`prior`: per member, where more is known about them than the channel's average."""
    prior = REACH_PRIOR[channel] if prior is None else prior
    return (opens + REACH_PRIOR_WEIGHT * prior) / (sends + REACH_PRIOR_WEIGHT)


def learn_lift(
    observed: dict[tuple[UseCase, OfferType], tuple[float, float]], prior_weight: float = LIFT_PRIOR_WEIGHT
) -> LearnedLift:
    """`observed[(use case, family)] = (message-led conversions observed, conversions predicted)`.

    Conversions are counts, so with a Gamma(w, w) prior on the multiplier (mean `prior`, weight w in
    conversions) and Poisson counts, the posterior mean is (observed + w·prior) / (predicted + w).
    Each level's posterior is the next level's prior: overall from 1, use case from overall,
    family from use case.
    """
    if any(actual < 0 or expected < 0 for actual, expected in observed.values()):
        raise ValueError(f"conversions cannot be negative: {observed}")
    return _pooled(observed, prior_weight, lambda shape, rate: shape / rate)


def _pooled(
    observed: dict[tuple[UseCase, OfferType], tuple[float, float]],
    prior_weight: float,
    estimate: Callable[[float, float], float],
) -> LearnedLift:
    """The pooled factors, each from its Gamma(shape, rate) posterior by `estimate` (its mean, or a draw)."""
    low, high = LIFT_BOUNDS

    def shrunk(actual: float, expected: float, prior: float) -> float:
        return float(np.clip(estimate(actual + prior_weight * prior, expected + prior_weight), low, high))

    def total(cells: list[tuple[float, float]]) -> tuple[float, float]:
        return sum(a for a, _ in cells), sum(e for _, e in cells)

    overall = shrunk(*total(list(observed.values())), 1.0)
    by_use_case = {
        use_case: shrunk(*total([cell for (u, _), cell in observed.items() if u is use_case]), overall)
        for use_case in sorted({u for u, _ in observed})
    }
    by_lever = {
        key: shrunk(actual, expected, by_use_case[key[0]])
        for key, (actual, expected) in sorted(observed.items())
    }
    return LearnedLift(overall, by_use_case, by_lever, dict(observed), prior_weight)
