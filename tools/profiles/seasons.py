"""Purchase velocity by season over the last year: orders per 30 days spent in each season while
a member, with seasons by the member's hemisphere (from their time zone)."""

from functools import lru_cache

import numpy as np

from tools.profiles import groups
from tools.profiles.history import History
from tools.profiles.local_time import southern

SEASONS = ("winter", "spring", "summer", "autumn")
NORTHERN_SEASON_OF_MONTH = np.array([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0])  # Jan..Dec
MIN_EXPOSURE_DAYS = 30  # a season seen for less than a month says little about the member
YEAR = 365


def season_of(days: np.ndarray, in_south: np.ndarray) -> np.ndarray:
    month = (
        np.floor(days).astype("int64").astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    )
    northern = NORTHERN_SEASON_OF_MONTH[month]
    return np.where(in_south, (northern + 2) % 4, northern)


def velocity(history: History) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(orders per 30 days, members x SEASONS, NaN where the season was seen < 30 days),
    plus `season_peak_ratio`: the busiest season's velocity over the member's average."""
    n = len(history.members)
    now = np.floor(history.as_of)
    in_south = southern(history.members.time_zone)
    start = np.maximum(now - YEAR, np.floor(np.nan_to_num(history.members.joined, nan=now)))
    exposure = np.zeros((n, len(SEASONS)))
    for south in (False, True):
        rows = in_south == south
        if not rows.any():
            continue
        suffix = _days_left_by_season(float(now), south)
        offset = np.clip((start[rows] - (now - YEAR)).astype(np.int64), 0, YEAR - 1)  # day of the calendar
        seen = suffix[offset]
        exposure[rows] = np.where((start[rows] < now)[:, None], seen, 0.0)
    orders = history.orders
    recent = history.as_of - orders.at < YEAR
    member = orders.member[recent]
    season = season_of(orders.at[recent], in_south[member])
    k = len(SEASONS)
    counts = np.bincount(member.astype(np.int64) * k + season, minlength=n * k).reshape(n, k)
    rate = np.where(exposure >= MIN_EXPOSURE_DAYS, 30.0 * counts / np.maximum(exposure, 1.0), np.nan)
    seen_any = np.isfinite(rate).any(axis=1)
    peak = np.fmax.reduce(rate, axis=1)
    seen = np.maximum(np.isfinite(rate).sum(axis=1), 1)
    mean = np.where(seen_any, np.nan_to_num(rate).sum(axis=1) / seen, np.nan)
    return rate, {"season_peak_ratio": groups.ratio(peak, mean)}


@lru_cache(maxsize=16)
def _days_left_by_season(now: float, south: bool) -> np.ndarray:
    """For each day of the year before `now`: the days from it up to `now` spent in each season.
    The same for every member of a hemisphere, and a month lookup per day costs most of a
    single-member profile's season work: computed once per day asked."""
    calendar = now - YEAR + np.arange(YEAR)  # the year before as_of, one entry per day
    per_day = np.eye(len(SEASONS))[season_of(calendar, np.full(YEAR, south))]
    suffix = np.cumsum(per_day[::-1], axis=0)[::-1]
    suffix.flags.writeable = False  # shared between calls
    return suffix
