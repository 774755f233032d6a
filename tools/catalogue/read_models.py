"""Read models over the catalogue: offer templates, stock, bundles, and what a trigger names.

Each query is set-based; the bundle recommender scores every candidate product in one pass.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tools.errors import InvalidInput, NotFound
from tools.storage import Category, CategoryComplement, Database, Inventory, OfferTemplate, Product


async def offer_templates(db: Database, *, active_only: bool = True) -> list[dict[str, Any]]:
    async with db.session() as session:
        query = select(OfferTemplate).order_by(OfferTemplate.type, OfferTemplate.code)
        if active_only:
            query = query.where(OfferTemplate.active.is_(True))
        rows = (await session.scalars(query)).all()
    return [
        {
            "code": t.code,
            "type": t.type,
            "description": t.description,
            "discount_pct": t.discount_pct,
            "amount_off": t.amount_off,
            "points_multiplier": t.points_multiplier,
            "bonus_points": t.bonus_points,
            "min_spend": t.min_spend,
            "active": t.active,
        }
        for t in rows
    ]


def _stock_row(product: Product, category: str, inventory: Inventory | None) -> dict[str, Any]:
    on_hand = inventory.on_hand if inventory else 0
    demand = inventory.weekly_demand if inventory else 0.0
    return {
        "sku": product.sku,
        "name": product.name,
        "category": category,
        "price": product.price,
        "margin_rate": round((product.price - product.unit_cost) / product.price, 4),
        "season": product.season,
        "full_price_only": product.full_price_only,
        "on_hand": on_hand,
        "weeks_of_cover": round(on_hand / demand, 1) if demand > 0 else None,
        "clearance": bool(inventory.clearance) if inventory else False,
    }


async def inventory_status(
    db: Database,
    *,
    sku: str | None = None,
    category: str | None = None,
    limit: int = 50,
    clearance_only: bool = False,
) -> list[dict[str, Any]]:
    if not sku and not category:
        raise InvalidInput("give a sku or a category")
    async with db.session() as session:
        query = (
            select(Product, Category.name, Inventory)
            .join(Category, Category.id == Product.category_id)
            .outerjoin(Inventory, Inventory.product_id == Product.id)
        )
        if sku:
            query = query.where(Product.sku == sku)
        if category:
            query = query.where(func.lower(Category.name) == category.lower())
        if clearance_only:
            query = query.where(Inventory.clearance.is_(True))
        rows = (await session.execute(query.order_by(Product.sku).limit(limit))).all()
    if not rows:
        raise NotFound(f"no products for sku={sku!r} category={category!r}")
    return [_stock_row(p, c, i) for p, c, i in rows]


@dataclass(frozen=True)
class BundleItem:
    sku: str
    name: str
    category: str
    price: float
    score: float
    reason: str


# Built once: every upsell and abandonment decision asks for a bundle.
_CATEGORY_NAMED = select(Category.id, Category.name).where(func.lower(Category.name) == bindparam("name"))
_COMPLEMENTS_IN_STOCK = (
    select(
        Product.sku,
        Product.name,
        Product.price,
        Category.name.label("category"),
        CategoryComplement.strength,
        Inventory.on_hand,
        Inventory.weekly_demand,
        Inventory.clearance,
    )
    .join(
        CategoryComplement,
        and_(
            CategoryComplement.complement_id == Product.category_id,
            CategoryComplement.category_id == bindparam("anchor"),
        ),
    )
    .join(Category, Category.id == Product.category_id)
    .join(Inventory, Inventory.product_id == Product.id)
    .where(Inventory.on_hand > 0, or_(Product.full_price_only.is_(False), Inventory.clearance.is_(True)))
)


async def recommend_bundle(
    db: Database, *, anchor_category: str, affinity: dict[str, float], size: int = 2
) -> list[BundleItem]:
    """Complements of the anchor category, ranked by complement strength × the member's affinity
    for that category × how much the stock wants to move (clearance, weeks of cover)."""
    return rank_bundle(await complements_in_stock(db, anchor_category), affinity, size)


@dataclass(frozen=True)
class Complements:
    """An anchor category's complements in stock: read once, ranked for each member (`rank_bundle`)."""

    anchor: str
    rows: list[Any]


async def complements_in_stock(db: Database, anchor_category: str) -> Complements:
    async with db.engine.connect() as conn:
        anchor = (await conn.execute(_CATEGORY_NAMED, {"name": anchor_category.lower()})).first()
        if anchor is None:
            raise NotFound(f"no category {anchor_category!r}")
        rows = (await conn.execute(_COMPLEMENTS_IN_STOCK, {"anchor": anchor.id})).all()
    return Complements(anchor.name, list(rows))


def rank_bundle(complements: Complements, affinity: dict[str, float], size: int = 2) -> list[BundleItem]:
    """The member's bundle from the anchor's complements (see `recommend_bundle`)."""
    scored = []
    for row in complements.rows:
        category = row.category
        cover = row.on_hand / row.weekly_demand if row.weekly_demand > 0 else 52.0
        move = 1.0 + (0.5 if row.clearance else 0.0) + min(cover / 26.0, 1.0)
        taste = 0.2 + affinity.get(category, 0.0)
        score = row.strength * taste * move
        reason = (
            f"{category} complements {complements.anchor} (strength {row.strength:.2f}); member affinity "
            f"{affinity.get(category, 0.0):.2f}; {'clearance, ' if row.clearance else ''}"
            f"{cover:.0f} weeks of cover"
        )
        scored.append(BundleItem(row.sku, row.name, category, row.price, round(score, 4), reason))
    best_per_category: dict[str, BundleItem] = {}
    for item in sorted(scored, key=lambda i: (-i.score, i.sku)):
        best_per_category.setdefault(item.category, item)
    return list(best_per_category.values())[:size]


@dataclass(frozen=True)
class Anchor:
    """The product or category a trigger is about, in the names the agents' tools speak."""

    category: str
    sku: str | None = None


async def trigger_anchor(
    session: AsyncSession, *, product_id: int | None = None, category_id: int | None = None
) -> Anchor | None:
    """A product's SKU and category name, or a category's name (a product wins when both are given)."""
    if product_id:
        row = (
            await session.execute(
                select(Product.sku, Category.name)
                .join(Category, Category.id == Product.category_id)
                .where(Product.id == product_id)
            )
        ).first()
        return None if row is None else Anchor(category=row.name, sku=row.sku)
    if category_id:
        name = await session.scalar(select(Category.name).where(Category.id == category_id))
        return None if name is None else Anchor(category=name)
    return None
