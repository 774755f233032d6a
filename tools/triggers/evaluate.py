"""Finding who a rule fires for: one set-based query per rule over all members at once.

Each query returns only causes not yet in the queue (see `sql.not_queued`), so evaluating a rule
again costs what is new, not what already fired. Everything is judged as of `now` (naive UTC) and
reads nothing after it, so a replay of past days sees what was known then. Purchases are read
from both sources a retailer feeds: imported orders (history) and `purchase` events (the stream).
"""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, Subquery, exists, func, literal, or_, select, union, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from policies.vocabulary import UseCase
from tools.storage import (
    BehaviouralEvent,
    ChannelConsent,
    CompetitorSignal,
    Customer,
    Order,
    OrderLine,
    Product,
    QueuedTrigger,
)
from tools.triggers.rules import (
    AlwaysOn,
    BrowseIntent,
    CartAbandoned,
    CompetitorPromotion,
    PostPurchase,
    ReplenishmentDue,
    RhythmLapse,
    RhythmTest,
)
from tools.triggers.sql import date_of_day, day_number, day_of, key_expr, not_queued

Event = BehaviouralEvent


@dataclass(frozen=True)
class Firing:
    """A member a rule fires for, why (`cause`, part of the idempotency key), and when the
    decision is due."""

    customer_id: int
    cause: str
    payload: dict[str, Any]
    due_at: datetime
    use_case: UseCase | None = None  # instead of the rule's (the always-on pass's lapsed members)


class ExpectedPurchase(BaseModel):
    """A regularly bought category's predicted next purchase for one member (from the profiles)."""

    model_config = ConfigDict(frozen=True)

    customer_id: int
    category_id: int
    expected_on: date
    interval_days: float | None = None


ReplenishmentSource = Callable[[datetime], Awaitable[Iterable[ExpectedPurchase]]]


async def cart_abandoned(conn: AsyncConnection, rule: CartAbandoned, now: datetime) -> list[Firing]:
    ranked = (
        select(
            Event.id,
            Event.customer_id,
            Event.product_id,
            Event.value,
            Event.occurred_at,
            func.row_number()
            .over(partition_by=Event.customer_id, order_by=(Event.occurred_at.desc(), Event.id.desc()))
            .label("recency"),
            func.count().over(partition_by=Event.customer_id).label("adds"),
        )
        .where(
            Event.type == "cart_add",
            Event.occurred_at >= now - timedelta(hours=rule.max_age_hours),
            Event.occurred_at <= now,
        )
        .subquery()
    )
    later = Event.__table__.alias("later")
    checked_out = exists().where(
        later.c.customer_id == ranked.c.customer_id,
        later.c.type.in_(("checkout_start", "purchase")),
        later.c.occurred_at >= ranked.c.occurred_at,
        later.c.occurred_at <= now,
    )
    ordered = exists().where(
        Order.customer_id == ranked.c.customer_id,
        Order.placed_at >= ranked.c.occurred_at,
        Order.placed_at <= now,
    )
    rows = await conn.execute(
        select(ranked).where(
            ranked.c.recency == 1,
            ranked.c.occurred_at <= now - timedelta(minutes=rule.after_minutes),
            ~checked_out,
            ~ordered,
            not_queued(key_expr(rule.name, ranked.c.customer_id, ranked.c.id)),
        )
    )
    return [
        Firing(
            r.customer_id,
            str(r.id),
            {
                "event_id": r.id,
                "product_id": r.product_id,
                "value": r.value,
                "cart_adds": r.adds,
                "added_at": r.occurred_at.isoformat(),
            },
            now,
        )
        for r in rows
    ]


async def post_purchase(conn: AsyncConnection, rule: PostPurchase, now: datetime) -> list[Firing]:
    rows = await conn.execute(
        select(
            Event.id, Event.customer_id, Event.product_id, Event.category_id, Event.value, Event.occurred_at
        ).where(
            Event.type == "purchase",
            Event.occurred_at >= now - timedelta(hours=rule.max_age_hours),
            Event.occurred_at <= now,
            func.coalesce(Event.value, 0) >= rule.min_value,
            not_queued(key_expr(rule.name, Event.customer_id, Event.id)),
        )
    )
    delay = timedelta(hours=rule.delay_hours)
    return [
        Firing(
            r.customer_id,
            str(r.id),
            {
                "event_id": r.id,
                "product_id": r.product_id,
                "category_id": r.category_id,
                "value": r.value,
                "purchased_at": r.occurred_at.isoformat(),
            },
            r.occurred_at + delay,
        )
        for r in rows
    ]


async def rhythm_lapse(conn: AsyncConnection, rule: RhythmLapse, now: datetime) -> list[Firing]:
    lapsed = lapsed_members(rule, now)
    rows = await conn.execute(
        select(lapsed).where(not_queued(key_expr(rule.name, lapsed.c.customer_id, lapsed.c.last_day)))
    )
    return [
        Firing(
            r.customer_id,
            str(r.last_day),
            {
                "last_purchase_on": date_of_day(r.last_day).isoformat(),
                "days_since_purchase": int(r.idle),
                "median_gap_days": float(r.median_gap),
                "purchase_days": int(r.purchase_days),
            },
            now,
        )
        for r in rows
    ]


def lapsed_members(test: RhythmTest, now: datetime) -> Subquery:
    """Members lapsed by `test` at `now`: customer_id, last_day, purchase_days, median_gap, idle."""
    since = now - timedelta(days=test.history_days)
    today = literal(day_of(now))
    days = union(
        select(Order.customer_id, day_number(Order.placed_at).label("day")).where(
            Order.placed_at >= since, Order.placed_at <= now
        ),
        select(Event.customer_id, day_number(Event.occurred_at).label("day")).where(
            Event.type == "purchase", Event.occurred_at >= since, Event.occurred_at <= now
        ),
    ).cte("days")
    member = days.c.customer_id
    gaps = select(
        member,
        (days.c.day - func.lag(days.c.day).over(partition_by=member, order_by=days.c.day)).label("gap"),
        func.max(days.c.day).over(partition_by=member).label("last_day"),
        func.count().over(partition_by=member).label("purchase_days"),
    ).cte("gaps")
    # Members who could lapse at all are narrowed down before the gaps are ranked.
    ranked = (
        select(
            gaps.c.customer_id,
            gaps.c.gap,
            gaps.c.last_day,
            gaps.c.purchase_days,
            func.row_number().over(partition_by=gaps.c.customer_id, order_by=gaps.c.gap).label("position"),
            func.count().over(partition_by=gaps.c.customer_id).label("n"),
        )
        .where(
            gaps.c.gap.is_not(None),
            gaps.c.purchase_days >= test.min_purchase_days,
            today - gaps.c.last_day >= test.min_days,
        )
        .cte("ranked")
    )
    # The median gap: the middle one, or the mean of the middle two.
    median_gap = func.avg(ranked.c.gap)
    return (
        select(
            ranked.c.customer_id,
            ranked.c.last_day,
            ranked.c.purchase_days,
            median_gap.label("median_gap"),
            (today - ranked.c.last_day).label("idle"),
        )
        .where(ranked.c.position.in_(((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2)))
        .group_by(ranked.c.customer_id, ranked.c.last_day, ranked.c.purchase_days)
        .having(today - ranked.c.last_day > median_gap * test.rhythm_multiple)
        .subquery("lapsed")
    )


def replenishment_due(
    expected: Iterable[ExpectedPurchase], rule: ReplenishmentDue, now: datetime
) -> list[Firing]:
    """No query: the expected dates come from the profiles; the queue's unique key dedupes."""
    today = now.date()
    return [
        Firing(
            e.customer_id,
            f"{e.category_id}@{e.expected_on.isoformat()}",
            {
                "category_id": e.category_id,
                "expected_on": e.expected_on.isoformat(),
                "interval_days": e.interval_days,
            },
            now,
        )
        for e in expected
        if e.expected_on - timedelta(days=rule.days_before)
        <= today
        <= e.expected_on + timedelta(days=rule.grace_days)
    ]


async def competitor_promotion(
    conn: AsyncConnection, rule: CompetitorPromotion, now: datetime
) -> list[Firing]:
    active = select(
        CompetitorSignal.id,
        CompetitorSignal.category_id,
        CompetitorSignal.discount_pct,
        CompetitorSignal.competitor,
        CompetitorSignal.ends_at,
    ).where(
        CompetitorSignal.starts_at <= now,
        CompetitorSignal.ends_at > now,
        CompetitorSignal.discount_pct >= rule.min_discount_pct,
    )
    if not (await conn.execute(active.limit(1))).first():
        return []  # the affinity ranking below scans every order line; skip it when nothing is on
    since = now - timedelta(days=rule.affinity_days)
    in_window = (Order.placed_at >= since, Order.placed_at <= now)
    event_in_window = (Event.type == "purchase", Event.occurred_at >= since, Event.occurred_at <= now)
    promoted = active.with_only_columns(CompetitorSignal.category_id).scalar_subquery()
    # Only members who bought a promoted category can rank it among their top ones: ranking the
    # rest's spend would cost most of the query for nothing.
    buyers = union(
        select(Order.customer_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Product.category_id.in_(promoted), *in_window),
        select(Event.customer_id).where(Event.category_id.in_(promoted), *event_in_window),
    )
    spent = union_all(
        select(
            Order.customer_id,
            Product.category_id,
            (OrderLine.quantity * OrderLine.unit_price).label("amount"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.customer_id.in_(buyers), *in_window),
        select(Event.customer_id, Event.category_id, Event.value.label("amount")).where(
            Event.customer_id.in_(buyers),
            Event.category_id.is_not(None),
            Event.value.is_not(None),
            *event_in_window,
        ),
    ).subquery("spent")
    by_category = (
        select(spent.c.customer_id, spent.c.category_id, func.sum(spent.c.amount).label("spend"))
        .group_by(spent.c.customer_id, spent.c.category_id)
        .having(func.sum(spent.c.amount) > 0)
        .subquery("by_category")
    )
    ranked = select(
        by_category,
        func.row_number()
        .over(
            partition_by=by_category.c.customer_id,
            order_by=(by_category.c.spend.desc(), by_category.c.category_id),
        )
        .label("rank"),
    ).subquery("ranked")
    promo = active.subquery("promo")
    rows = await conn.execute(
        select(ranked.c.customer_id, ranked.c.rank, promo)
        .join(promo, promo.c.category_id == ranked.c.category_id)
        .where(
            ranked.c.rank <= rule.top_categories,
            not_queued(key_expr(rule.name, ranked.c.customer_id, promo.c.id)),
        )
    )
    return [
        Firing(
            r.customer_id,
            str(r.id),
            {
                "signal_id": r.id,
                "competitor": r.competitor,
                "category_id": r.category_id,
                "discount_pct": r.discount_pct,
                "category_rank": r.rank,
                "ends_at": r.ends_at.isoformat(),
            },
            now,
        )
        for r in rows
    ]


async def browse_intent(conn: AsyncConnection, rule: BrowseIntent, now: datetime) -> list[Firing]:
    # One trigger per member, category and window-sized period of the calendar: repeated evaluation
    # inside a period finds the key taken, and a member still browsing next period may fire again.
    period = day_of(now) // rule.window_days
    views = (
        select(
            Event.customer_id,
            Event.category_id,
            func.count().label("views"),
            func.min(Event.occurred_at).label("first_view"),
        )
        .where(
            Event.type == "view",
            Event.category_id.is_not(None),
            Event.occurred_at >= now - timedelta(days=rule.window_days),
            Event.occurred_at <= now,
        )
        .group_by(Event.customer_id, Event.category_id)
        .having(func.count() >= rule.min_views)
        .subquery("views")
    )
    bought_line = exists().where(
        Order.customer_id == views.c.customer_id,
        Order.placed_at >= views.c.first_view,
        Order.placed_at <= now,
        OrderLine.order_id == Order.id,
        Product.id == OrderLine.product_id,
        Product.category_id == views.c.category_id,
    )
    purchase = Event.__table__.alias("purchase")
    bought_event = exists().where(
        purchase.c.customer_id == views.c.customer_id,
        purchase.c.type == "purchase",
        purchase.c.category_id == views.c.category_id,
        purchase.c.occurred_at >= views.c.first_view,
        purchase.c.occurred_at <= now,
    )
    cause = views.c.category_id.cast(String) + literal(f"@{period}")
    rows = await conn.execute(
        select(views).where(
            ~or_(bought_line, bought_event), not_queued(key_expr(rule.name, views.c.customer_id, cause))
        )
    )
    return [
        Firing(
            r.customer_id,
            f"{r.category_id}@{period}",
            {
                "category_id": r.category_id,
                "views": r.views,
                "first_view_at": r.first_view.isoformat(),
            },
            now,
        )
        for r in rows
    ]


DIGITAL_CHANNELS = ("email", "sms", "push", "in_app")
# A moment of the last day keeps its member from the always-on pass even once decided: the pass
# runs several times a day, and would otherwise follow at once the decision it has just seen made
# (running the rules again at one moment must queue nothing new).
MOMENT_HOLD = timedelta(days=1)


async def always_on(conn: AsyncConnection, rule: AlwaysOn, now: datetime) -> list[Firing]:
    """Today's share of the members (id mod cycle = day mod cycle) who can be reached on a digital
    channel and are not another rule's within `quiet_days` (see `AlwaysOn`); once per member and
    cycle."""
    today = day_of(now)
    cycle = today // rule.cycle_days
    since = now - timedelta(days=rule.quiet_days)
    reachable = exists().where(
        ChannelConsent.customer_id == Customer.id,
        ChannelConsent.channel.in_(DIGITAL_CHANNELS),
        ChannelConsent.granted.is_(True),
        ChannelConsent.opted_out_at.is_(None),
    )
    # another rule's decision still to come, one made in the last day, or its holdout: the member
    # is that decision's
    left_to_another = exists().where(
        QueuedTrigger.customer_id == Customer.id,
        QueuedTrigger.rule != rule.name,
        QueuedTrigger.created_at >= since,
        QueuedTrigger.created_at <= now,
        or_(
            QueuedTrigger.status.in_(("pending", "claimed")),
            QueuedTrigger.arm == "control",
            QueuedTrigger.created_at > now - MOMENT_HOLD,
        ),
    )
    lapsed = lapsed_members(rule, now) if rule.lapsed_use_case is not None else None
    statement = select(
        Customer.id,
        (lapsed.c.customer_id.is_not(None) if lapsed is not None else literal(False)).label("lapsed"),
    )
    if lapsed is not None:
        statement = statement.outerjoin(lapsed, lapsed.c.customer_id == Customer.id)
    rows = await conn.execute(
        statement.where(
            Customer.id % rule.cycle_days == today % rule.cycle_days,
            Customer.joined_at <= now,
            reachable,
            ~left_to_another,
            not_queued(key_expr(rule.name, Customer.id, literal(f"cycle{cycle}"))),
        )
    )
    return [
        Firing(
            r.id,
            f"cycle{cycle}",
            {"cycle": cycle, "always_on": True, **({"lapsed": True} if r.lapsed else {})},
            now,
            use_case=rule.lapsed_use_case if r.lapsed else None,
        )
        for r in rows
    ]
