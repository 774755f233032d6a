"""KPIs per use case on the hand-built world (see world.py for the table the numbers come from)."""

import pytest

from tests.tools.reporting.world import PERIOD, build
from tools.reporting.kpis import ALL, kpis
from tools.reporting.period import Period
from tools.storage.db import Database


async def test_kpis_match_the_hand_counts(db: Database) -> None:
    await build(db)
    async with db.engine.connect() as conn:
        rows = {r.group: r for r in await kpis(conn, PERIOD)}
    assert list(rows) == ["reactivation", "upsell", ALL]  # the failed cart message is no row

    r = rows["reactivation"]  # messages c1-c3; orders 2 (c1) and 3 (c2)
    assert (r.contacts, r.offers, r.redemptions, r.conversions, r.unsubscribes) == (3, 2, 1, 2, 1)
    assert (r.orders, r.revenue, r.margin, r.discount, r.items) == (2, 150.0, 115.0, 10.0, 4)
    assert r.redemption_rate == 0.5 and r.conversion_rate == pytest.approx(2 / 3)
    assert r.unsubscribe_rate == pytest.approx(1 / 3)
    assert (r.aov, r.items_per_order, r.margin_per_order) == (75.0, 2.0, 57.5)
    assert r.category_penetration == 1.5  # member 1 bought shoes and socks, member 2 shoes

    u = rows["upsell"]
    assert (u.contacts, u.orders, u.revenue, u.margin, u.discount, u.redemption_rate) == (
        1,
        1,
        80.0,
        70.0,
        20.0,
        1.0,
    )

    a = rows[ALL]  # orders 1-7 (order 8 is before the period), every sent message
    assert (a.contacts, a.offers, a.redemptions, a.conversions, a.unsubscribes) == (4, 3, 2, 3, 1)
    assert (a.orders, a.revenue, a.margin, a.discount, a.items, a.buyers) == (7, 380.0, 290.0, 30.0, 12, 6)
    assert a.aov == pytest.approx(380 / 7) and a.category_penetration == pytest.approx(7 / 6)


async def test_an_empty_period_has_only_the_all_row_with_no_ratios(db: Database) -> None:
    await build(db)
    async with db.engine.connect() as conn:
        rows = await kpis(conn, Period.ending(PERIOD.since.replace(year=2025)))
    assert [r.group for r in rows] == [ALL]
    assert rows[0].orders == 0 and rows[0].aov is None and rows[0].redemption_rate is None
