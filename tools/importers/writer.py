"""Set-based writes shared by the importers: look up what is already there, insert only what is
new, with ids allocated up front so lines link to orders without a round trip per row.

Everything runs on the caller's connection inside its transaction: an import either lands whole
or not at all.
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.progress import Progress
from tools.storage import Category, Contact, Customer, Order, OrderLine, Outcome, Product, bulk_insert

LINE_CHUNK = 100_000


class ImportWriter:
    def __init__(self, conn: AsyncConnection, progress: Progress) -> None:
        self.conn = conn
        self.progress = progress
        self.inserted: dict[str, int] = {}
        self.already_present: dict[str, int] = {}

    async def _next_id(self, table: Table) -> int:
        return int(await self.conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1

    async def _ids_by(self, column, values: Iterable[str] | None = None) -> dict[str, int]:
        table = column.table
        rows = await self.conn.execute(select(column, table.c.id))
        found = {str(key): int(ident) for key, ident in rows}
        if values is not None:
            wanted = set(values)
            found = {k: v for k, v in found.items() if k in wanted}
        return found

    def _count(self, table: str, new: int, old: int) -> None:
        self.inserted[table] = self.inserted.get(table, 0) + new
        self.already_present[table] = self.already_present.get(table, 0) + old

    async def categories(self, frame: pd.DataFrame) -> dict[str, int]:
        """`frame`: name, department (one row per name). Returns name -> id for all of them."""
        existing = await self._ids_by(Category.__table__.c.name)
        new = frame.loc[~frame["name"].isin(list(existing))]
        start = await self._next_id(Category.__table__)
        ids = np.arange(start, start + len(new), dtype=np.int64)
        await bulk_insert(
            self.conn,
            Category.__table__,
            {
                "id": ids,
                "name": new["name"].to_numpy(object),
                "department": new["department"].to_numpy(object),
            },
        )
        self._count("categories", len(new), len(frame) - len(new))
        return existing | dict(zip(new["name"].tolist(), ids.tolist(), strict=True))

    async def products(self, frame: pd.DataFrame, category_ids: dict[str, int]) -> dict[str, int]:
        """`frame`: sku, name, category, product_type, brand, price, unit_cost, is_consumable."""
        existing = await self._ids_by(Product.__table__.c.sku)
        new = frame.loc[~frame["sku"].isin(list(existing))]
        start = await self._next_id(Product.__table__)
        ids = np.arange(start, start + len(new), dtype=np.int64)
        await bulk_insert(
            self.conn,
            Product.__table__,
            {
                "id": ids,
                "sku": new["sku"].to_numpy(object),
                "name": new["name"].str.slice(0, 200).to_numpy(object),
                "category_id": new["category"].map(category_ids).to_numpy(np.int64),
                "product_type": _nullable(new["product_type"].str.slice(0, 120)),
                "brand": _nullable(new["brand"].str.slice(0, 80)),
                "price": new["price"].to_numpy(float),
                "unit_cost": new["unit_cost"].to_numpy(float),
                "season": np.full(len(new), "all", dtype=object),
                "is_consumable": new["is_consumable"].to_numpy(bool),
                "full_price_only": np.zeros(len(new), dtype=bool),
            },
        )
        self._count("products", len(new), len(frame) - len(new))
        return existing | dict(zip(new["sku"].tolist(), ids.tolist(), strict=True))

    async def customers(self, frame: pd.DataFrame) -> dict[str, int]:
        """`frame`: external_id, joined_at, data_synced_at and optional demographic columns.

        Members already present keep everything but `data_synced_at`, which moves to this
        import's extraction time: that is what makes their profile fresh again."""
        existing = await self._ids_by(Customer.__table__.c.external_id)
        known = frame["external_id"].isin(list(existing))
        new = frame.loc[~known]
        start = await self._next_id(Customer.__table__)
        ids = np.arange(start, start + len(new), dtype=np.int64)
        n = len(new)
        columns = {
            "id": ids,
            "external_id": new["external_id"].to_numpy(object),
            "first_name": np.full(n, "", dtype=object),  # sources here carry no names
            "last_name": np.full(n, "", dtype=object),
            "locale": new["locale"].to_numpy(object),
            "time_zone": np.full(n, "UTC", dtype=object),
            "quiet_start_hour": np.full(n, 21, dtype=np.int64),
            "quiet_end_hour": np.full(n, 8, dtype=np.int64),
            "joined_at": new["joined_at"].to_numpy("datetime64[us]"),
            "data_synced_at": new["data_synced_at"].to_numpy("datetime64[us]"),
        }
        for optional in ("email", "postcode", "income_band", "birth_year", "household_size"):
            if optional in new:
                columns[optional] = _nullable(new[optional])
        await bulk_insert(self.conn, Customer.__table__, columns)
        old = frame.loc[known]
        if len(old):
            table = Customer.__table__
            await self.conn.execute(
                update(table)
                .where(table.c.id == bindparam("ident"))
                .values(data_synced_at=bindparam("synced")),
                [
                    {"ident": existing[e], "synced": s.to_pydatetime()}
                    for e, s in zip(old["external_id"], old["data_synced_at"], strict=True)
                ],
            )
        self._count("customers", n, len(old))
        return existing | dict(zip(new["external_id"].tolist(), ids.tolist(), strict=True))

    async def orders(self, orders: pd.DataFrame, lines: pd.DataFrame) -> dict[str, int]:
        """`orders`: external_id, customer_id, placed_at, channel, coupon_code, contact_id.
        `lines`: order (external id), product_id, quantity, unit_price, unit_cost, discount.
        Orders already present are skipped with all their lines. Totals are summed from the
        lines, so an order always equals its lines. Returns external id -> id of new orders."""
        existing = await self._ids_by(Order.__table__.c.external_id, orders["external_id"])
        new = orders.loc[~orders["external_id"].isin(list(existing))].reset_index(drop=True)
        lines = lines.loc[lines["order"].isin(new["external_id"])]
        start = await self._next_id(Order.__table__)
        order_ids = pd.Series(np.arange(start, start + len(new), dtype=np.int64), index=new["external_id"])
        line_order = order_ids.reindex(lines["order"]).to_numpy(np.int64)
        gross = np.round(lines["quantity"].to_numpy(float) * lines["unit_price"].to_numpy(float), 2)
        position = order_ids.index.get_indexer(lines["order"])
        subtotal = np.bincount(position, weights=gross, minlength=len(new))
        discount = np.bincount(position, weights=lines["discount"].to_numpy(float), minlength=len(new))
        self.progress.stage("orders", len(new))
        await bulk_insert(
            self.conn,
            Order.__table__,
            {
                "id": order_ids.to_numpy(),
                "external_id": new["external_id"].to_numpy(object),
                "customer_id": new["customer_id"].to_numpy(np.int64),
                "placed_at": new["placed_at"].to_numpy("datetime64[us]"),
                "channel": new["channel"].to_numpy(object),
                "subtotal": np.round(subtotal, 2),
                "discount_total": np.round(discount, 2),
                "total": np.round(subtotal - discount, 2),
                "coupon_code": _nullable(new["coupon_code"]),
                "contact_id": _nullable(new["contact_id"]),
            },
        )
        self.progress.advance(len(new))
        self.progress.stage("order lines", len(lines))
        line_start = await self._next_id(OrderLine.__table__)
        columns = {
            "id": np.arange(line_start, line_start + len(lines), dtype=np.int64),
            "order_id": line_order,
            "product_id": lines["product_id"].to_numpy(np.int64),
            "quantity": lines["quantity"].to_numpy(np.int64),
            "unit_price": lines["unit_price"].to_numpy(float),
            "unit_cost": lines["unit_cost"].to_numpy(float),
            "discount": lines["discount"].to_numpy(float),
        }
        for begin in range(0, len(lines), LINE_CHUNK):
            chunk = {name: values[begin : begin + LINE_CHUNK] for name, values in columns.items()}
            self.progress.advance(await bulk_insert(self.conn, OrderLine.__table__, chunk))
        self._count("orders", len(new), len(orders) - len(new))
        self._count("order_lines", len(lines), 0)
        return dict(zip(new["external_id"].tolist(), order_ids.tolist(), strict=True))

    async def order_ids(self, external_ids: Iterable[str]) -> dict[str, int]:
        return await self._ids_by(Order.__table__.c.external_id, external_ids)

    async def contacts(self, frame: pd.DataFrame) -> dict[str, int]:
        """`frame`: idempotency_key, customer_id, channel, campaign, sent_at. Returns key -> id."""
        existing = await self._ids_by(Contact.__table__.c.idempotency_key, frame["idempotency_key"])
        new = frame.loc[~frame["idempotency_key"].isin(list(existing))]
        start = await self._next_id(Contact.__table__)
        ids = np.arange(start, start + len(new), dtype=np.int64)
        n = len(new)
        sent = new["sent_at"].to_numpy("datetime64[us]")
        await bulk_insert(
            self.conn,
            Contact.__table__,
            {
                "id": ids,
                "idempotency_key": new["idempotency_key"].to_numpy(object),
                "customer_id": new["customer_id"].to_numpy(np.int64),
                "channel": new["channel"].to_numpy(object),
                "campaign": new["campaign"].to_numpy(object),
                "status": np.full(n, "sent", dtype=object),
                "attempts": np.ones(n, dtype=np.int64),
                "scheduled_at": sent,
                "sent_at": sent,
            },
        )
        self._count("contacts", n, len(frame) - n)
        return existing | dict(zip(new["idempotency_key"].tolist(), ids.tolist(), strict=True))

    async def outcomes(self, frame: pd.DataFrame) -> None:
        """`frame`: contact_id, customer_id, type, occurred_at, order_id, revenue, margin; at most
        one row per (contact_id, type), as the table requires."""
        table = Outcome.__table__
        present = set(await self.conn.execute(select(table.c.contact_id, table.c.type)))
        known = np.array(
            [(c, t) in present for c, t in zip(frame["contact_id"], frame["type"], strict=True)], dtype=bool
        )
        new = frame.loc[~known]
        start = await self._next_id(table)
        await bulk_insert(
            self.conn,
            table,
            {
                "id": np.arange(start, start + len(new), dtype=np.int64),
                "contact_id": new["contact_id"].to_numpy(np.int64),
                "customer_id": new["customer_id"].to_numpy(np.int64),
                "type": new["type"].to_numpy(object),
                "occurred_at": new["occurred_at"].to_numpy("datetime64[us]"),
                "order_id": _nullable(new["order_id"]),
                "revenue": new["revenue"].to_numpy(float),
                "margin": new["margin"].to_numpy(float),
            },
        )
        self._count("outcomes", len(new), int(known.sum()))


def _nullable(series: pd.Series) -> np.ndarray:
    """Object array with None where the value is missing (NaN would reach the database as NaN)."""
    values = series.astype(object).to_numpy(copy=True)
    values[pd.isna(series).to_numpy()] = None
    return values
