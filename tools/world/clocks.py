"""Members' local clocks: placing an event at a local hour, and reading the local hour of an instant."""

from dataclasses import dataclass

import numpy as np

from tools.world.geography import utc_offset_minutes
from tools.world.members import Members
from tools.world.timeline import DAY, HOUR, Timeline


@dataclass(frozen=True)
class LocalClocks:
    offsets: np.ndarray  # (regions, days) minutes ahead of UTC
    region: np.ndarray  # per member
    days: int

    @classmethod
    def build(cls, members: Members, clock: Timeline) -> "LocalClocks":
        return cls(utc_offset_minutes(members.regions, clock.first, clock.days), members.region, clock.days)

    def _offset_seconds(self, member: np.ndarray, day: np.ndarray) -> np.ndarray:
        return self.offsets[self.region[member], np.clip(day, 0, self.days - 1)].astype(np.int64) * 60

    def to_utc(self, member: np.ndarray, day: np.ndarray, local_seconds: np.ndarray) -> np.ndarray:
        """Seconds since the window start of `local_seconds` into local `day`, kept inside the window."""
        t = day.astype(np.int64) * DAY + local_seconds.astype(np.int64) - self._offset_seconds(member, day)
        return np.clip(t, 0, self.days * DAY - 1)

    def local_hour(self, member: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Local time of day, in fractional hours, of instants `t`."""
        local = t + self._offset_seconds(member, t // DAY)
        return np.mod(local, DAY) / HOUR

    def defer_quiet(
        self,
        member: np.ndarray,
        t: np.ndarray,
        quiet_start: np.ndarray,
        quiet_end: np.ndarray,
        jitter: np.ndarray,
    ) -> np.ndarray:
        """Instants moved out of the member's quiet hours, to quiet_end:00 plus `jitter` seconds."""
        hour = self.local_hour(member, t)
        start, end = quiet_start[member], quiet_end[member]
        # Quiet hours wrap midnight when start > end (21 -> 8); otherwise they sit inside one day.
        quiet = np.where(start > end, (hour >= start) | (hour < end), (hour >= start) & (hour < end))
        wait = np.mod(end - hour, 24) * HOUR
        return np.where(quiet, t + wait.astype(np.int64) + jitter, t)
