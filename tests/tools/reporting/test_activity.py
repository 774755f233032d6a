"""Offers per channel, guard rejections per rule and budget use on the hand-built world."""

from tests.tools.reporting.world import PERIOD, build
from tools.reporting.activity import BudgetUse, budget_use, offers_per_channel, rejections_by_rule
from tools.storage.db import Database


async def test_activity_counts(db: Database) -> None:
    await build(db)
    async with db.engine.connect() as conn:
        assert await offers_per_channel(conn, PERIOD) == {"email": 2, "sms": 1}  # c3 has no offer, c5 failed
        # Two rejections in March cite max_discount, one contact_pressure; the approval and the
        # February rejection do not count.
        assert await rejections_by_rule(conn, PERIOD) == {"max_discount": 2, "contact_pressure": 1}
        # The February upsell budget ends where the period starts: not overlapping.
        assert await budget_use(conn, PERIOD) == [
            BudgetUse(use_case="reactivation", amount=500.0, committed=30.0, discount=10.0),
            BudgetUse(use_case="upsell", amount=200.0, committed=20.0, discount=20.0),
        ]
