"""Model usage from the decision log: tokens, cache share and estimated cost by agent and model.

Every model response is logged with the model that gave it and its usage (`agents.loop`), the
guard's included, so this is the whole bill. The sums run in the database (JSON paths work on
SQLite and PostgreSQL alike), one group per agent and model.
"""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import ColumnElement, case, func, select

from tools.storage import Database, DecisionLogEntry

MODEL_RESPONSE = "model_response"
LOCAL_MODEL = "local"  # the deterministic stand-in: free, never counted against a budget


class UsageRow(BaseModel):
    agent: str
    model: str
    requests: int
    degraded: int  # responses a fallback model gave
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float
    unpriced: int  # responses from a model with no known price (their cost is missing)

    @property
    def cache_share(self) -> float:
        """Of the input the model read, the share read from the cache."""
        read = self.input_tokens + self.cache_read_tokens + self.cache_write_tokens
        return self.cache_read_tokens / read if read else 0.0


async def usage_since(db: Database, since: datetime | None = None) -> list[UsageRow]:
    """Usage per agent and model of every response logged at or after `since` (naive UTC)."""
    entry = DecisionLogEntry
    usage = entry.payload["usage"]

    def total(key: str) -> ColumnElement[int]:
        return func.coalesce(func.sum(usage[key].as_integer()), 0)

    model = func.coalesce(entry.payload["model"].as_string(), "unknown")
    query = (
        select(
            entry.agent,
            model.label("model"),
            func.count().label("requests"),
            func.sum(case((entry.payload["degraded"].as_boolean(), 1), else_=0)).label("degraded"),
            total("input_tokens").label("input_tokens"),
            total("output_tokens").label("output_tokens"),
            total("cache_read_tokens").label("cache_read_tokens"),
            total("cache_write_tokens").label("cache_write_tokens"),
            func.coalesce(func.sum(usage["cost_usd"].as_float()), 0.0).label("cost_usd"),
            func.coalesce(func.sum(usage["unpriced_requests"].as_integer()), 0).label("unpriced"),
        )
        .where(entry.kind == MODEL_RESPONSE)
        .group_by(entry.agent, model)
        .order_by(entry.agent, model)
    )
    if since is not None:
        query = query.where(entry.created_at >= since)
    async with db.session() as session:
        rows = (await session.execute(query)).all()
    return [
        UsageRow(
            agent=r.agent,
            model=r.model,
            requests=r.requests,
            degraded=int(r.degraded or 0),
            input_tokens=r.input_tokens,
            output_tokens=r.output_tokens,
            cache_read_tokens=r.cache_read_tokens,
            cache_write_tokens=r.cache_write_tokens,
            cost_usd=float(r.cost_usd),
            unpriced=int(r.unpriced),
        )
        for r in rows
    ]


async def paid_tokens_since(db: Database, since: datetime) -> int:
    """Tokens of every model but the local one since `since`: what a daily budget has spent."""
    return sum(
        r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens
        for r in await usage_since(db, since)
        if r.model != LOCAL_MODEL
    )
