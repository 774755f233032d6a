"""Turning what a policy sent into `SentOffer`s the response model can judge, and counting the
rules a message broke (the harness's own check of every policy's messages, the agents' included)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from evals.simulation.environment import SimWorld
from evals.simulation.responses import SentOffer
from policies.engine import check_batch
from policies.model import Policy
from policies.proposal import Message, Offer, OfferProposal, ValueEstimate
from policies.vocabulary import Channel, OfferType, Tone, UseCase
from tools.rule_facts import ProfileFacts, rule_context
from tools.storage import Contact, Proposal
from tools.world import OFFERS_BY_CODE, SMS_OPT_OUT


async def sent_between(world: SimWorld, begin: datetime, end: datetime) -> list[SentOffer]:
    async with world.db.session() as session:
        rows = (
            await session.execute(
                select(Contact, Proposal.content)
                .outerjoin(Proposal, Proposal.id == Contact.proposal_id)
                .where(
                    Contact.status == "sent",
                    Contact.sent_at >= begin.replace(tzinfo=None),
                    Contact.sent_at < end.replace(tzinfo=None),
                )
                .order_by(Contact.id)
            )
        ).all()
    return [_offer_of(contact, content) for contact, content in rows]


def _offer_of(contact: Contact, content: dict | None) -> SentOffer:
    assert contact.sent_at is not None
    base = {
        "contact_id": contact.id,
        "customer_id": contact.customer_id,
        "channel": contact.channel,
        "sent_at": contact.sent_at,
        "use_case": contact.use_case or "reactivation",
    }
    if content is not None:
        proposal = OfferProposal.model_validate(content)
        offer = proposal.offer
        # The scorer's own expectation, kept beside the truth so the report can show how well it predicts.
        base |= {"predicted_uplift": proposal.value.uplift, "predicted_value": proposal.value.expected_value}
        return SentOffer(
            **base,
            content=content,
            offer_type=offer.type,
            discount_pct=offer.discount_pct,
            amount_off=offer.amount_off,
            points_multiplier=offer.points_multiplier,
            bonus_points=offer.bonus_points,
            free_shipping=offer.free_shipping,
            skus=offer.skus,
            categories=offer.categories,
            min_spend=offer.min_spend,
            valid_until=proposal.valid_until.astimezone(UTC).replace(tzinfo=None),
        )
    spec = OFFERS_BY_CODE.get(contact.offer_code or "REMINDER", OFFERS_BY_CODE["REMINDER"])
    return SentOffer(
        **base,
        offer_type=spec.type,
        discount_pct=spec.discount_pct,
        amount_off=spec.amount_off,
        points_multiplier=spec.points_multiplier,
        bonus_points=spec.bonus_points,
        free_shipping=spec.type is OfferType.FREE_SHIPPING,
        min_spend=spec.min_spend or None,
    )


def as_proposal(sent: SentOffer) -> OfferProposal:
    """The proposal a message was sent as (the agents'); or a baseline's
    message as the proposal it would have been, so the rules can judge it."""
    at = sent.sent_at.replace(tzinfo=UTC)
    if sent.content is not None:  # judged at the send time it was approved for (delivery runs hourly here)
        return OfferProposal.model_validate(sent.content)
    value_fields = {
        k: v
        for k, v in (
            ("discount_pct", sent.discount_pct),
            ("amount_off", sent.amount_off),
            ("points_multiplier", sent.points_multiplier),
            ("bonus_points", sent.bonus_points),
        )
        if v
    }
    if sent.offer_type is OfferType.FREE_SHIPPING:
        value_fields["free_shipping"] = True
    return OfferProposal(
        customer_id=sent.customer_id,
        use_case=UseCase(sent.use_case),
        channel=Channel(sent.channel),
        send_at=at,
        valid_from=at,
        valid_until=at + timedelta(days=7),
        offer=Offer(type=sent.offer_type, skus=sent.skus, categories=sent.categories, **value_fields),
        message=Message(
            tone=Tone.WARM,
            subject="An offer for you" if sent.channel == "email" else None,
            body=f"An offer for members.{' ' + SMS_OPT_OUT if sent.channel == 'sms' else ''}",
        ),
        rationale="baseline",
        value=ValueEstimate(
            propensity=0.0, uplift=0.0, expected_margin=0.0, cost=0.0, fatigue_penalty=0.0, expected_value=0.0
        ),
        estimated_cost=0.0,
    )


async def count_violations(
    world: SimWorld, sent: list[SentOffer], policy: Policy, facts: dict[int, ProfileFacts]
) -> int:
    """Messages among `sent` that break a blocking rule, judged as of their send time."""
    return sum(await blocked(world, sent, policy, facts))


async def blocked(
    world: SimWorld,
    sent: list[SentOffer],
    policy: Policy,
    facts: dict[int, ProfileFacts],
    *,
    planned: bool = False,
) -> list[bool]:
    """Whether each message breaks a blocking rule, judged by the rules engine as of its send time
    against the contact history then (the harness's own check, whoever sent it). A message's own
    proposal is judged when it has one (the agents'); otherwise the message as a proposal.
    `cost.understated` is left out for everyone: it judges the proposal's own bookkeeping (its
    stated cost against the face value the profile gives as of the check), not what the member
    received, and baselines state no costs at all. `planned`: the messages are not in the contact
    history yet (the oracle asking before it sends)."""
    proposals, contexts = [], []
    async with world.db.session() as session:
        for s in sent:
            proposal = as_proposal(s)
            context = await rule_context(
                session,
                proposal,
                facts[s.customer_id],
                now=proposal.send_at,
                lookback=timedelta(days=14),
                ignore_window=timedelta(days=3),
            )
            # Judged against the history as of its send time: the messages that went out before it
            # (the message itself, already in the history once sent, and later ones left out). Before
            # sending, everything already planned counts.
            others = (
                context.recent_contacts
                if planned
                else tuple(
                    c
                    for c in context.recent_contacts
                    if c.sent_at <= proposal.send_at
                    and (c.sent_at != proposal.send_at or c.channel != proposal.channel)
                )
            )
            proposals.append(proposal)
            contexts.append(context.model_copy(update={"recent_contacts": others}))
    results = check_batch(proposals, contexts, policy) if proposals else []
    return [any(v.rule_id != "cost.understated" for v in r.blocking) for r in results]
