"""`loyalty import stock`: units on hand per SKU, for the inventory rule (no offer on what is out).

One row per SKU: `sku`, `on_hand` (whole units, 0 or more), and optionally `weekly_demand`
(units a week, for weeks of cover), `clearance` (true / false) and `updated_at` (when counted;
default now, never in the future). A row for an unknown SKU, or with a value that does not parse,
is refused with why. Newer wins: a count older than the stored one changes nothing, so running
the same file twice changes nothing. Accepted rows are written in one transaction.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.importers.row_files import (
    IN_QUERY,
    ImportSummary,
    RowRejects,
    ids_by_key,
    parse_field_map,
    read_rows,
    validated,
)
from tools.storage import Database, Inventory, Product, begin_write
from tools.time import to_storage

FIELDS = ("sku", "on_hand", "weekly_demand", "clearance", "updated_at")
REQUIRED = ("sku", "on_hand")


class StockRow(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str = Field(min_length=1, max_length=64)
    on_hand: int = Field(ge=0)
    weekly_demand: float = Field(0.0, ge=0)
    clearance: bool = False
    updated_at: datetime | None = None

    @field_validator("updated_at", mode="after")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else to_storage(value)


async def import_stock(
    db: Database,
    path: Path,
    column_map: Sequence[str],
    *,
    now: datetime,
    rejects_path: Path,
    encoding: str = "utf-8",
) -> ImportSummary:
    now = to_storage(now)
    table = read_rows(path, FIELDS, REQUIRED, parse_field_map(column_map, FIELDS), encoding)
    rejects = RowRejects(table.header)
    for line, cells in table.malformed:
        rejects.rows.append((line, f"malformed row (not {len(table.header)} fields)", cells))
    rows = []
    for raw, row in validated(StockRow, table.rows, rejects):
        if row.updated_at is not None and row.updated_at > now:
            rejects.add(raw, f"updated_at {row.updated_at:%Y-%m-%d %H:%M} is in the future")
        else:
            rows.append((raw, row))
    summary = ImportSummary(what=f"stock from {path.name}", rejects_path=rejects_path)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        products = await ids_by_key(conn, Product.sku, Product.id, {row.sku for _, row in rows})
        latest: dict[int, StockRow] = {}
        for raw, row in rows:
            if (product_id := products.get(row.sku)) is None:
                rejects.add(raw, f"unknown SKU {row.sku!r} (import products or transactions first)")
                continue
            if product_id in latest:
                summary.unchanged += 1  # a later row of the file for the same SKU wins
            latest[product_id] = row
        stored = await _stored(conn, sorted(latest))
        added, changed = [], []
        for product_id, row in latest.items():
            counted = row.updated_at or now
            values = {
                "product_id": product_id,
                "on_hand": row.on_hand,
                "weekly_demand": row.weekly_demand,
                "clearance": row.clearance,
                "updated_at": counted,
            }
            before = stored.get(product_id)
            if before is None:
                added.append(values)
            elif counted > before[0] and before[1:] != (row.on_hand, row.weekly_demand, row.clearance):
                changed.append({f"new_{k}": v for k, v in values.items()})
            else:
                summary.unchanged += 1
        if added:
            await conn.execute(insert(Inventory), added)
        if changed:
            await conn.execute(
                update(Inventory)
                .where(Inventory.product_id == bindparam("new_product_id"))
                .values(
                    on_hand=bindparam("new_on_hand"),
                    weekly_demand=bindparam("new_weekly_demand"),
                    clearance=bindparam("new_clearance"),
                    updated_at=bindparam("new_updated_at"),
                ),
                changed,
            )
        summary.added, summary.updated = len(added), len(changed)
    summary.rejected = len(rejects.rows)
    rejects.write(rejects_path)
    return summary


async def _stored(conn: AsyncConnection, products: list[int]) -> dict[int, tuple[datetime, int, float, bool]]:
    found: dict[int, tuple[datetime, int, float, bool]] = {}
    for start in range(0, len(products), IN_QUERY):
        rows = await conn.execute(
            select(
                Inventory.product_id,
                Inventory.updated_at,
                Inventory.on_hand,
                Inventory.weekly_demand,
                Inventory.clearance,
            ).where(Inventory.product_id.in_(products[start : start + IN_QUERY]))
        )
        found.update({r[0]: (r[1], r[2], r[3], r[4]) for r in rows})
    return found
