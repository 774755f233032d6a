"""Each shipped population lands inside its own `[expect]` bounds, measured on the database."""

import asyncio
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from tests.tools.world.conftest import DEFAULT, FASHION, GROCER, PET_PHARMACY, Seeded, seed_sqlite
from tools.storage.db import database
from tools.storage.models import Order, OrderLine, Product
from tools.world.population import Range
from tools.world.summary import WorldSummary, world_summary


async def _measure(seeded: Seeded) -> tuple[WorldSummary, float, float]:
    store = database(seeded.url)
    try:
        summary = await world_summary(store, seeded.population.world.lapsed_after_days)
        async with store.session() as session:
            spend = np.array(
                (await session.scalars(select(func.sum(Order.total)).group_by(Order.customer_id))).all(),
                dtype=float,
            )
            per_category = (
                await session.execute(
                    select(Order.customer_id, Product.category_id, func.count())
                    .join(OrderLine, OrderLine.order_id == Order.id)
                    .join(Product, Product.id == OrderLine.product_id)
                    .group_by(Order.customer_id, Product.category_id)
                )
            ).all()
    finally:
        await store.dispose()
    spend = np.sort(spend)[::-1]
    top_decile = spend[: max(1, len(spend) // 10)].sum() / spend.sum()
    member = np.array([r[0] for r in per_category])
    lines = np.array([r[2] for r in per_category], dtype=float)
    total = np.bincount(member, weights=lines)
    top = np.zeros_like(total)
    np.maximum.at(top, member, lines)
    buyers = total >= 5
    return summary, float(top_decile), float((top[buyers] / total[buyers] >= 0.5).mean())


def _inside(value: float, bounds: Range) -> bool:
    return bounds.low <= value <= bounds.high


@pytest.mark.parametrize(
    "population",
    [DEFAULT, GROCER, FASHION, PET_PHARMACY],
    ids=["default", "value_grocer", "fashion", "pet_pharmacy"],
)
def test_world_lands_inside_its_expected_bounds(tmp_path: Path, population: Path) -> None:
    seeded = seed_sqlite(tmp_path, 1_500, 21, population)
    summary, top_decile, specialists = asyncio.run(_measure(seeded))
    expect = seeded.population.expect
    assert _inside(summary.lapsed_share, expect.lapsed_share), summary.lapsed_share
    assert _inside(summary.abandoned_cart_share, expect.abandoned_cart_share), summary.abandoned_cart_share
    assert _inside(summary.margin_rate, expect.gross_margin), summary.margin_rate
    assert _inside(top_decile, expect.top_decile_spend_share), top_decile
    assert _inside(specialists, expect.specialist_share), specialists
    assert (
        summary.members == 1_500
        and summary.departments >= 8
        and summary.categories >= 40
        and summary.skus >= 500
    )
    orders_per_member_year = summary.orders / summary.members * 12 / seeded.population.world.months
    assert 4 <= orders_per_member_year <= 30 and 1.5 <= summary.order_lines / summary.orders <= 4
