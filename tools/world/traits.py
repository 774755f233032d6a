"""Hidden traits: what actually drives each member, known only to the generator and the simulator.

They never reach the main database (see `tools.world.truth`): profiles and agents must infer them
from behaviour, and the simulator scores those inferences against them.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.catalogue import Catalogue, category_weights
from tools.world.members import MESSAGE_CHANNELS, Members
from tools.world.population import Population


@dataclass(frozen=True)
class Traits:
    price_sensitivity: np.ndarray  # (N,) 0 = never moved by price, 1 = buys only on deal
    taste: np.ndarray  # (N, C) share of a member's interest per category, rows sum to 1
    channel_response: np.ndarray  # (N, 3) per MESSAGE_CHANNELS, a Beta draw around the channel's mean
    preferred_hour: np.ndarray  # (N,) local hour the member shops and reads messages
    preferred_weekday: np.ndarray  # (N,) Monday = 0
    purchase_rate: np.ndarray  # (N,) orders a year while active, besides replenishment
    churn_hazard: np.ndarray  # (N,) monthly probability an active member lapses
    return_rate: np.ndarray  # (N,) monthly probability a lapsed member comes back
    replenish_category: np.ndarray  # (K,) consumable category indexes
    replenish_cycle: np.ndarray  # (N, K) days between replenishment orders; NaN: not a replenisher
    channel_mix: np.ndarray  # (N, 3) share of orders placed online, in the app, in store


def draw_traits(
    population: Population, members: Members, catalogue: Catalogue, rng: np.random.Generator
) -> Traits:
    spec = population.traits
    n = members.count
    ps = rng.beta(spec.price_sensitivity.alpha, spec.price_sensitivity.beta, n)
    # Lower-income members lean price sensitive; the rest of the variation is individual.
    ps = np.clip(ps - spec.income_shift * members.income_rank, 0.01, 0.99)

    weights = category_weights(population.catalogue, catalogue.category_department)
    # A small concentration makes most members specialists in a few categories.
    taste = rng.dirichlet(spec.taste_concentration * weights * len(weights), n)
    taste = (1 - spec.taste_floor) * taste + spec.taste_floor * weights

    response = np.column_stack(
        [
            rng.beta(spec.channel_response[ch].alpha, spec.channel_response[ch].beta, n)
            for ch in MESSAGE_CHANNELS
        ]
    )
    hours = spec.preferred_hour
    peak = np.array(hours.peaks)[
        rng.choice(len(hours.peaks), n, p=np.array(hours.weights) / sum(hours.weights))
    ]
    preferred_hour = np.mod(np.round(peak + rng.normal(0, hours.spread_hours, n)), 24).astype(np.int8)
    weekday_p = np.array(spec.preferred_weekday) / sum(spec.preferred_weekday)
    preferred_weekday = rng.choice(7, n, p=weekday_p).astype(np.int8)

    rate = spec.purchase_rate
    purchase_rate = rng.gamma(rate.shape, rate.mean / rate.shape, n)
    churn = rng.beta(spec.churn_hazard.alpha, spec.churn_hazard.beta, n)
    comeback = rng.beta(spec.return_rate.alpha, spec.return_rate.beta, n)

    consumables = catalogue.consumable_categories()
    rep = spec.replenishment
    replenisher = rng.random((n, len(consumables))) < np.clip(taste[:, consumables] * rep.affinity, 0, 1)
    cycle = catalogue.category_cycle_days[consumables] * rng.lognormal(
        0, rep.cycle_jitter, (n, len(consumables))
    )
    cycle = np.where(replenisher, cycle, np.nan)

    base = population.behaviour.channel_mix
    mix = np.array([base["online"], base["app"], base["store"]])
    channel_mix = rng.dirichlet(mix / mix.sum() * 8, n)
    channel_mix[~members.app_user, 1] = 0
    channel_mix /= channel_mix.sum(axis=1, keepdims=True)

    return Traits(
        price_sensitivity=ps.astype(np.float32),
        taste=taste.astype(np.float32),
        channel_response=response.astype(np.float32),
        preferred_hour=preferred_hour,
        preferred_weekday=preferred_weekday,
        purchase_rate=purchase_rate.astype(np.float32),
        churn_hazard=churn.astype(np.float32),
        return_rate=comeback.astype(np.float32),
        replenish_category=consumables.astype(np.int16),
        replenish_cycle=cycle.astype(np.float32),
        channel_mix=channel_mix.astype(np.float32),
    )
