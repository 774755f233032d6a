"""Each member's best local hour to be messaged: a posterior over the 24 hours, per member at once.

The signals are the local times at which the member acted of their own accord. Online and app
orders are the cleanest: the member chose the moment. Store orders are bounded by opening hours,
so they count for less. Opens and clicks are left out: a message is read soon after it arrives,
so their times repeat the retailer's own send schedule (measured on the simulated retailer, any
weight on them moved the estimate away from the member's hour: 55% within an hour from orders
alone, 48% with opens at a tenth of an order's weight).

With few signals a member's own times are noisy, so each member's estimate is shrunk toward the
hours of their segment (members who shop through the same channel): the posterior is

    log p(h | member) = log p_segment(h) + Σ_signals w_signal · log K(t_signal − h)

with K a wrapped Gaussian whose width is the spread of members' own times around their own
circular mean, measured from the data, and p_segment the segment's smoothed signal histogram.
The answer is the hour of highest posterior; −1 for every member only when nobody has a signal.
"""

from dataclasses import dataclass

import numpy as np

HOURS = np.arange(24)
# Signal weights, in orders' worth (see the module docstring for why they are ordered so).
ONLINE_ORDER_WEIGHT = 1.0
STORE_ORDER_WEIGHT = 0.5
# Spread of a member's own times around their hour, hours: the bounds keep one tight or scattered
# history from making the kernel a spike or flat.
SPREAD_BOUNDS = (1.0, 4.0)
DEFAULT_SPREAD = 2.5
MIN_SIGNALS_FOR_SPREAD = 3


@dataclass(frozen=True)
class HourSignals:
    """One entry per signal: the member's position, the local hour as a fraction (0 ≤ h < 24)
    and its weight."""

    member: np.ndarray
    hour: np.ndarray
    weight: np.ndarray


def circular_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hours between two clock times, the short way round (0..12)."""
    gap = np.abs(np.mod(a, 24.0) - np.mod(b, 24.0))
    return np.minimum(gap, 24.0 - gap)


def _circular_mean(member: np.ndarray, hour: np.ndarray, weight: np.ndarray, n: int) -> np.ndarray:
    angle = hour / 24.0 * 2 * np.pi
    x = np.bincount(member, weights=weight * np.cos(angle), minlength=n)
    y = np.bincount(member, weights=weight * np.sin(angle), minlength=n)
    return np.mod(np.arctan2(y, x) / (2 * np.pi) * 24.0, 24.0)


def own_spread(signals: HourSignals, n: int) -> float:
    """The pooled spread (hours) of members' order times around their own circular mean, over
    members with enough signals; the default when too few members have."""
    member, hour, weight = signals.member, signals.hour, signals.weight
    count = np.bincount(member, minlength=n)
    enough = count[member] >= MIN_SIGNALS_FOR_SPREAD
    if enough.sum() < 2 * MIN_SIGNALS_FOR_SPREAD:
        return DEFAULT_SPREAD
    centre = _circular_mean(member, hour, weight, n)
    gap = circular_gap(hour[enough], centre[member[enough]])
    w = weight[enough]
    # Each member's mean is fitted to their own points, which shrinks the spread around it: the
    # usual k / (k − 1) correction, per signal.
    k = count[member[enough]]
    variance = float(np.sum(w * gap ** 2 * k / (k - 1)) / np.sum(w))
    return float(np.clip(np.sqrt(variance), *SPREAD_BOUNDS))


def best_hours(signals: HourSignals, segment: np.ndarray, n: int) -> np.ndarray:
    """Members (n) → best local hour 0..23 (−1 when no member has a signal). `segment[m]`:
    member m's segment (a small integer), the pool their hour is shrunk toward."""
    member, hour, weight = signals.member.astype(np.int64), signals.hour, signals.weight
    out = np.full(n, -1, dtype=np.int64)
    if len(member) == 0:
        return out
    spread = own_spread(HourSignals(member, hour, weight), n)
    # signals × hours: log-kernel of each signal at each candidate hour (hour h means h:00–h:59).
    log_kernel = -circular_gap(hour[:, None], HOURS[None, :] + 0.5) ** 2 / (2 * spread ** 2)
    evidence = np.zeros((n, 24))
    np.add.at(evidence, member, weight[:, None] * log_kernel)
    segments = int(segment.max()) + 1 if len(segment) else 1
    pooled = np.zeros((segments, 24))
    np.add.at(pooled, segment[member], weight[:, None] * np.exp(log_kernel))
    everyone = pooled.sum(axis=0, keepdims=True)
    # A segment's histogram is itself shrunk toward everyone's (a small segment is noisy too).
    pooled = pooled + everyone / max(float(everyone.sum()), 1e-9) * 24.0
    prior = pooled / pooled.sum(axis=1, keepdims=True)
    # A member with no signal of their own gets their segment's hour: the posterior is the prior.
    return (np.log(np.maximum(prior[segment], 1e-12)) + evidence).argmax(axis=1)
