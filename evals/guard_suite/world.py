"""Putting a case's world into a fresh database, and serving its members' profile facts.

Everything the rules server reads comes from here: members with their consents and tiers,
products and stock, budgets, and earlier contacts (each stored with the proposal it carried, so
offer fingerprints, cart sequences and ignored messages are derived exactly as in production).
"""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from evals.guard_suite.cases import GuardCase, GuardContactSpec, GuardMemberSpec
from mcp_servers.shared import ProfileFactsLookup
from policies.proposal import OfferProposal, content_hash
from policies.vocabulary import Channel
from tools.rule_facts import ProfileFacts
from tools.storage import (
    Budget,
    Category,
    ChannelConsent,
    Contact,
    Customer,
    Database,
    Inventory,
    LoyaltyAccount,
    Outcome,
    Product,
    Proposal,
)
from tools.time import to_storage

_BUDGET_PERIOD = timedelta(days=15)  # on either side of the case's moment
_OPTED_OUT_AGO = timedelta(days=30)
_JOINED_AGO = timedelta(days=700)


async def build_world(db: Database, case: GuardCase) -> None:
    now = to_storage(case.now)
    world = case.world
    products = {sku: product for sku, product in world.products.items() if product is not None}
    category_ids = {
        name: index for index, name in enumerate(sorted({p.category for p in products.values()}), 1)
    }
    async with db.session() as session, session.begin():
        # Explicit ids and one flush per level of foreign keys keep a case's set-up to a few statements.
        session.add_all(_customer(customer_id, member, now) for customer_id, member in world.members.items())
        session.add_all(
            Category(id=index, name=name, department=name) for name, index in category_ids.items()
        )
        await session.flush()
        for customer_id, member in world.members.items():
            session.add(
                LoyaltyAccount(
                    customer_id=customer_id,
                    tier=member.tier.value,
                    points_balance=500,
                    lifetime_points=900,
                    enrolled_at=now - _JOINED_AGO,
                )
            )
            session.add_all(_consents(customer_id, member, now))
        for product_id, (sku, product) in enumerate(products.items(), 1):
            session.add(
                Product(
                    id=product_id,
                    sku=sku,
                    name=product.name,
                    category_id=category_ids[product.category],
                    price=product.price,
                    unit_cost=product.unit_cost,
                    full_price_only=product.full_price_only,
                )
            )
        for use_case, budget in world.budgets.items():
            if budget is not None:
                session.add(
                    Budget(
                        use_case=use_case.value,
                        period_start=now - _BUDGET_PERIOD,
                        period_end=now + _BUDGET_PERIOD,
                        amount=budget.amount,
                        spent=budget.spent,
                        paused=budget.paused,
                    )
                )
        await session.flush()
        for product_id, product in enumerate(products.values(), 1):
            if product.on_hand is not None:
                session.add(
                    Inventory(
                        product_id=product_id, on_hand=product.on_hand, weekly_demand=1.0, updated_at=now
                    )
                )
        for index, contact in enumerate(world.contacts):
            await _add_contact(session, index, contact, case.proposals[0])


def profile_source(case: GuardCase) -> ProfileFactsLookup:
    """The profile facts of the case's members, as the rules server asks for them."""
    facts = {
        customer_id: ProfileFacts(
            segments=frozenset(member.profile.segments),
            stale=member.profile.stale,
            data_age_hours=member.profile.data_age_hours,
            basket_value=member.profile.basket_value,
            basket_margin=member.profile.basket_margin,
            postcode_group=member.profile.postcode_group,
            demographic_group=member.profile.demographic_group,
        )
        for customer_id, member in case.world.members.items()
    }

    async def profile_facts(proposal: OfferProposal, now: datetime) -> ProfileFacts:
        return facts[proposal.customer_id]

    return profile_facts


def _customer(customer_id: int, member: GuardMemberSpec, now: datetime) -> Customer:
    return Customer(
        id=customer_id,
        external_id=f"M{customer_id}",
        first_name=member.first_name,
        last_name=member.last_name,
        email=f"member{customer_id}@example.com",
        phone="+447700900000",
        time_zone=member.time_zone,
        notes=member.notes,
        joined_at=now - _JOINED_AGO,
    )


def _consents(customer_id: int, member: GuardMemberSpec, now: datetime) -> list[ChannelConsent]:
    return [
        ChannelConsent(
            customer_id=customer_id,
            channel=channel.value,
            granted=granted,
            opted_out_at=now - _OPTED_OUT_AGO if channel in member.opted_out else None,
            updated_at=now,
        )
        for channel, granted in member.consents.items()
        if granted is not None
    ]


async def _add_contact(
    session: AsyncSession, index: int, contact: GuardContactSpec, template: OfferProposal
) -> None:
    # The earlier message is stored with a full proposal so the rules see its offer's fingerprint.
    at = to_storage(contact.at)
    data = template.model_dump(mode="json") | {
        "customer_id": contact.customer_id,
        "channel": contact.channel.value,
        "use_case": contact.use_case.value,
        "offer": contact.offer,
        "send_at": contact.at.isoformat(),
    }
    if contact.channel is not Channel.EMAIL:
        data["message"] = data["message"] | {"subject": None}
    earlier = OfferProposal.model_validate(data)
    proposal_id = hashlib.sha256(f"contact-{index}".encode()).hexdigest()[:36]
    session.add(
        Proposal(
            id=proposal_id,
            trace_id=f"history-{index}",
            customer_id=contact.customer_id,
            use_case=contact.use_case.value,
            channel=contact.channel.value,
            content=earlier.model_dump(mode="json"),
            content_hash=content_hash(earlier),
            estimated_cost=earlier.estimated_cost,
            expected_value=earlier.value.expected_value,
            status="sent",
            created_at=at,
        )
    )
    await session.flush()
    row = Contact(
        idempotency_key=f"history-{index}",
        customer_id=contact.customer_id,
        proposal_id=proposal_id,
        channel=contact.channel.value,
        use_case=contact.use_case.value,
        status=contact.status,
        attempts=1 if contact.status == "sent" else 0,
        scheduled_at=at,
        sent_at=at if contact.status == "sent" else None,
    )
    session.add(row)
    await session.flush()
    if contact.engaged:
        session.add(Outcome(contact_id=row.id, customer_id=contact.customer_id, type="open", occurred_at=at))
