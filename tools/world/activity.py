"""Lapsing and returning: each member's hidden active/lapsed state, month by month.

A two-state chain per member: an active member lapses with their churn hazard, a lapsed one comes
back with their return rate. Lapsed members neither order nor replenish; they still browse a
little and still receive messages, which is what reactivation works with.
"""

from dataclasses import dataclass

import numpy as np

from tools.world.members import Members
from tools.world.population import TraitsSpec
from tools.world.timeline import DAY, Timeline
from tools.world.traits import Traits


@dataclass(frozen=True)
class Activity:
    active: np.ndarray  # (N, periods) hidden state
    exposure: np.ndarray  # (N, periods) share of the period after the member joined


def simulate_activity(
    spec: TraitsSpec, traits: Traits, members: Members, clock: Timeline, rng: np.random.Generator
) -> Activity:
    n, periods = members.count, len(clock.periods)
    join_day = members.joined_at / DAY
    active = np.zeros((n, periods), dtype=bool)
    exposure = np.zeros((n, periods), dtype=np.float32)
    state = np.zeros(n, dtype=bool)
    for p, period in enumerate(clock.periods):
        existed = join_day < period.first_day
        joins_now = (join_day >= period.first_day) & (join_day < period.stop_day)
        u = rng.random(n)
        if p == 0:
            moved = u < spec.initially_active
        else:
            moved = np.where(state, u >= traits.churn_hazard, u < traits.return_rate)
        state = np.where(existed, moved, joins_now)
        active[:, p] = state
        exposure[:, p] = np.clip(
            (period.stop_day - np.maximum(join_day, period.first_day)) / period.days, 0, 1
        )
    return Activity(active=active, exposure=exposure)
