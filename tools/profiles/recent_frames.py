"""Small profile frames computed after the whole-base one: the members a batch of decisions is
about (`ProfileService.prime`), or those with records dated since the newest frame
(`ProfileService.catch_up`). A member's newest row is one dict lookup away, however many frames
are kept.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from tools.profiles.frame import ProfileFrame


@dataclass
class RecentFrames:
    window: timedelta  # a frame is kept while it is at most this much older than the newest one
    _frames: list[ProfileFrame] = field(default_factory=list)  # oldest first
    _rows: dict[int, tuple[ProfileFrame, int]] = field(default_factory=dict)  # member -> newest frame, row

    def add(self, frame: ProfileFrame) -> None:
        """Keep `frame`, and drop the frames it makes useless: those more than `window` older, and
        any newer (a clock set back, as an evaluation does, starts over)."""
        kept = [f for f in self._frames if frame.as_of - self.window <= f.as_of <= frame.as_of]
        self._frames = [*kept, frame]
        self._rows = {
            member: (f, row)
            for f in self._frames
            for row, member in enumerate(f.history.members.customer_id.tolist())
        }

    def row(self, customer_id: int) -> tuple[ProfileFrame, int] | None:
        """The newest kept frame holding the member, and their row in it."""
        return self._rows.get(customer_id)
