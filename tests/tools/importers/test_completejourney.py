"""Complete Journey import: mapping, rejects with reasons, idempotency, --until, all-or-nothing."""

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from loyalty.cli.db import table_counts
from tests.tools.importers.cj_tables import tables
from tools.errors import InvalidInput
from tools.importers.completejourney import CompleteJourneyOptions, import_completejourney
from tools.importers.writer import ImportWriter
from tools.progress import Silent
from tools.storage.db import Database
from tools.storage.models import Category, Customer, Order, OrderLine, Outcome, Product

NOW = datetime(2026, 1, 1)


def options(tmp_path: Path, until: datetime | None = None) -> CompleteJourneyOptions:
    return CompleteJourneyOptions(now=NOW, until=until, rejects_path=tmp_path / "rejects.csv")


async def test_maps_households_products_baskets_and_campaigns(db: Database, tmp_path: Path) -> None:
    report = await import_completejourney(db, options(tmp_path), Silent(), tables())
    assert report.inserted["customers"] == 3
    assert report.inserted["orders"] == 6  # baskets 100, 101, 102, 201, 202, 300: 200 had no good line
    async with db.session() as session:
        member = await session.scalar(select(Customer).where(Customer.external_id == "1"))
        assert member.birth_year == 1967 and member.household_size == 5 and member.income_band == "50-74K"
        assert member.joined_at == datetime(2017, 1, 1)  # first record: the campaign it was sent
        basket = await session.scalar(select(Order).where(Order.external_id == "100"))
        assert basket.channel == "store" and basket.coupon_code == "555" and basket.contact_id is not None
        # shelf price = sales value + retail discount; all three discounts land on the line
        lines = (await session.scalars(select(OrderLine).where(OrderLine.order_id == basket.id))).all()
        assert sorted((row.quantity, row.unit_price, row.discount) for row in lines) == [
            (1, 2.5, 0.5),
            (2, 1.5, 1.0),
        ]
        assert basket.subtotal == 5.5 and basket.discount_total == 1.5 and basket.total == 4.0
        names = set(await session.scalars(select(Category.name)))
        assert names == {"BREAD", "MILK", "PRODUCE (uncategorised)", "FUEL"}
        # fuel's quantity is a meter reading: one unit at the line's value
        fuel = await session.scalar(select(Order).where(Order.external_id == "201"))
        fuel_lines = (await session.scalars(select(OrderLine).where(OrderLine.order_id == fuel.id))).all()
        assert [(line.quantity, line.unit_price) for line in fuel_lines] == [(1, 20.0)]
        assert await session.scalar(select(Product.product_type).where(Product.sku == "12")) == "MILK: 2%"
        redeemed = (await session.scalars(select(Outcome))).all()
        assert [(o.type, o.revenue) for o in redeemed] == [("redeem", 4.0)]


async def test_rejects_are_written_with_reasons(db: Database, tmp_path: Path) -> None:
    report = await import_completejourney(db, options(tmp_path), Silent(), tables())
    assert report.rejected == {
        ("transactions", "zero quantity"): 1,
        ("transactions", "product_id not in the product catalogue"): 1,
        ("coupon_redemptions", "redemption of a campaign the household was not sent"): 1,
    }
    rejects = pd.read_csv(tmp_path / "rejects.csv")
    assert len(rejects) == 3 and set(rejects.columns) >= {
        "source",
        "row",
        "reason",
        "basket_id",
        "coupon_upc",
    }
    assert rejects.loc[rejects["reason"] == "zero quantity", "row"].tolist() == [3]
    checks = {f.check.value for f in report.findings}
    assert {"impossible values", "missing values", "staleness", "assumption"} <= checks


async def test_running_twice_changes_nothing(db: Database, tmp_path: Path) -> None:
    await import_completejourney(db, options(tmp_path), Silent(), tables())
    before = await table_counts(db)
    again = await import_completejourney(db, options(tmp_path), Silent(), tables())
    assert not again.changed_anything
    assert await table_counts(db) == before


async def test_until_imports_only_the_past_and_a_later_run_adds_the_rest(
    db: Database, tmp_path: Path
) -> None:
    first = await import_completejourney(
        db, options(tmp_path, until=datetime(2017, 4, 1)), Silent(), tables()
    )
    assert first.inserted["orders"] == 4 and first.inserted["contacts"] == 2
    async with db.session() as session:
        assert await session.scalar(
            select(Customer.data_synced_at).where(Customer.external_id == "1")
        ) == datetime(2017, 4, 1)
    rest = await import_completejourney(db, options(tmp_path), Silent(), tables())
    assert (
        rest.inserted["orders"] == 2
        and rest.inserted["contacts"] == 1
        and rest.already_present["orders"] == 4
    )


async def test_until_in_the_future_is_refused(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is in the future"):
        await import_completejourney(db, options(tmp_path, until=datetime(2030, 1, 1)), Silent(), tables())


async def test_a_failure_leaves_nothing_behind(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self, frame):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ImportWriter, "outcomes", broken)
    with pytest.raises(RuntimeError):
        await import_completejourney(db, options(tmp_path), Silent(), tables())
    counts = await table_counts(db)
    assert all(counts[t] == 0 for t in ("customers", "products", "orders", "order_lines", "contacts"))
