"""`loyalty check`: what each use case lacks to decide and send, with counts and the command that
fixes each gap — read from the database, the fitted models and the trigger rules, as of a moment.

A use case is ready when some member has a consented channel, the data is fresh, its budget covers
the moment with money left and is not paused, and at least one of its trigger rules can fire.
Gaps that do not stop a send (no offer templates, models not fitted yet, a trigger rule with
nothing to fire on) are listed as warnings.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import UseCase
from tools.budgets import covering, remaining
from tools.profiles import ModelStore
from tools.readiness.freshness import newest, newest_records
from tools.storage import (
    BehaviouralEvent,
    Budget,
    ChannelConsent,
    CompetitorSignal,
    Customer,
    Database,
    OfferTemplate,
    Order,
)
from tools.triggers import (
    BrowseIntent,
    CartAbandoned,
    CompetitorPromotion,
    PostPurchase,
    ReplenishmentDue,
    RhythmLapse,
    TriggerRule,
)


class Gap(BaseModel):
    what: str
    fix: str
    blocking: bool


class UseCaseReadiness(BaseModel):
    use_case: UseCase
    gaps: list[Gap]  # its own; the ones every use case shares are `Readiness.shared`
    triggers_ready: list[str]
    ready: bool


class Readiness(BaseModel):
    at: datetime
    members: int
    reachable: int  # members with at least one consented channel
    newest_data: datetime | None
    shared: list[Gap]
    use_cases: list[UseCaseReadiness]

    @property
    def can_send(self) -> bool:
        return any(u.ready for u in self.use_cases)


async def readiness(
    db: Database,
    now: datetime,
    *,
    rules: Sequence[TriggerRule],
    models: ModelStore,
    stale_after: timedelta,
    disabled: Sequence[UseCase] = (),
) -> Readiness:
    async with db.engine.connect() as conn:
        members = int(await conn.scalar(select(func.count()).select_from(Customer)) or 0)
        reachable = int(
            await conn.scalar(
                select(func.count(func.distinct(ChannelConsent.customer_id))).where(
                    ChannelConsent.granted.is_(True)
                )
            )
            or 0
        )
        latest = newest(*await newest_records(conn, until=now))
        offers = int(
            await conn.scalar(
                select(func.count()).select_from(OfferTemplate).where(OfferTemplate.active.is_(True))
            )
            or 0
        )
        budgets = {b.use_case: b for b in (await conn.execute(select(Budget).where(covering(now)))).all()}
        fired = {rule.name: await _can_fire(conn, rule, now) for rule in rules}
    fitted = any(d <= now for d in models.available())

    shared: list[Gap] = []
    if members == 0:
        shared.append(
            Gap(
                what="no members",
                fix="loyalty import transactions FILE.csv --map ... (or loyalty seed)",
                blocking=True,
            )
        )
    elif reachable == 0:
        shared.append(
            Gap(
                what=f"no consented channel for any of {members:,} members",
                fix="loyalty import consents FILE.csv",
                blocking=True,
            )
        )
    elif reachable < members:
        shared.append(
            Gap(
                what=f"no consented channel for {members - reachable:,} of {members:,} members",
                fix="loyalty import consents FILE.csv",
                blocking=False,
            )
        )
    if latest is None or now - latest > stale_after:
        age = (
            "no orders or events"
            if latest is None
            else f"newest record {latest:%Y-%m-%d} ({(now - latest).days:,} days old)"
        )
        shared.append(
            Gap(
                what=f"stale data: {age}; profiles older than {stale_after.days} days decide nothing",
                fix="import recent transactions (loyalty import transactions) or events (loyalty events ingest)",
                blocking=True,
            )
        )
    if offers == 0:
        shared.append(
            Gap(what="no active offer templates", fix="loyalty offers load FILE.toml", blocking=False)
        )
    if not fitted:
        shared.append(
            Gap(
                what="profile models not fitted (the first decision fits them, slowly)",
                fix="loyalty models fit",
                blocking=False,
            )
        )

    out = []
    for use_case in UseCase:
        gaps: list[Gap] = []
        if use_case in disabled:
            gaps.append(
                Gap(
                    what="disabled in the settings (disabled_use_cases)",
                    fix="remove it from LOYALTY_DISABLED_USE_CASES / loyalty.toml",
                    blocking=True,
                )
            )
        budget = budgets.get(use_case.value)
        if budget is None:
            gaps.append(
                Gap(
                    what=f"no budget covers {now:%Y-%m-%d}",
                    fix=f"loyalty budgets set {use_case.value} AMOUNT --from DATE --to DATE",
                    blocking=True,
                )
            )
        elif budget.paused:
            gaps.append(
                Gap(what="budget paused", fix=f"loyalty budgets resume {use_case.value}", blocking=True)
            )
        elif remaining(budget.amount, budget.spent) < 0.01:
            gaps.append(
                Gap(
                    what=f"budget exhausted ({budget.spent:,.2f} of {budget.amount:,.2f})",
                    fix=f"loyalty budgets set {use_case.value} AMOUNT --from "
                    f"{budget.period_start:%Y-%m-%d} --to {budget.period_end:%Y-%m-%d}",
                    blocking=True,
                )
            )
        own = [r for r in rules if r.use_case is use_case]
        ready = [r.name for r in own if fired[r.name] is None]
        for rule in own:
            if (why := fired[rule.name]) is not None:
                gaps.append(
                    Gap(what=f"trigger {rule.name} cannot fire: {why[0]}", fix=why[1], blocking=False)
                )
        if not own:
            gaps.append(
                Gap(
                    what="no enabled trigger rule (campaigns and chat still work)",
                    fix="enable one in the trigger rules file",
                    blocking=False,
                )
            )
        blocked = any(g.blocking for g in [*shared, *gaps])
        out.append(UseCaseReadiness(use_case=use_case, gaps=gaps, triggers_ready=ready, ready=not blocked))
    return Readiness(
        at=now, members=members, reachable=reachable, newest_data=latest, shared=shared, use_cases=out
    )


async def _count(conn: AsyncConnection, query: Select[Any]) -> int:
    return int(await conn.scalar(select(func.count()).select_from(query.limit(1).subquery())) or 0)


EVENTS_FIX = "loyalty events ingest FILE (or `loyalty events serve`)"


async def _events_since(
    conn: AsyncConnection, kind: str, since: datetime, now: datetime, why: str
) -> tuple[str, str] | None:
    """None when an event of `kind` arrived in [since, now]; else (why not, what fixes it)."""
    found = select(BehaviouralEvent.id).where(
        BehaviouralEvent.type == kind,
        BehaviouralEvent.occurred_at >= since,
        BehaviouralEvent.occurred_at <= now,
    )
    return None if await _count(conn, found) else (why, EVENTS_FIX)


async def _can_fire(conn: AsyncConnection, rule: TriggerRule, now: datetime) -> tuple[str, str] | None:
    """None when the rule has something to fire on as of `now`; else (why not, what fixes it)."""
    match rule:
        case CartAbandoned():
            why = f"no cart_add events in the last {rule.max_age_hours} h"
            return await _events_since(conn, "cart_add", now - timedelta(hours=rule.max_age_hours), now, why)
        case BrowseIntent():
            why = f"no view events in the last {rule.window_days} days"
            return await _events_since(conn, "view", now - timedelta(days=rule.window_days), now, why)
        case PostPurchase():
            why = f"no purchase events in the last {rule.max_age_hours} h (imported orders do not fire it)"
            return await _events_since(conn, "purchase", now - timedelta(hours=rule.max_age_hours), now, why)
        case RhythmLapse() | ReplenishmentDue():
            since = now - timedelta(days=rule.history_days if isinstance(rule, RhythmLapse) else 365)
            found = select(Order.id).where(Order.placed_at >= since, Order.placed_at <= now)
            return (
                None
                if await _count(conn, found)
                else (f"no orders since {since:%Y-%m-%d}", "loyalty import transactions FILE.csv --map ...")
            )
        case CompetitorPromotion():
            found = select(CompetitorSignal.id).where(
                CompetitorSignal.starts_at <= now,
                CompetitorSignal.ends_at > now,
                CompetitorSignal.discount_pct >= rule.min_discount_pct,
            )
            return (
                None
                if await _count(conn, found)
                else (
                    f"no competitor promotion of {rule.min_discount_pct:g}% or more running now",
                    "record competitor signals (none is a fine answer: the rule then waits)",
                )
            )
    return None
