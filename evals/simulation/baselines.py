"""The policies the agents are measured against (issue: evals): what retailers commonly do.

- `nothing`: no messages at all; the counterfactual every incremental figure is measured from.
- `blast`: 15% off by e-mail to every member who accepts e-mail, every week.
- `rules`: 60 days inactive → 20% off e-mail; abandoned cart → 10% off e-mail after an hour;
  purchase → a "you may also like" e-mail the next day.
- `flows` (`evals.simulation.flows`): what a competent Klaviyo user sets up.
- `oracle` (`evals.simulation.oracle`): knows the hidden traits; the ceiling.
Baselines respect consent (anything else is unlawful, not a strategy) but no other rule; the rules
engine counts what they break. The oracle obeys every rule, as the agents must.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from evals.simulation.environment import SimWorld
from tools.storage import Base, BehaviouralEvent, ChannelConsent, Contact, Order, bulk_insert


@dataclass(frozen=True)
class Planned:
    customer_id: int
    code: str  # an offer template code (tools.world.offers)
    use_case: str
    send_at: datetime  # naive UTC
    channel: str = "email"
    categories: tuple[str, ...] = ()  # the categories the message is about (the offer's scope)
    skus: tuple[str, ...] = ()  # the products it names (a bundle's)


async def email_members(world: SimWorld) -> list[int]:
    async with world.db.session() as session:
        return list(
            (
                await session.scalars(
                    select(ChannelConsent.customer_id).where(
                        ChannelConsent.channel == "email", ChannelConsent.granted.is_(True)
                    )
                )
            ).all()
        )


class Nothing:
    name = "nothing"

    async def plan(self, world: SimWorld, day: int, now: datetime) -> list[Planned]:
        return []


class WeeklyBlast:
    name = "blast"

    async def plan(self, world: SimWorld, day: int, now: datetime) -> list[Planned]:
        if day % 7:
            return []
        at = now.replace(hour=23, minute=0, tzinfo=None)  # about 10:00 the next morning in eastern Australia
        return [Planned(m, "PCT15", "reactivation", at) for m in await email_members(world)]


class SimpleRules:
    name = "rules"

    async def plan(self, world: SimWorld, day: int, now: datetime) -> list[Planned]:
        naive = now.replace(tzinfo=None)
        since, until = naive - timedelta(days=1), naive
        consented = set(await email_members(world))
        async with world.db.session() as session:
            last = dict(
                (
                    await session.execute(
                        select(Order.customer_id, func.max(Order.placed_at)).group_by(Order.customer_id)
                    )
                ).all()
            )
            recently = set(
                (
                    await session.scalars(
                        select(Contact.customer_id).where(
                            Contact.offer_code == "PCT20", Contact.scheduled_at >= naive - timedelta(days=30)
                        )
                    )
                ).all()
            )
            carts = set(
                (
                    await session.scalars(
                        select(BehaviouralEvent.customer_id).where(
                            and_(
                                BehaviouralEvent.type == "cart_add",
                                BehaviouralEvent.occurred_at >= since,
                                BehaviouralEvent.occurred_at < until - timedelta(hours=1),
                            )
                        )
                    )
                ).all()
            )
        bought_today = {m for m, at in last.items() if since <= at < until}
        lapsed = {m for m, at in last.items() if naive - at >= timedelta(days=60)} - recently
        plans = [
            Planned(m, "PCT20", "reactivation", naive + timedelta(minutes=30))
            for m in sorted(lapsed & consented)
        ]
        plans += [
            Planned(m, "PCT10", "cart_abandonment", naive + timedelta(minutes=30))
            for m in sorted((carts - bought_today) & consented)
        ]
        plans += [
            Planned(m, "NEWIN", "upsell", naive + timedelta(hours=12))
            for m in sorted(bought_today & consented)
        ]
        return plans


async def send_planned(
    world: SimWorld, plans: list[Planned], tag: str
) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Baselines send straight to the outbox as delivered: no guard stands in their way. Returns
    the (categories, skus) each scoped message (by contact id) is about."""
    if not plans:
        return {}
    async with world.db.session() as session:
        start = int(await session.scalar(select(func.coalesce(func.max(Contact.id), 0))) or 0)
    async with world.db.engine.begin() as conn:
        await bulk_insert(
            conn,
            Base.metadata.tables["contacts"],
            {
                "id": [start + i + 1 for i in range(len(plans))],
                "idempotency_key": [f"{tag}-{start + i + 1}" for i in range(len(plans))],
                "customer_id": [p.customer_id for p in plans],
                "channel": [p.channel for p in plans],
                "use_case": [p.use_case for p in plans],
                "campaign": [tag] * len(plans),
                "offer_code": [p.code for p in plans],
                "subject": ["An offer for you"] * len(plans),
                "body": [f"{p.code} for members" for p in plans],
                "status": ["sent"] * len(plans),
                "attempts": [1] * len(plans),
                "scheduled_at": [p.send_at for p in plans],
                "sent_at": [p.send_at for p in plans],
            },
        )
    return {start + i + 1: (p.categories, p.skus) for i, p in enumerate(plans) if p.categories or p.skus}
