"""Each member's best local hour to be messaged: a posterior over the 24 hours, per member at once.

The signals are the local times at which the member acted of their own accord. Online and app
orders and hours of site or app activity (one signal per hour with any) are the cleanest: the
member chose the moment. Store orders are bounded by opening hours,
so they count for less. Opens and clicks are left out (`tools.profiles.engagement` makes the one
exception, a member whose answers cluster at one hour): a message is read soon after it arrives,
so their times repeat the retailer's own send schedule (measured on the simulated retailer, any
weight on them moved the estimate away from the member's hour).

With few signals a member's own times are noisy, so each member's estimate is shrunk toward the
hours of their segment (members who shop through the same channel): the posterior is

    log p(h | member) = log p_segment(h) + Σ_signals w_signal · log K(t_signal − h)

with K a wrapped Gaussian whose width is the spread of members' own times around their own
circular mean, mixed with a flat share for stray signals (a late browse, a lunchtime gift): both
measured from the data, robustly. Candidate hour h is scored at h:00, the moment a send for it
goes out (`tools.nba.timing.send_time`). p_segment is the distribution of the segment's members'
hours, fitted by maximum marginal likelihood (EM) over all its members' signals: the segment's
signal histogram alone is those hours blurred by the kernel, a prior too flat to pull a member
with two or three signals toward where the segment's members really are.
The answer is the send hour most likely to land within an hour of the member's: the hour whose
neighbourhood (h − 1, h, h + 1) holds the most posterior.
"""

from dataclasses import dataclass

import numpy as np

HOURS = np.arange(24)
# Signal weights, in orders' worth (see the module docstring for why they are ordered so).
ONLINE_ORDER_WEIGHT = 1.0
VISIT_WEIGHT = 1.0  # an hour with site or app activity: as freely chosen as an online order
STORE_ORDER_WEIGHT = 0.5
# Spread of a member's own times around their hour, hours: the bounds keep one tight or scattered
# history from making the kernel a spike or flat.
SPREAD_BOUNDS = (1.0, 4.0)
DEFAULT_SPREAD = 2.5
DEFAULT_STRAY = 0.15
MIN_SIGNALS_FOR_SPREAD = 3
STRAY_BOUNDS = (0.01, 0.5)
ON_TIME_HOURS = 1  # a send within this many hours of the member's hour is on time (issue 16)
SEGMENT_PSEUDO_COUNT = 24.0  # members' worth of everyone's hours in each segment's prior
# The segment prior's EM stops when no hour's share moves by more than this, or after so many steps.
PRIOR_EM_TOLERANCE = 1e-5
PRIOR_EM_STEPS = 50


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


def own_spread(signals: HourSignals, n: int) -> tuple[float, float]:
    """The pooled spread (hours) of members' signal times around their own circular mean, over
    members with enough signals, and the share of stray signals (anywhere in the day); defaults
    when too few members have enough."""
    member, hour, weight = signals.member, signals.hour, signals.weight
    count = np.bincount(member, minlength=n)
    enough = count[member] >= MIN_SIGNALS_FOR_SPREAD
    if enough.sum() < 2 * MIN_SIGNALS_FOR_SPREAD:
        return DEFAULT_SPREAD, DEFAULT_STRAY
    centre = _circular_mean(member, hour, weight, n)
    gap = circular_gap(hour[enough], centre[member[enough]])
    w = weight[enough]
    # Each member's mean is fitted to their own points, which shrinks the spread around it: the
    # usual k / (k − 1) correction, per signal.
    k = count[member[enough]]
    # Robust: the median absolute gap of a normal spread is 0.6745 σ; the stray signals (a late
    # browse, a gift bought at lunch) would inflate a root-mean-square.
    gap = gap * np.sqrt(k / (k - 1))
    order = np.argsort(gap)
    cumulative = np.cumsum(w[order])
    median = float(gap[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    spread = float(np.clip(median / 0.6745, *SPREAD_BOUNDS))
    # Beyond 3σ a normal spread leaves 0.27% of signals; a stray one lands there with the chance
    # that the rest of the day is beyond 3σ.
    beyond = float(np.sum(w * (gap > 3 * spread)) / np.sum(w))
    reach = max(1 - 6 * spread / 24, 0.05)
    return spread, float(np.clip((beyond - 0.0027) / (reach - 0.0027), *STRAY_BOUNDS))


@dataclass(frozen=True)
class HourPrior:
    """What every member's hour is shrunk toward, fitted once over the whole base (with the profile
    models), so one member's profile computed alone equals their row of the batch."""

    prior: np.ndarray  # segments x 24: each segment's distribution of hours
    spread: float  # hours: the kernel's width
    stray: float  # the share of signals that land anywhere in the day


def _log_kernel(hour: np.ndarray, spread: float, stray: float) -> np.ndarray:
    """Signals x hours: log-likelihood of each signal at each candidate hour, scored at h:00: a
    send for hour h goes out on the hour, so the member's moment should be then, not at h:30."""
    normal = np.exp(-(circular_gap(hour[:, None], HOURS[None, :]) ** 2) / (2 * spread**2))
    normal /= normal.sum(axis=1, keepdims=True)
    # A share of signals lands anywhere in the day: a heavy-tailed kernel keeps one stray signal
    # from outvoting several near the member's hour.
    return np.log((1 - stray) * normal + stray / 24)


def fit_hour_prior(signals: HourSignals, segment: np.ndarray, n: int, segments: int) -> HourPrior:
    """`segment[m]`: member m's segment, 0 <= segment < `segments`."""
    member, weight = signals.member.astype(np.int64), signals.weight
    if len(member) == 0:
        return HourPrior(np.full((segments, 24), 1 / 24), DEFAULT_SPREAD, DEFAULT_STRAY)
    spread, stray = own_spread(signals, n)
    log_kernel = _log_kernel(signals.hour, spread, stray)
    prior = _shrunk(_evidence(segment[member], weight, np.exp(log_kernel), segments))
    # EM from the smoothed signal histogram: each member's posterior over hours under the current
    # prior, summed per segment, is the next prior. Members with no signal say nothing here.
    evidence = _evidence(member, weight, log_kernel, n)
    likelihood = np.exp(evidence - evidence.max(axis=1, keepdims=True))
    signalled = np.bincount(member, minlength=n) > 0
    likelihood, seg = likelihood[signalled], segment[signalled]
    in_segment = (seg[None, :] == np.arange(segments)[:, None]).astype(float)  # segments x members
    for _ in range(PRIOR_EM_STEPS):
        posterior = prior[seg] * likelihood
        posterior /= posterior.sum(axis=1, keepdims=True)
        updated = _shrunk(in_segment @ posterior)
        converged = float(np.abs(updated - prior).max()) < PRIOR_EM_TOLERANCE
        prior = updated
        if converged:
            break
    return HourPrior(prior, spread, stray)


def _shrunk(counts: np.ndarray) -> np.ndarray:
    """Segments x 24 counts -> distributions, each shrunk toward everyone's by SEGMENT_PSEUDO_COUNT
    members' worth (a small segment is noisy too)."""
    everyone = counts.sum(axis=0, keepdims=True)
    counts = counts + everyone / max(float(everyone.sum()), 1e-9) * SEGMENT_PSEUDO_COUNT
    return counts / counts.sum(axis=1, keepdims=True)


def _evidence(member: np.ndarray, weight: np.ndarray, log_kernel: np.ndarray, n: int) -> np.ndarray:
    """Members x hours: the weighted sum of each member's signals' rows of `log_kernel` (their
    log-likelihood at each hour)."""
    weighted = weight[:, None] * log_kernel
    # One bincount per hour: far quicker than np.add.at over signals x hours.
    return np.stack([np.bincount(member, weights=weighted[:, h], minlength=n) for h in HOURS], axis=1)


def best_hours(signals: HourSignals, segment: np.ndarray, n: int, prior: HourPrior) -> np.ndarray:
    """Members (n) -> best local hour 0..23 to send at: the one whose hour either side holds the
    most posterior (the member's own signals against their segment's hours), as a send is on time
    within an hour of the member's (the most likely hour alone can sit at the edge of a spread
    posterior). A member with no signal gets their segment's hour."""
    log_kernel = _log_kernel(signals.hour, prior.spread, prior.stray)
    evidence = _evidence(signals.member.astype(np.int64), signals.weight, log_kernel, n)
    log_posterior = np.log(np.maximum(prior.prior[segment], 1e-12)) + evidence
    posterior = np.exp(log_posterior - log_posterior.max(axis=1, keepdims=True))
    on_time = sum(np.roll(posterior, shift, axis=1) for shift in range(-ON_TIME_HOURS, ON_TIME_HOURS + 1))
    return np.asarray(on_time).argmax(axis=1)
