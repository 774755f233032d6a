"""A small realistic world for the server tests: seeded and fitted once per session, copied per test.

The world generator writes a few hundred members with a year of orders, events, contacts and a
catalogue; profile models are fitted once (one training snapshot, to keep the session fast). A test
that only reads opens the shared files; a test that writes, renames or locks the database works on
its own copy. The clock is fixed inside the world's last day, so every answer is deterministic.
"""

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import case, func, select, text

from loyalty.settings import PACKAGE_ROOT, Settings
from loyalty.wiring import Product, open_product
from tools.profiles.service import open_profiles
from tools.profiles.training import TrainingPlan
from tools.progress import Silent
from tools.storage.base import Base
from tools.storage.catalog import Category, CategoryComplement, Inventory
from tools.storage.catalog import Product as CatalogueProduct
from tools.storage.commerce import Order
from tools.storage.customers import ChannelConsent, Customer
from tools.storage.db import Database, database
from tools.storage.engagement import BehaviouralEvent, Contact
from tools.world.generator import WorldRequest
from tools.world.population import load_population
from tools.world.seeding import seed_world

MEMBERS = 300
SEED = 7
END = date(2026, 10, 31)
NOW = datetime(END.year, END.month, END.day, 9, 0, tzinfo=UTC)  # inside the world's last day


@dataclass(frozen=True)
class Samples:
    """Records the tests talk about, picked from the seeded data."""

    # An active member (recent orders and events) with e-mail and phone on file, who can be e-mailed
    # now (consent, and no e-mail in the last week).
    member: int
    sku: str  # a product with stock
    category: str  # a category with complements (bundles can be built around it)
    clearance_category: str  # a category with some, not all, products on clearance


@dataclass(frozen=True)
class SeededWorld:
    db_path: Path
    models_dir: Path
    samples: Samples
    now: datetime = NOW

    @property
    def url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path}"

    def settings(self) -> Settings:
        return Settings(db_url=self.url, models_dir=self.models_dir)

    def child_env(self) -> dict[str, str]:
        """What a server subprocess needs (it inherits only a minimal environment)."""
        return {
            "LOYALTY_DB_URL": self.url,
            "LOYALTY_MODELS_DIR": str(self.models_dir),
            "LOYALTY_LOG_LEVEL": "warning",
        }

    def copy_to(self, directory: Path) -> "SeededWorld":
        """An independent copy (database and models) for a test that writes or breaks the database."""
        directory.mkdir(parents=True, exist_ok=True)
        db_path = directory / self.db_path.name
        shutil.copyfile(self.db_path, db_path)
        models_dir = directory / "models"
        shutil.copytree(self.models_dir, models_dir)
        return replace(self, db_path=db_path, models_dir=models_dir)

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Product]:
        """The product over this world, as the composition root builds it, with the fixed clock."""
        async with open_product(self.settings(), clock=lambda: self.now) as product:
            yield product


def build_world(directory: Path) -> SeededWorld:
    return asyncio.run(_build(directory))


async def _build(directory: Path) -> SeededWorld:
    db_path = directory / "world.db"
    url = f"sqlite+aiosqlite:///{db_path}"
    population = load_population(PACKAGE_ROOT / "tools" / "world" / "default_population.toml")
    await seed_world(
        url,
        directory / "truth",
        WorldRequest(population, MEMBERS, SEED, 12, END),
        population_name="default",
        reset=True,
        progress=Silent(),
    )
    db = database(url)
    try:
        profiles = replace(open_profiles(db, models_dir=directory / "models"), plan=TrainingPlan(snapshots=1))
        await profiles.models(NOW.replace(tzinfo=None))  # fits and saves them
        samples = await _samples(db)
    finally:
        await db.dispose()
    return SeededWorld(db_path=db_path, models_dir=directory / "models", samples=samples)


async def _samples(db: Database) -> Samples:
    now = NOW.replace(tzinfo=None)
    async with db.session() as s:
        recent_events = select(BehaviouralEvent.customer_id).where(
            BehaviouralEvent.occurred_at >= now - timedelta(days=14), BehaviouralEvent.occurred_at <= now
        )
        emailable = select(ChannelConsent.customer_id).where(
            ChannelConsent.channel == "email", ChannelConsent.granted.is_(True)
        )
        with_phone = select(Customer.id).where(Customer.phone.is_not(None), Customer.email.is_not(None))
        emailed_lately = select(Contact.customer_id).where(
            Contact.channel == "email", Contact.scheduled_at >= now - timedelta(days=8)
        )
        member = await s.scalar(
            select(Order.customer_id)
            .where(
                Order.customer_id.in_(recent_events),
                Order.customer_id.in_(emailable),
                Order.customer_id.in_(with_phone),
                Order.customer_id.not_in(emailed_lately),
                Order.placed_at <= now,
            )
            .group_by(Order.customer_id)
            .order_by(func.count().desc(), Order.customer_id)
            .limit(1)
        )
        sku = await s.scalar(
            select(CatalogueProduct.sku)
            .join(Inventory, Inventory.product_id == CatalogueProduct.id)
            .where(Inventory.on_hand > 0)
            .order_by(CatalogueProduct.sku)
            .limit(1)
        )
        category = await s.scalar(
            select(Category.name)
            .join(CategoryComplement, CategoryComplement.category_id == Category.id)
            .order_by(Category.name)
            .limit(1)
        )
        clearance = func.sum(case((Inventory.clearance.is_(True), 1), else_=0))
        clearance_category = await s.scalar(
            select(Category.name)
            .join(CatalogueProduct, CatalogueProduct.category_id == Category.id)
            .join(Inventory, Inventory.product_id == CatalogueProduct.id)
            .group_by(Category.name)
            .having(clearance > 0, clearance < func.count())
            .order_by(Category.name)
            .limit(1)
        )
    assert None not in (member, sku, category, clearance_category), "the seeded world lacks sample records"
    return Samples(member=int(member), sku=sku, category=category, clearance_category=clearance_category)


async def row_counts(db: Database) -> dict[str, int]:
    """Rows in every table: what a refused call must leave unchanged."""
    async with db.session() as s:
        return {
            name: int(await s.scalar(text(f'SELECT COUNT(*) FROM "{name}"')) or 0)
            for name in Base.metadata.tables
        }
