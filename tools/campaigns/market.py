"""Rival promotions running now, by category: what a competitive-response campaign answers."""

from datetime import datetime

from sqlalchemy import func, select

from tools.storage import Category, CompetitorSignal, Database
from tools.time import to_storage


async def rival_discounts(db: Database, now: datetime) -> dict[str, float]:
    """The deepest rival discount live at `now` in each category that has one."""
    moment = to_storage(now)
    async with db.session() as session:
        rows = await session.execute(
            select(Category.name, func.max(CompetitorSignal.discount_pct))
            .join(Category, Category.id == CompetitorSignal.category_id)
            .where(CompetitorSignal.starts_at <= moment, CompetitorSignal.ends_at > moment)
            .group_by(Category.name)
        )
        return {str(name): float(pct) for name, pct in rows}
