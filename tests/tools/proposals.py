"""Builders for members, budgets and proposals that tests across layers share."""

from datetime import UTC, datetime, timedelta
from typing import Any

from policies.proposal import Message, Offer, OfferProposal, ValueEstimate
from policies.vocabulary import Channel, OfferType, Tone, UseCase, Verdict
from tools.decisions import VerdictRecord, record_verdict
from tools.storage.db import Database
from tools.storage.models import Budget, ChannelConsent, Customer, LoyaltyAccount

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def add_member(db: Database, customer_id: int = 1, *, budget: float = 1000.0) -> None:
    naive = NOW.replace(tzinfo=None)
    async with db.session() as s, s.begin():
        s.add(
            Customer(
                id=customer_id,
                external_id=f"M{customer_id}",
                first_name="Sarah",
                last_name="Lee",
                email="sarah@example.com",
                phone="+61400000012",
                time_zone="Australia/Sydney",
                joined_at=naive - timedelta(days=700),
            )
        )
        await s.flush()
        s.add(
            LoyaltyAccount(
                customer_id=customer_id,
                tier="silver",
                points_balance=500,
                lifetime_points=900,
                enrolled_at=naive - timedelta(days=700),
            )
        )
        for channel in Channel:
            s.add(
                ChannelConsent(customer_id=customer_id, channel=channel.value, granted=True, updated_at=naive)
            )
        for use_case in UseCase:
            if await s.get(Budget, _budget_id(use_case)) is None:
                s.add(
                    Budget(
                        id=_budget_id(use_case),
                        use_case=use_case.value,
                        period_start=naive - timedelta(days=10),
                        period_end=naive + timedelta(days=20),
                        amount=budget,
                        spent=0.0,
                    )
                )


def _budget_id(use_case: UseCase) -> int:
    return list(UseCase).index(use_case) + 1


def proposal(
    customer_id: int = 1,
    *,
    discount: float = 10.0,
    cost: float = 15.0,
    channel: Channel = Channel.EMAIL,
    body: str = "Your new season activewear is here.",
) -> OfferProposal:
    return OfferProposal(
        customer_id=customer_id,
        use_case=UseCase.REACTIVATION,
        channel=channel,
        send_at=NOW + timedelta(hours=1),
        valid_from=NOW + timedelta(hours=1),
        valid_until=NOW + timedelta(days=3),
        offer=Offer(type=OfferType.PERCENT_OFF, discount_pct=discount, categories=("activewear",)),
        message=Message(
            tone=Tone.WARM,
            subject="New season, picked for you" if channel is Channel.EMAIL else None,
            body=body,
        ),
        rationale="Lapsing activewear regular; modest incentive on the new collection.",
        # Consistent with DESIGN §5: uplift × basket margin (40 / 0.3) − expected cost − fatigue.
        value=ValueEstimate(
            propensity=0.3,
            uplift=0.1,
            expected_margin=40.0,
            cost=round(0.3 * cost, 2),
            fatigue_penalty=0.5,
            expected_value=round(0.1 * 40.0 / 0.3 - 0.3 * cost - 0.5, 2),
        ),
        estimated_cost=cost,
    )


async def approve(
    db: Database, p: OfferProposal, *, now: datetime = NOW, ttl: timedelta = timedelta(hours=2), **kw: Any
) -> VerdictRecord:
    """The guard's approval of `p`, recorded as the channels door expects it."""
    return await record_verdict(
        db,
        p,
        verdict=Verdict.APPROVE,
        reasons=[],
        policy_version="t1",
        guard_model="local",
        trace_id="trace-1",
        now=now,
        approval_ttl=ttl,
        **kw,
    )
