"""The world's clock: a fixed window of history ending on the population's end date.

Inside the generator every instant is an int64 count of seconds since the window's first
midnight (UTC), which keeps arithmetic vectorised; `Timeline.datetimes` turns them into the naive
UTC datetimes the storage layer expects. Nothing here reads today's date.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from tools.world.taxonomy import SEASONS, season_of_month

DAY = 86_400
HOUR = 3_600


@dataclass(frozen=True)
class Month:
    """One calendar month overlapping the window (the first and last may be partial)."""

    first_day: int  # day index within the window
    stop_day: int  # exclusive
    month: int  # calendar month 1-12
    season: str
    month_start: int  # day index of the month's first day (before the window for a partial first month)
    month_days: int  # days in the calendar month

    @property
    def days(self) -> int:
        return self.stop_day - self.first_day

    @property
    def share_of_month(self) -> float:
        """The part of its month the period covers: a monthly rate times this is the period's rate."""
        return self.days / self.month_days


@dataclass(frozen=True)
class Timeline:
    first: date
    last: date  # inclusive: history runs to the end of this day, UTC
    periods: tuple[Month, ...]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def span(self) -> int:
        return self.days * DAY

    @property
    def epoch(self) -> np.datetime64:
        return np.datetime64(self.first, "s")

    def datetimes(self, seconds: np.ndarray) -> np.ndarray:
        return (self.epoch + seconds.astype("timedelta64[s]")).astype("datetime64[us]")

    def weekday(self, day: np.ndarray) -> np.ndarray:
        """Monday = 0, for window day indexes."""
        return (self.first.weekday() + day) % 7

    def period_of_day(self) -> np.ndarray:
        """Month index of every day of the window."""
        index = np.empty(self.days, dtype=np.int16)
        for p, period in enumerate(self.periods):
            index[period.first_day : period.stop_day] = p
        return index

    def month_shares(self) -> np.ndarray:
        """`Month.share_of_month` of every period."""
        return np.array([p.share_of_month for p in self.periods])

    def season_of_period(self) -> np.ndarray:
        return np.array([SEASONS.index(p.season) for p in self.periods], dtype=np.int8)


def timeline(end: date, months: int) -> Timeline:
    """The `months` calendar months of history that end with `end`."""
    year, month = divmod(end.year * 12 + end.month - 1 - months, 12)
    month += 1
    first = date(year, month, min(end.day, calendar.monthrange(year, month)[1])) + timedelta(days=1)
    periods: list[Month] = []
    cursor = first
    while cursor <= end:
        month_end = date(cursor.year, cursor.month, calendar.monthrange(cursor.year, cursor.month)[1])
        stop = min(month_end, end) + timedelta(days=1)
        periods.append(
            Month(
                (cursor - first).days,
                (stop - first).days,
                cursor.month,
                season_of_month(cursor.month),
                (cursor.replace(day=1) - first).days,
                month_end.day,
            )
        )
        cursor = stop
    return Timeline(first, end, tuple(periods))
