"""Who a campaign may reach: a segment's members from the profile frame, without the use case's
holdout (control) group and without members whose profile is stale."""

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from policies.vocabulary import UseCase
from tools.decisions.holdout import Arm, ensure_arms
from tools.errors import NotFound
from tools.profiles import ProfileFrame
from tools.storage import Database, begin_write


@dataclass(frozen=True)
class Audience:
    rows: np.ndarray  # positions in the frame, ascending
    segment_size: int
    holdout: int  # members of the segment in the control arm: never contacted, measured against
    stale: int  # members of the segment whose data is too old to act on (DESIGN §6 data freshness)

    def __len__(self) -> int:
        return len(self.rows)


def segment_rows(frame: ProfileFrame, segment: str, every_member: str) -> np.ndarray:
    if segment == every_member:
        return np.arange(len(frame))
    if segment not in frame.segment_ids:
        raise NotFound(f"no segment {segment!r}; known: {every_member}, {', '.join(frame.segment_ids)}")
    return np.flatnonzero(frame.segments[:, frame.segment_ids.index(segment)])


async def select_audience(
    db: Database, frame: ProfileFrame, segment: str, every_member: str, use_case: UseCase, *, now: datetime
) -> Audience:
    rows = segment_rows(frame, segment, every_member)
    ids = frame.history.members.customer_id[rows]
    # Arms are stored the first time they are needed and never rewritten, so assigning them while
    # planning changes nothing a later plan or report would see differently.
    async with db.engine.begin() as conn:
        await begin_write(conn)
        arms = await ensure_arms(conn, use_case, ids.tolist(), now=now)
    control = np.array([arms.get(int(c)) is Arm.CONTROL for c in ids], dtype=bool)
    stale = frame.freshness.stale[rows] & ~control
    return Audience(
        rows=rows[~control & ~stale],
        segment_size=len(rows),
        holdout=int(control.sum()),
        stale=int(stale.sum()),
    )
