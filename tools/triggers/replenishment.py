"""Where the replenishment rule's expected purchase dates come from: the profiles.

Each member's regularly bought categories carry an expected next purchase date (see
`tools.profiles.predictions`); this turns the whole-base profile frame as of the moment into the
`ExpectedPurchase` rows the `replenishment_due` rule reads, set-based. With no orders yet there is
nothing to expect (and nothing to fit models on), so the source gives nothing rather than failing
the scheduler's pass.
"""

from datetime import datetime

import numpy as np
from sqlalchemy import select

from tools.errors import InvalidInput
from tools.profiles import ProfileService
from tools.storage import Category
from tools.triggers.evaluate import ExpectedPurchase, ReplenishmentSource


def expected_from_profiles(profiles: ProfileService) -> ReplenishmentSource:
    async def expected(now: datetime) -> list[ExpectedPurchase]:
        try:
            frame = await profiles.frame(now)
        except InvalidInput:  # no orders in the database, or `now` before any
            return []
        due = frame.predictions.replenishment
        if not len(due.category):
            return []
        async with profiles.db.session() as session:
            ids = dict((await session.execute(select(Category.name, Category.id))).all())
        category_ids = np.array([ids.get(str(name), -1) for name in frame.history.categories], dtype=np.int64)
        members = np.repeat(frame.history.members.customer_id, np.diff(due.offsets))
        categories = category_ids[due.category]
        known = (categories >= 0) & np.isfinite(due.next_day)
        days = np.floor(due.next_day[known]).astype(np.int64).astype("datetime64[D]").tolist()
        intervals = np.round(due.interval_days[known], 1).tolist()
        # model_construct: the values come typed from our own arrays; validating thousands is waste.
        return [
            ExpectedPurchase.model_construct(
                customer_id=int(m),
                category_id=int(c),
                expected_on=d,
                interval_days=float(i) if np.isfinite(i) else None,
            )
            for m, c, d, i in zip(
                members[known].tolist(), categories[known].tolist(), days, intervals, strict=True
            )
        ]

    return expected
