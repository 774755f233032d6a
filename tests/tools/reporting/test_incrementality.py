"""Treated vs. holdout on the hand-built world: one row per eligible member, Welch per use case."""

import pytest

from tests.tools.reporting.world import PERIOD, build
from tools.reporting.incrementality import holdout_comparison, member_outcomes
from tools.storage.db import Database


async def test_member_outcomes_count_orders_from_the_first_trigger(db: Database) -> None:
    await build(db)
    async with db.engine.connect() as conn:
        rows = sorted(await member_outcomes(conn, PERIOD))
    # Member 1's order of 2 March precedes the trigger (5 March): only order 2 counts.
    assert sorted((u, a, c, r, m) for u, a, c, r, m in rows if u == "reactivation") == sorted(
        [
            ("reactivation", "treatment", True, 100.0, 75.0),
            ("reactivation", "treatment", True, 50.0, 40.0),
            ("reactivation", "treatment", True, 0.0, 0.0),
            ("reactivation", "treatment", False, 30.0, 15.0),
            ("reactivation", "control", False, 40.0, 30.0),
            ("reactivation", "control", False, 0.0, 0.0),
            ("reactivation", "control", False, 0.0, 0.0),
        ]
    )


async def test_lift_per_use_case_by_hand(db: Database) -> None:
    await build(db)
    async with db.engine.connect() as conn:
        lifts = {u.use_case: u for u in await holdout_comparison(conn, PERIOD)}
    r = lifts["reactivation"]
    assert (r.eligible_treatment, r.contacted, r.holdout) == (4, 3, 3)
    # Revenue: contacted 100, 50, 0 (mean 50) vs holdout 40, 0, 0 (mean 13.33); see test_stats.
    assert r.revenue.difference == pytest.approx(36.667, abs=1e-3)
    assert (r.revenue.low, r.revenue.high) == (
        pytest.approx(-68.37, abs=0.01),
        pytest.approx(141.70, abs=0.01),
    )
    # Margin: 75, 40, 0 (mean 38.33) vs 30, 0, 0 (mean 10); totals over the 3 contacted members.
    assert r.margin.difference == pytest.approx(28.333, abs=1e-3)
    assert r.incremental_margin == pytest.approx(85.0) and r.incremental_revenue == pytest.approx(110.0)
    # Intent to treat adds member 4 (30 revenue, 15 margin, not messaged): means 45 and 32.5.
    assert r.eligible_revenue.difference == pytest.approx(31.667, abs=1e-3)
    assert r.eligible_margin.difference == pytest.approx(22.5)
    assert "too small" in (r.margin.note or "")

    u = lifts["upsell"]  # one member per arm: a difference but no interval, and it says why
    assert (u.contacted, u.holdout, u.margin.difference, u.margin.low) == (1, 1, 70.0, None)
    assert "too few members" in (u.margin.note or "")
