"""What the system did in a period: offers sent per channel, guard rejections per rule, and the
discount spent against each use case's budget."""

from collections import Counter

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import Verdict
from tools.reporting.period import Period
from tools.storage import Budget, Contact, GuardVerdict, Order

APPROVED_CODE = "guard.approved"  # the guard's "nothing wrong" reason: not a rule that rejected


class BudgetUse(BaseModel):
    use_case: str
    amount: float  # budgets whose period overlaps the report's
    committed: float  # what the product booked against them (`budgets.spent`)
    discount: float  # discount on orders attributed to the use case's messages in the period


async def offers_per_channel(conn: AsyncConnection, period: Period) -> dict[str, int]:
    """Messages carrying an offer, sent in the period, per channel."""
    query = (
        select(Contact.channel, func.count())
        .where(
            Contact.status == "sent",
            Contact.offer_code.is_not(None),
            Contact.sent_at >= period.since,
            Contact.sent_at < period.until,
        )
        .group_by(Contact.channel)
        .order_by(Contact.channel)
    )
    return {str(channel): int(n) for channel, n in await conn.execute(query)}


async def rejections_by_rule(conn: AsyncConnection, period: Period) -> dict[str, int]:
    """Rejecting verdicts per reason code (a verdict citing two rules counts for both).

    The codes sit in a JSON array whose unnesting differs per database, so the rejected verdicts'
    reasons are read in one query and counted here; rejections are few next to members."""
    query = select(GuardVerdict.reasons).where(
        GuardVerdict.verdict == Verdict.REJECT.value,
        GuardVerdict.created_at >= period.since,
        GuardVerdict.created_at < period.until,
    )
    counts: Counter[str] = Counter()
    for (reasons,) in await conn.execute(query):
        codes = {str(r.get("code") or "unexplained") for r in reasons or [] if isinstance(r, dict)}
        counts.update((codes - {APPROVED_CODE}) or {"unexplained"})
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


async def budget_use(conn: AsyncConnection, period: Period) -> list[BudgetUse]:
    budgets = {
        u: (float(a), float(s))
        for u, a, s in await conn.execute(
            select(Budget.use_case, func.sum(Budget.amount), func.sum(Budget.spent))
            .where(Budget.period_start < period.until, Budget.period_end > period.since)
            .group_by(Budget.use_case)
        )
    }
    discounts = {
        u: float(d)
        for u, d in await conn.execute(
            select(Contact.use_case, func.sum(Order.discount_total))
            .join(Contact, Contact.id == Order.contact_id)
            .where(
                Order.placed_at >= period.since, Order.placed_at < period.until, Contact.use_case.is_not(None)
            )
            .group_by(Contact.use_case)
        )
    }
    return [
        BudgetUse(
            use_case=u,
            amount=budgets.get(u, (0.0, 0.0))[0],
            committed=budgets.get(u, (0.0, 0.0))[1],
            discount=discounts.get(u, 0.0),
        )
        for u in sorted(set(budgets) | set(discounts))
    ]
