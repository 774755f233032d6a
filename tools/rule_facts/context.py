"""Filling a `RuleContext` from storage: the facts the rules engine judges a proposal against.

The member-level facts that come from the profile (segments, freshness, expected basket) are
passed in by the caller, so this module only reads what is stored about contacts, consent, money
and stock — and reads it inside the caller's session when one is given, so a re-check at send
time sees the same locked state it then writes.
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.context import RecentContact, RuleContext, SkuFacts
from policies.proposal import OfferProposal, offer_fingerprint
from policies.vocabulary import Channel, UseCase
from tools.budgets import BudgetState, budget_state
from tools.members import RECENT_CONTACTS, member_with_consents
from tools.profiles import Profile
from tools.storage import Category, Contact, Database, Inventory, Product, Proposal
from tools.time import to_storage

if TYPE_CHECKING:  # the service's module brings scikit-learn, which the channels server never needs
    from tools.profiles import ProfileService


@dataclass(frozen=True)
class ProfileFacts:
    """What the profile contributes to a rule check."""

    segments: frozenset[str]
    stale: bool
    data_age_hours: float
    basket_value: float
    basket_margin: float
    postcode_group: str | None = None
    demographic_group: str | None = None


@dataclass(frozen=True)
class SkuCost:
    price: float
    unit_cost: float


# Built once: a decision runs a rule check three times (the specialist's check, the guard's
# verdict, the re-check at send), and building a statement costs more than running it.
_LIVE_CONTACTS = RECENT_CONTACTS.add_columns(Proposal.content).outerjoin(
    Proposal, Proposal.id == Contact.proposal_id
)


async def rule_context(
    session: AsyncSession,
    proposal: OfferProposal,
    profile: ProfileFacts,
    *,
    now: datetime,
    lookback: timedelta,
    ignore_window: timedelta,
    budget: BudgetState | None = None,
) -> RuleContext:
    """The stored facts about the proposal's member; `budget` when the caller has read it already."""
    customer_id = proposal.customer_id
    member, consents = await member_with_consents(session, customer_id)
    recent = await _recent_contacts(
        session, customer_id, now=now, lookback=lookback, ignore_window=ignore_window
    )
    ignored = 0
    for _, was_ignored in recent:  # newest first: count until the member last engaged
        if not was_ignored:
            break
        ignored += 1
    return RuleContext(
        customer_id=customer_id,
        now=now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC),
        tier=member.tier or "bronze",
        segments=profile.segments,
        time_zone=member.time_zone,
        consents={Channel(c.channel): c.granted for c in consents},
        opted_out=frozenset(Channel(c.channel) for c in consents if c.opted_out_at is not None),
        recent_contacts=tuple(contact for contact, _ in recent),
        consecutive_ignored=ignored,
        profile_stale=profile.stale,
        data_age_hours=float(profile.data_age_hours),
        budget_remaining=(budget or await budget_state(session, proposal.use_case, now)).remaining,
        skus=await _sku_facts(session, proposal),
        expected_basket_value=max(float(profile.basket_value), 0.01),
        expected_basket_margin=min(float(profile.basket_margin), max(float(profile.basket_value), 0.01)),
        postcode_group=profile.postcode_group,
        demographic_group=profile.demographic_group,
    )


async def _recent_contacts(
    session: AsyncSession, customer_id: int, *, now: datetime, lookback: timedelta, ignore_window: timedelta
) -> list[tuple[RecentContact, bool]]:
    """Live contacts newest first, each with whether the member ignored it."""
    moment = to_storage(now)
    rows = (await session.execute(_LIVE_CONTACTS, {"member": customer_id, "since": moment - lookback})).all()
    recent = []
    for row in rows:
        when = row.sent_at or row.scheduled_at
        recent.append(
            (
                RecentContact(
                    channel=Channel(row.channel),
                    sent_at=when.replace(tzinfo=UTC),
                    offer_fingerprint=_fingerprint(row.content, row.offer_code),
                    use_case=UseCase(row.use_case) if row.use_case else UseCase.REACTIVATION,
                ),
                row.status == "sent" and not row.engaged and moment - when >= ignore_window,
            )
        )
    return recent


def _fingerprint(content: dict | None, offer_code: str | None) -> str:
    if content is not None:
        return offer_fingerprint(OfferProposal.model_validate(content).offer)
    # Messages from before the agents (imported history) carry only a coupon code.
    return hashlib.sha256(f"code:{offer_code or 'none'}".encode()).hexdigest()


async def _sku_facts(session: AsyncSession, proposal: OfferProposal) -> dict[str, SkuFacts]:
    skus = set(proposal.offer.skus) | ({proposal.offer.gift_sku} if proposal.offer.gift_sku else set())
    if not skus:
        return {}
    rows = (
        await session.execute(
            select(Product, Inventory.on_hand, Category.name)
            .join(Category, Category.id == Product.category_id)
            .outerjoin(Inventory, Inventory.product_id == Product.id)
            .where(Product.sku.in_(skus))
        )
    ).all()
    return {
        product.sku: SkuFacts(
            price=float(product.price),
            unit_cost=float(product.unit_cost),
            available_units=int(on_hand or 0),
            full_price=bool(product.full_price_only),
            category=category,
        )
        for product, on_hand, category in rows
    }


def expected_order(
    typical: float, margin_rate: float | None, offer_items: Sequence[SkuCost] = ()
) -> tuple[float, float]:
    """`(value, gross margin)` of the order an offer is judged on: the member's usual basket at their
    usual margin rate, or the offer's own products when they cost more (a high-ticket cart) — and
    then at those products' own margin, which is known, not the member's average (a thin-margin
    item must not borrow the margin of what the member usually buys)."""
    offer_value = sum(item.price for item in offer_items)
    if offer_value > typical and offer_value >= 1.0:
        return offer_value, sum(item.price - item.unit_cost for item in offer_items)
    basket = max(typical, 1.0)
    return basket, basket * (margin_rate if margin_rate is not None else 0.0)


def facts_from_profile(
    profile: Profile, proposal: OfferProposal, sku_costs: Mapping[str, SkuCost]
) -> ProfileFacts:
    """The rule facts a profile gives for one proposal. The expected order is the member's usual
    basket, or the offer's own products when they cost more (see `expected_order`)."""
    typical = profile.monetary.expected_order_value or 0.0
    items = [sku_costs[sku] for sku in proposal.offer.skus if sku in sku_costs]
    basket, margin = expected_order(typical, profile.monetary.margin_rate, items)
    age = profile.demographics.age
    # The rule's data age is how old our copy of the member is: hours since their upstream sync, or
    # none for members fed continuously. A member who is merely quiet is not out of date.
    synced = profile.freshness.newest.get("sync")
    sync_age = (profile.as_of - synced).total_seconds() / 3600 if synced is not None else 0.0
    return ProfileFacts(
        segments=frozenset(profile.segments),
        stale=profile.freshness.stale,
        data_age_hours=max(sync_age, 0.0),
        basket_value=basket,
        basket_margin=margin,
        postcode_group=(profile.demographics.postcode or "")[:2] or None,
        demographic_group=None if age is None else f"age_{min(age // 15 * 15, 75)}",
    )


async def sku_costs_of(session: AsyncSession, skus: Iterable[str]) -> dict[str, SkuCost]:
    wanted = set(skus)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Product.sku, Product.price, Product.unit_cost).where(Product.sku.in_(wanted))
    )
    return {sku: SkuCost(float(price), float(unit_cost)) for sku, price, unit_cost in rows}


class ProfileFactsSource:
    """Rule facts for a proposal from the profile service (what the rules server is wired with)."""

    def __init__(self, db: Database, profiles: "ProfileService") -> None:
        self._db, self._profiles = db, profiles

    async def __call__(self, proposal: OfferProposal, now: datetime) -> ProfileFacts:
        profile = await self._profiles.profile(proposal.customer_id, now)
        costs: dict[str, SkuCost] = {}
        if proposal.offer.skus:
            async with self._db.session() as session:
                costs = await sku_costs_of(session, proposal.offer.skus)
        return facts_from_profile(profile, proposal, costs)
