"""`loyalty import products`: the catalogue with what each item costs, so offers respect margins.

One row per SKU: `sku`, and `name`, `category`, `department`, `price` (shelf price, above 0) with
either `unit_cost` (0 or more) or `margin` (the share of the price kept, 0 to below 1), and
`complements` (categories its buyers often want too, separated by `;`). A new SKU needs name,
category, price and a cost or margin; for a known SKU an empty cell keeps what is stored. New
categories are created (department `General` unless given); complements must name categories
that exist or come in the same file. Running the same file twice changes nothing. Everything
accepted is written in one transaction.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.importers.row_files import ImportSummary, RowRejects, parse_field_map, read_rows, validated
from tools.storage import Category, CategoryComplement, Database, Product, begin_write, upsert_insert

FIELDS = ("sku", "name", "category", "department", "price", "unit_cost", "margin", "complements")
REQUIRED = ("sku",)
COMPLEMENT_STRENGTH = 0.5  # a retailer's "goes with" list says nothing of how strongly


class ProductRow(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str = Field(min_length=1, max_length=64)
    name: str | None = Field(None, max_length=200)
    category: str | None = Field(None, max_length=80)
    department: str | None = Field(None, max_length=80)
    price: float | None = Field(None, gt=0)
    unit_cost: float | None = Field(None, ge=0)
    margin: float | None = Field(None, ge=0, lt=1)
    complements: str | None = None

    @model_validator(mode="after")
    def _one_cost(self) -> Self:
        if self.unit_cost is not None and self.margin is not None:
            raise ValueError("give unit_cost or margin, not both")
        if self.margin is not None and self.price is None:
            raise ValueError("a margin needs the price it is a share of")
        return self

    @property
    def cost(self) -> float | None:
        if self.unit_cost is not None:
            return round(self.unit_cost, 2)
        return None if self.margin is None or self.price is None else round(self.price * (1 - self.margin), 2)

    @property
    def complement_names(self) -> list[str]:
        return [c.strip() for c in (self.complements or "").split(";") if c.strip()]


async def import_products(
    db: Database,
    path: Path,
    column_map: Sequence[str],
    *,
    now: datetime,
    rejects_path: Path,
    encoding: str = "utf-8",
) -> ImportSummary:
    del now  # a catalogue row carries no time of its own; the signature matches the other importers
    table = read_rows(path, FIELDS, REQUIRED, parse_field_map(column_map, FIELDS), encoding)
    rejects = RowRejects(table.header)
    for line, cells in table.malformed:
        rejects.rows.append((line, f"malformed row (not {len(table.header)} fields)", cells))
    rows = {
        row.sku: (raw, row) for raw, row in validated(ProductRow, table.rows, rejects)
    }  # the last row of a SKU wins
    summary = ImportSummary(what=f"products from {path.name}", rejects_path=rejects_path)
    async with db.engine.begin() as conn:
        await begin_write(conn)
        categories = dict((await conn.execute(select(Category.name, Category.id))).all())
        stored = {
            p.sku: p for p in (await conn.execute(select(Product).where(Product.sku.in_(list(rows))))).all()
        }
        known = set(categories) | {row.category for _, row in rows.values() if row.category}
        accepted = []
        for raw, row in rows.values():
            before = stored.get(row.sku)
            missing = [
                f
                for f, v in (
                    ("name", row.name),
                    ("category", row.category),
                    ("price", row.price),
                    ("unit_cost or margin", row.cost),
                )
                if v is None
            ]
            unknown = [c for c in row.complement_names if c not in known]
            if before is None and missing:
                rejects.add(raw, f"a new SKU needs {', '.join(missing)}")
            elif unknown:
                rejects.add(raw, f"complements name unknown categories: {', '.join(unknown)}")
            else:
                accepted.append((row, before))
        for row, _ in accepted:  # new categories first: products and complements point at them
            if row.category and row.category not in categories:
                result = await conn.execute(
                    insert(Category).values(name=row.category, department=row.department or "General")
                )
                key = result.inserted_primary_key
                assert key is not None  # an INSERT of one row always has one
                categories[row.category] = int(key[0])
        new: list[dict[str, object]] = []
        changed: dict[tuple[str, ...], list[dict[str, object]]] = {}  # by the columns a row changes
        for row, before in accepted:
            values = {
                k: v
                for k, v in (
                    ("name", row.name),
                    ("price", row.price),
                    ("unit_cost", row.cost),
                    ("category_id", categories.get(row.category) if row.category else None),
                )
                if v is not None
            }
            if before is None:
                new.append(
                    {
                        "sku": row.sku,
                        "season": "all",
                        "is_consumable": False,
                        "full_price_only": False,
                        **values,
                    }
                )
            elif all(getattr(before, k) == v for k, v in values.items()):
                summary.unchanged += 1
            else:
                changed.setdefault(tuple(sorted(values)), []).append(
                    {"sku_": row.sku, **{f"new_{k}": v for k, v in values.items()}}
                )
        if new:
            await conn.execute(insert(Product), new)
        for columns, params in changed.items():  # one statement per set of columns, executed for many rows
            await conn.execute(
                update(Product)
                .where(Product.sku == bindparam("sku_"))
                .values(**{c: bindparam(f"new_{c}") for c in columns}),
                params,
            )
        summary.added, summary.updated = len(new), sum(len(p) for p in changed.values())
        await _complements(
            conn,
            [
                (
                    categories[r.category if r.category else _category_of(stored, r.sku, categories)],
                    [categories[c] for c in r.complement_names],
                )
                for r, _ in accepted
                if r.complement_names
            ],
        )
    summary.rejected = len(rejects.rows)
    rejects.write(rejects_path)
    return summary


def _category_of(stored: dict[str, Any], sku: str, categories: dict[str, int]) -> str:
    category_id = stored[sku].category_id
    return next(name for name, i in categories.items() if i == category_id)


async def _complements(conn: AsyncConnection, edges: list[tuple[int, list[int]]]) -> None:
    values = [
        {"category_id": c, "complement_id": o, "strength": COMPLEMENT_STRENGTH}
        for c, others in edges
        for o in others
        if o != c
    ]
    if values:
        stmt = upsert_insert(conn.dialect.name, CategoryComplement).values(values)
        await conn.execute(stmt.on_conflict_do_nothing(index_elements=["category_id", "complement_id"]))
