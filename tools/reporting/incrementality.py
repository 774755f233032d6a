"""Incremental revenue and margin per use case, measured against the holdout group.

Who is compared: members a trigger found eligible for the use case in the period. Treatment-arm
members were queued for a decision; holdout members were queued as `skipped` and never contacted
(`tools.triggers.enqueue`), so they are what the same members would have done without us.

- *contacted vs. holdout* compares the treatment-arm members we actually messaged with the holdout.
  The agents chose whom to message, so this carries their selection (they pick likelier buyers).
- *eligible vs. holdout* (intent to treat) compares every treatment-arm member with the holdout:
  unbiased by the arms' random split, diluted by the members the agents left alone.

Outcome per member: every order they placed from their first trigger in the period until the end
of the period (not only orders attributed to a message: the holdout has no messages to attribute
to). Revenue is what was paid; margin is that less the cost of goods at sale time.

One query returns one row per eligible member and use case; the statistics are numpy.
"""

import numpy as np
from pydantic import BaseModel, computed_field
from sqlalchemy import Subquery, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.decisions import first_triggers
from tools.reporting.period import Period
from tools.reporting.stats import Difference, welch
from tools.storage import Contact, Order, OrderLine, QueuedTrigger


class UseCaseLift(BaseModel):
    use_case: str
    eligible_treatment: int  # treatment-arm members triggered in the period
    contacted: int  # of those, messaged for this use case in the period
    holdout: int
    revenue: Difference  # per member, contacted vs. holdout
    margin: Difference
    eligible_revenue: Difference  # per member, all treatment-arm vs. holdout (intent to treat)
    eligible_margin: Difference

    @computed_field  # type: ignore[prop-decorator]
    @property
    def incremental_revenue(self) -> float:
        """Total over the contacted members: difference per member times members."""
        return self.revenue.difference * self.contacted

    @computed_field  # type: ignore[prop-decorator]
    @property
    def incremental_margin(self) -> float:
        return self.margin.difference * self.contacted


def order_costs(period: Period) -> Subquery:
    """Cost of goods and items bought per order placed in the period (a return is negative cost and
    counts no items)."""
    return (
        select(
            OrderLine.order_id.label("order_id"),
            func.sum(OrderLine.unit_cost * OrderLine.quantity).label("cost"),
            func.sum(case((OrderLine.quantity > 0, OrderLine.quantity), else_=0)).label("item_count"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.placed_at >= period.since, Order.placed_at < period.until)
        .group_by(OrderLine.order_id)
        .subquery()
    )


async def member_outcomes(conn: AsyncConnection, period: Period) -> list[tuple[str, str, bool, float, float]]:
    """(use case, arm, contacted, revenue, margin), one row per member eligible in the period."""
    triggered = first_triggers(
        QueuedTrigger.created_at >= period.since, QueuedTrigger.created_at < period.until
    )
    contacted = (
        select(Contact.use_case.label("use_case"), Contact.customer_id.label("customer_id"))
        .where(Contact.status == "sent", Contact.sent_at >= period.since, Contact.sent_at < period.until)
        .group_by(Contact.use_case, Contact.customer_id)
        .subquery()
    )
    costs = order_costs(period)
    margin = Order.total - func.coalesce(costs.c.cost, 0)
    query = (
        select(
            triggered.c.use_case,
            triggered.c.arm,
            contacted.c.customer_id.is_not(None),
            func.coalesce(func.sum(Order.total), 0),
            func.coalesce(func.sum(margin), 0),
        )
        .select_from(triggered)
        .outerjoin(
            contacted,
            and_(
                contacted.c.customer_id == triggered.c.customer_id,
                contacted.c.use_case == triggered.c.use_case,
            ),
        )
        .outerjoin(
            Order,
            and_(
                Order.customer_id == triggered.c.customer_id,
                Order.placed_at >= triggered.c.first_at,
                Order.placed_at < period.until,
            ),
        )
        .outerjoin(costs, costs.c.order_id == Order.id)
        .group_by(triggered.c.use_case, triggered.c.customer_id, triggered.c.arm, contacted.c.customer_id)
    )
    return [(u, a, bool(c), float(r), float(m)) for u, a, c, r, m in await conn.execute(query)]


def lift_by_use_case(rows: list[tuple[str, str, bool, float, float]]) -> list[UseCaseLift]:
    if not rows:
        return []
    use_case = np.array([r[0] for r in rows], dtype=object)
    control = np.array([r[1] == "control" for r in rows])
    contacted = np.array([r[2] for r in rows])
    revenue = np.array([r[3] for r in rows], dtype=float)
    margin = np.array([r[4] for r in rows], dtype=float)
    out = []
    for name in sorted(set(use_case)):
        mine = use_case == name
        held, treated, messaged = mine & control, mine & ~control, mine & ~control & contacted
        out.append(
            UseCaseLift(
                use_case=name,
                eligible_treatment=int(treated.sum()),
                contacted=int(messaged.sum()),
                holdout=int(held.sum()),
                revenue=welch(revenue[messaged], revenue[held]),
                margin=welch(margin[messaged], margin[held]),
                eligible_revenue=welch(revenue[treated], revenue[held]),
                eligible_margin=welch(margin[treated], margin[held]),
            )
        )
    return out


async def holdout_comparison(conn: AsyncConnection, period: Period) -> list[UseCaseLift]:
    return lift_by_use_case(await member_outcomes(conn, period))
