"""Planning and executing campaigns on a seeded world (300 members, the world's last day)."""

from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import func, select

from agents.team import local_model
from loyalty.ops.adapters import GuardReviewer, template_copy
from loyalty.wiring import Product, open_agents
from policies.engine import check_batch
from policies.judgement import judge
from policies.proposal import OfferProposal
from policies.vocabulary import Channel, OfferType, UseCase, Verdict
from tests.mcp_servers.seeded_world import SeededWorld
from tools.campaigns.allocation import Limit
from tools.campaigns.execute import execute_campaign
from tools.campaigns.market import rival_discounts
from tools.campaigns.plan import CampaignDeps, CampaignPlan, plan_campaign
from tools.campaigns.ports import Review
from tools.decisions.approvals import record_verdict
from tools.decisions.holdout import Arm
from tools.errors import InvalidInput, NotFound
from tools.nba.member_scoring import MomentContext, score_member
from tools.nba.response_fit import ResponseRates, fit_response
from tools.storage.models import (
    Budget,
    ChannelConsent,
    Contact,
    Customer,
    ExperimentAssignment,
    GuardVerdict,
    Proposal,
)


@asynccontextmanager
async def opened(
    world: SeededWorld, rates: ResponseRates | None = None
) -> AsyncIterator[tuple[Product, CampaignDeps]]:
    """`rates` None: the response fitted from the world's history, as in production."""
    async with world.open() as product:
        yield product, CampaignDeps(product.db, product.policy, product.profiles, template_copy, rates=rates)


# This small world's history holds too few message-led orders for any paid offer to be worth its
# cost on the fitted response, so plans from it carry no spend. Tests of what budgets, fairness and
# reviews do with paid offers plan on the hand-set priors (a retailer with no history yet).
PRIORS = ResponseRates()


async def plan_for(
    deps: CampaignDeps,
    world: SeededWorld,
    segment: str = "all",
    budget: float = 5_000.0,
    limit: int | None = None,
    use_case: str = "reactivation",
) -> CampaignPlan:
    return await plan_campaign(deps, use_case, segment, budget, limit, now=world.now)


@dataclass
class RecordingReviewer:
    """A guard stand-in that records real verdicts (so approvals exist) and approves by a rule."""

    product: Product
    approves: Callable[[OfferProposal], bool]
    model_name: str = "test-guard"
    reviewed: list[OfferProposal] = field(default_factory=list)

    async def __call__(self, proposal: OfferProposal, trace_id: str) -> Review:
        self.reviewed.append(proposal)
        verdict = Verdict.APPROVE if self.approves(proposal) else Verdict.REJECT
        code = "test.approved" if verdict is Verdict.APPROVE else "test.rejected"
        record = await record_verdict(
            self.product.db,
            proposal,
            verdict=verdict,
            reasons=[{"rule_id": code, "message": "decided by the test"}],
            policy_version="test",
            guard_model=self.model_name,
            trace_id=trace_id,
            now=self.product.deps.clock(),
            approval_ttl=timedelta(hours=24),
        )
        return Review(
            verdict=verdict,
            proposal=proposal,
            approval_id=record.approval_id,
            review_id=None,
            trace_id=trace_id,
            codes=(code,),
            messages=("decided by the test",),
        )


async def campaign_contacts(product: Product, plan: CampaignPlan) -> list[Contact]:
    customers = [m.proposal.customer_id for m in plan.members]
    async with product.db.session() as session:
        return list(
            (
                await session.scalars(
                    select(Contact).where(Contact.customer_id.in_(customers), Contact.id > plan.watermark)
                )
            ).all()
        )


async def test_a_plan_stays_within_its_budget_and_member_limit(world: SeededWorld) -> None:
    async with opened(world, PRIORS) as (_, deps):
        small = await plan_for(deps, world, budget=60.0)
        limited = await plan_for(deps, world, limit=3)
    assert 0 < sum(m.proposal.estimated_cost for m in small.members) <= 60.0
    assert small.preview.budget_committed <= 60.0
    assert small.preview.limited_by is Limit.BUDGET
    assert len(limited.members) == 3
    assert limited.preview.limited_by is Limit.MEMBERS


async def test_the_budget_left_in_storage_caps_the_request(world: SeededWorld) -> None:
    async with opened(world) as (product, deps):
        async with product.db.session() as session:
            budget = await session.scalar(select(Budget).where(Budget.use_case == "reactivation"))
        assert budget is not None
        left = budget.amount - budget.spent
        plan = await plan_for(deps, world, budget=left * 100)
    assert plan.preview.budget_available == pytest.approx(left, abs=0.01)
    assert plan.preview.budget_committed <= left


async def test_members_are_chosen_by_value_per_dollar(world: SeededWorld) -> None:
    async with opened(world) as (_, deps):
        plan = await plan_for(deps, world, budget=150.0)
        everyone = await plan_for(deps, world, budget=1_000_000.0)
    ratio = [
        m.proposal.value.expected_value / m.proposal.estimated_cost if m.proposal.estimated_cost else np.inf
        for m in plan.members
    ]
    assert ratio == sorted(ratio, reverse=True)  # in the order chosen: free actions, then best per dollar
    chosen = {m.proposal.customer_id for m in plan.members}
    left_out = [m.proposal for m in everyone.members if m.proposal.customer_id not in chosen]
    room = 150.0 - plan.preview.budget_committed
    paid = [r for r in ratio if np.isfinite(r)]
    for proposal in left_out:  # everyone left out was worth less per dollar, or no longer fitted
        assert (
            proposal.estimated_cost > room
            or proposal.value.expected_value / proposal.estimated_cost <= paid[-1]
        )


@pytest.mark.parametrize("use_case", [UseCase.REACTIVATION, UseCase.COMPETITIVE_RESPONSE])
async def test_the_campaign_values_members_as_the_specialists_scorer_does(
    world: SeededWorld, use_case: UseCase
) -> None:
    async with opened(world) as (product, deps):
        plan = await plan_for(deps, world, use_case=use_case.value)
        rivals = await rival_discounts(product.db, world.now)
        rates = await fit_response(product.db, world.now)  # what the offers server scores with
        assert plan.members and not rates.empty
        for member in plan.members[:8]:
            proposal = member.proposal
            category = proposal.offer.categories[0] if proposal.offer.categories else None
            moment = MomentContext(
                anchor_category=category,
                competitor_discount_pct=rivals.get(category or "")
                if use_case is UseCase.COMPETITIVE_RESPONSE
                else None,
            )
            profile = await product.profiles.profile(proposal.customer_id, world.now)
            scored = await score_member(
                product.db,
                profile,
                use_case,
                moment,
                now=world.now,
                policy=product.policy,
                top=50,
                rates=rates,
            )
            offer = proposal.offer
            same = [
                c
                for c in scored["candidates"]
                if c["channel"] == proposal.channel.value
                and c["offer_type"] == offer.type.value
                and (c.get("discount_pct") or None) == offer.discount_pct
                and (c.get("amount_off") or None) == offer.amount_off
                and (c.get("points_multiplier") or None) == offer.points_multiplier
                and (c.get("bonus_points") or None) == offer.bonus_points
            ]
            assert len(same) == 1, (proposal.customer_id, offer)
            assert same[0]["value"] == pytest.approx(proposal.value.expected_value, abs=0.05)
            assert same[0]["cost_if_redeemed"] == pytest.approx(proposal.estimated_cost, abs=0.01)
            assert same[0]["send_at"] == proposal.send_at.isoformat()


async def test_the_campaign_scores_with_the_response_fitted_from_history(world: SeededWorld) -> None:
    async with opened(world) as (_, deps):
        fitted = await plan_for(deps, world)
        given = await plan_for(replace(deps, rates=await fit_response(deps.db, world.now)), world)
        priors = await plan_for(replace(deps, rates=ResponseRates()), world)  # no history: priors

    def values(plan: CampaignPlan) -> dict[int, float]:
        return {m.proposal.customer_id: m.proposal.value.expected_value for m in plan.members}

    assert values(fitted) and values(fitted) == values(given)
    # The hand-set priors value members differently: the fitted response is what decides.
    assert values(fitted) != values(priors)


async def test_no_planned_proposal_breaks_a_blocking_rule_or_the_judgement(world: SeededWorld) -> None:
    async with opened(world, PRIORS) as (product, deps):
        plan = await plan_for(deps, world)
    assert plan.members
    results = check_batch(plan.proposals, [m.context for m in plan.members], product.policy)
    assert not [r.blocking for r in results if r.blocking]
    assert all(not judge(m.proposal) for m in plan.members if "value" not in m.flags)
    assert {m.flagged for m in plan.members} >= {False}
    assert all(
        m.flags == tuple(str(v.rule_id) for v in m.check.violations)
        for m in plan.members
        if "name" not in m.flags and "value" not in m.flags
    )
    # what the checks said is in the preview, by rule id
    counted = {r.rule_id: r for r in plan.preview.rule_outcomes}
    assert counted["review.high_value"].review >= sum("review.high_value" in m.flags for m in plan.members)


async def test_holdout_members_are_never_planned(world: SeededWorld) -> None:
    async with opened(world) as (product, deps):
        plan = await plan_for(deps, world)
        async with product.db.session() as session:
            control = set(
                await session.scalars(
                    select(ExperimentAssignment.customer_id).where(
                        ExperimentAssignment.use_case == "reactivation",
                        ExperimentAssignment.arm == Arm.CONTROL.value,
                    )
                )
            )
    assert control and plan.preview.holdout == len(control)
    assert not control & {m.proposal.customer_id for m in plan.members}


async def test_fairness_is_checked_and_an_unfair_plan_is_not_executed(world: SeededWorld) -> None:
    async with opened(world, PRIORS) as (product, deps):
        fairness = product.policy.fairness.discount_depth.model_copy(
            update={"tolerance_pct_points": 0.0, "min_group_size": 1}
        )
        strict = product.policy.model_copy(
            update={"fairness": product.policy.fairness.model_copy(update={"discount_depth": fairness})}
        )
        fair = await plan_for(deps, world)
        unfair = await plan_for(replace(deps, policy=strict), world)
        assert fair.fair and fair.fairness.violations == ()
        assert not unfair.fair and not unfair.preview.fair and unfair.preview.fairness
        with pytest.raises(InvalidInput, match="unfair"):
            await execute_campaign(
                unfair,
                product.db,
                RecordingReviewer(product, lambda p: True),
                policy_version="test",
                now=world.now,
            )
        async with product.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Proposal)) == 0


async def test_execute_queues_exactly_the_approved_ones_once(world: SeededWorld) -> None:
    async with opened(world) as (product, deps):
        plan = await plan_for(deps, world)
        async with product.db.session() as session:
            spent_before = await session.scalar(select(Budget.spent).where(Budget.use_case == "reactivation"))
        async with open_agents(product, local_model()) as team:
            result = await execute_campaign(
                plan,
                product.db,
                GuardReviewer(team.guard),
                policy_version=product.policy.version,
                now=world.now,
            )
            with pytest.raises(InvalidInput, match="already executed"):
                await execute_campaign(
                    plan,
                    product.db,
                    GuardReviewer(team.guard),
                    policy_version=product.policy.version,
                    now=world.now,
                )
        contacts = await campaign_contacts(product, plan)
        async with product.db.session() as session:
            spent_after = await session.scalar(select(Budget.spent).where(Budget.use_case == "reactivation"))
            used = (
                (
                    await session.execute(
                        select(GuardVerdict.proposal_id).where(GuardVerdict.approval_used_at.is_not(None))
                    )
                )
                .scalars()
                .all()
            )
            unused = await session.scalar(
                select(func.count())
                .select_from(GuardVerdict)
                .where(GuardVerdict.approval_id.is_not(None), GuardVerdict.approval_used_at.is_(None))
            )
    assert result.guard_reviews == result.variants + result.flagged < len(plan.members)
    assert result.queued == len(contacts) == result.approved - result.refused > 0
    assert max(Counter(c.customer_id for c in contacts).values()) == 1  # nothing twice
    assert {c.proposal_id for c in contacts} == set(used)  # each send consumed its own approval
    assert unused == result.refused
    assert result.in_review == sum("review.high_value" in m.flags for m in plan.members)
    assert spent_before is not None and spent_after is not None
    assert spent_after - spent_before == pytest.approx(result.budget_reserved, abs=0.01)
    sent = {c.customer_id: c for c in contacts}
    for member in plan.members:  # what was queued is exactly what was planned and approved
        if member.proposal.customer_id in sent:
            assert sent[member.proposal.customer_id].body == member.proposal.message.text


async def test_members_inherit_their_variants_review(world: SeededWorld) -> None:
    async with opened(world, PRIORS) as (product, deps):
        plan = await plan_for(deps, world)
        reviewer = RecordingReviewer(product, lambda p: p.offer.type is not OfferType.PERCENT_OFF)
        result = await execute_campaign(plan, product.db, reviewer, policy_version="test", now=world.now)
        contacts = await campaign_contacts(product, plan)
    percent = {m.proposal.customer_id for m in plan.members if m.proposal.offer.type is OfferType.PERCENT_OFF}
    others = {m.proposal.customer_id for m in plan.members} - percent
    assert percent and others
    assert len(reviewer.reviewed) == result.guard_reviews < len(plan.members)
    assert not {c.customer_id for c in contacts} & percent
    assert {c.customer_id for c in contacts} == others
    assert result.rejected == len(percent)
    assert result.rejected_by == {"test.rejected": len(percent)}


async def test_members_contacted_or_opted_out_after_planning_are_refused_at_send(world: SeededWorld) -> None:
    async with opened(world) as (product, deps):
        plan = await plan_for(deps, world)
        contacted, opted_out = plan.members[0].proposal, plan.members[1].proposal
        async with product.db.session() as session, session.begin():
            session.add(
                Contact(
                    idempotency_key="trigger:after-plan",
                    customer_id=contacted.customer_id,
                    channel=contacted.channel.value,
                    use_case="upsell",
                    status="queued",
                    attempts=0,
                    scheduled_at=world.now.replace(tzinfo=None),
                )
            )
            consent = await session.get(ChannelConsent, (opted_out.customer_id, opted_out.channel.value))
            assert consent is not None
            consent.opted_out_at = world.now.replace(tzinfo=None)
        result = await execute_campaign(
            plan, product.db, RecordingReviewer(product, lambda p: True), policy_version="test", now=world.now
        )
        contacts = await campaign_contacts(product, plan)
    assert result.refused_by == {"rules": 2}
    queued = {c.customer_id for c in contacts if c.idempotency_key.startswith("approval:")}
    assert not queued & {contacted.customer_id, opted_out.customer_id}
    assert result.queued == len(queued) == len(plan.members) - 2


async def test_members_whose_quiet_hours_now_cover_the_send_are_refused(world: SeededWorld) -> None:
    async with opened(world) as (product, deps):
        plan = await plan_for(deps, world)
        moved = next(m.proposal for m in plan.members if m.proposal.channel is not Channel.IN_STORE)
        async with product.db.session() as session, session.begin():
            member = await session.get(Customer, moved.customer_id)
            assert member is not None
            hour = moved.send_at.astimezone(ZoneInfo(member.time_zone)).hour
            member.quiet_start_hour, member.quiet_end_hour = hour, (hour + 1) % 24
        result = await execute_campaign(
            plan, product.db, RecordingReviewer(product, lambda p: True), policy_version="test", now=world.now
        )
        contacts = await campaign_contacts(product, plan)
    assert result.refused_by == {"rules": 1}
    assert moved.customer_id not in {c.customer_id for c in contacts}
    assert result.queued == len(contacts) == len(plan.members) - 1


async def test_requests_that_cannot_be_planned_say_why(world: SeededWorld) -> None:
    async with opened(world) as (_, deps):
        with pytest.raises(NotFound, match="no segment 'nobody'"):
            await plan_for(deps, world, segment="nobody")
        with pytest.raises(InvalidInput, match="decided per trigger"):
            await plan_for(deps, world, use_case=UseCase.CART_ABANDONMENT.value)
        with pytest.raises(InvalidInput, match="budget"):
            await plan_for(deps, world, budget=-5)
