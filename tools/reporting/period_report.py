"""The whole report for a period, read in one database transaction."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.reporting.activity import BudgetUse, budget_use, offers_per_channel, rejections_by_rule
from tools.reporting.alerts import Alert, RuleBook, evaluate_alerts
from tools.reporting.incrementality import UseCaseLift, holdout_comparison
from tools.reporting.kpis import KpiRow, kpis
from tools.reporting.nothing import nothing_by_cause
from tools.reporting.period import Period
from tools.storage import Database


class PeriodReport(BaseModel):
    since: datetime
    until: datetime
    kpis: list[KpiRow]
    lift: list[UseCaseLift]
    offers_per_channel: dict[str, int]
    rejections_by_rule: dict[str, int]
    budgets: list[BudgetUse]
    alerts: list[Alert]
    nothing_by_cause: dict[str, dict[str, int]] = {}  # use case -> cause -> "nothing" decisions

    @property
    def period(self) -> Period:
        return Period(self.since, self.until)


@asynccontextmanager
async def snapshot(db: Database) -> AsyncIterator[AsyncConnection]:
    """A read-only connection whose queries all see one state of the database: PostgreSQL needs
    REPEATABLE READ for that; a SQLite read transaction is a snapshot already (WAL)."""
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            yield conn


async def build_report(
    db: Database, period: Period, rules: RuleBook, *, announce: bool = True
) -> PeriodReport:
    """KPIs, holdout comparison and activity over the period; alerts evaluated at its end."""
    async with snapshot(db) as conn:
        return PeriodReport(
            since=period.since,
            until=period.until,
            kpis=await kpis(conn, period),
            lift=await holdout_comparison(conn, period),
            offers_per_channel=await offers_per_channel(conn, period),
            rejections_by_rule=await rejections_by_rule(conn, period),
            budgets=await budget_use(conn, period),
            alerts=await evaluate_alerts(conn, rules, period.until, announce=announce),
            nothing_by_cause=await nothing_by_cause(conn, period),
        )


async def current_alerts(
    db: Database, rules: RuleBook, at: datetime, *, announce: bool = True
) -> list[Alert]:
    async with snapshot(db) as conn:
        return await evaluate_alerts(conn, rules, at, announce=announce)
