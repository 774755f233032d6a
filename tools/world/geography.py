"""Where members live: regions with their time zone, locale, postcode ranges and clock rules.

UTC offsets come from the daylight-saving rules in force in Australia (since 2008) and New Zealand
(since 2007), evaluated per day, rather than from the machine's tz database: the world must be
byte-identical on every machine, including slim containers without one. The switch happens in
the small hours, so a per-day offset is off by an hour only for those hours on two days a year.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


@dataclass(frozen=True)
class Region:
    key: str
    time_zone: str
    locale: str
    standard_minutes: int
    dst_rule: str | None  # "au" or "nz"; None where clocks never change
    postcodes: tuple[tuple[int, int, float], ...]  # (first, last, weight) ranges


REGIONS: dict[str, Region] = {
    r.key: r
    for r in (
        Region(
            "NSW",
            "Australia/Sydney",
            "en-AU",
            600,
            "au",
            ((2000, 2234, 0.65), (2250, 2330, 0.15), (2335, 2599, 0.2)),
        ),
        Region("VIC", "Australia/Melbourne", "en-AU", 600, "au", ((3000, 3207, 0.75), (3211, 3996, 0.25))),
        Region(
            "QLD",
            "Australia/Brisbane",
            "en-AU",
            600,
            None,
            ((4000, 4207, 0.55), (4208, 4287, 0.15), (4300, 4899, 0.3)),
        ),
        Region("WA", "Australia/Perth", "en-AU", 480, None, ((6000, 6199, 0.8), (6200, 6797, 0.2))),
        Region("SA", "Australia/Adelaide", "en-AU", 570, "au", ((5000, 5199, 0.8), (5200, 5799, 0.2))),
        Region("TAS", "Australia/Hobart", "en-AU", 600, "au", ((7000, 7470, 1.0),)),
        Region("ACT", "Australia/Sydney", "en-AU", 600, "au", ((2600, 2617, 0.7), (2900, 2914, 0.3))),
        Region("NT", "Australia/Darwin", "en-AU", 570, None, ((800, 899, 1.0),)),
        Region(
            "NZ",
            "Pacific/Auckland",
            "en-NZ",
            720,
            "nz",
            ((600, 2699, 0.5), (5010, 6972, 0.25), (7600, 8999, 0.25)),
        ),
    )
}


def _first_sunday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7)


def _last_sunday_of_september(year: int) -> date:
    last = date(year, 9, 30)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _daylight_saving(rule: str, day: date) -> bool:
    ends = _first_sunday(day.year, 4)
    starts = _first_sunday(day.year, 10) if rule == "au" else _last_sunday_of_september(day.year)
    return day < ends or day >= starts


def utc_offset_minutes(regions: list[Region], first_day: date, days: int) -> np.ndarray:
    """Offsets (local minus UTC, minutes) as a (regions, days) int32 array."""
    offsets = np.empty((len(regions), days), dtype=np.int32)
    dates = [first_day + timedelta(days=i) for i in range(days)]
    for r, region in enumerate(regions):
        extra = [60 if region.dst_rule and _daylight_saving(region.dst_rule, d) else 0 for d in dates]
        offsets[r] = region.standard_minutes + np.asarray(extra, dtype=np.int32)
    return offsets
