"""What a person sees before confirming a campaign: who, what, for how much, and what the checks said."""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from policies.proposal import Offer
from policies.violation import CheckResult, Severity
from tools.campaigns.allocation import Limit
from tools.campaigns.audience import Audience
from tools.campaigns.planned import PlannedMember
from tools.campaigns.request import CampaignRequest

SAMPLES = 5


class OfferLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    offer: str
    channel: str
    members: int
    budget_committed: float  # face value if every member redeems
    expected_value: float


class SampleMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_id: int
    channel: str
    offer: str
    send_at: datetime
    subject: str | None
    body: str


class RuleOutcome(BaseModel):
    """How often a rule or judgement check fired over every proposal checked while planning
    (members who fell back to another candidate count once per proposal checked)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    block: int = 0
    review: int = 0
    warn: int = 0


class CampaignPreview(BaseModel):
    model_config = ConfigDict(frozen=True)

    campaign_id: str
    use_case: str
    segment: str
    planned_at: datetime
    profiles_as_of: datetime
    budget_requested: float
    budget_available: float  # the request, capped by what the use case's budget has left
    budget_paused: bool
    limit: int | None
    segment_members: int
    holdout: int
    stale: int
    audience: int
    eligible: int  # members with an action worth more than doing nothing
    compliant: int  # of those, members with an action that passes every rule and judgement check
    members: int  # chosen under the budget and limit
    limited_by: Limit
    expected_incremental_margin: (
        float  # Σ margin the campaign adds (with the future margin it retains), before costs
    )
    expected_cost: float  # Σ redemption-weighted offer cost plus contact cost
    expected_value: float  # Σ value over doing nothing (§5): the margin added less every cost
    budget_committed: float  # Σ face value: what the outbox reserves from the budget
    offers: list[OfferLine]
    samples: list[SampleMessage]
    rule_outcomes: list[RuleOutcome]
    fair: bool
    fairness: list[str]
    variants: int  # distinct offer-and-message variants: one guard review each on execution
    flagged: int  # members the guard reviews on their own (a rule asks for a person, or warns)


def describe_offer(offer: Offer) -> str:
    kind = offer.type.value
    if offer.discount_pct:
        text = f"{offer.discount_pct:g}% off"
    elif offer.amount_off:
        text = f"${offer.amount_off:g} off"
    elif offer.points_multiplier:
        text = f"{offer.points_multiplier:g}x points"
    elif offer.bonus_points:
        text = f"{offer.bonus_points:,} bonus points"
    elif offer.free_shipping:
        text = "free shipping"
    else:
        text = {"early_access": "early access", "none": "message only"}.get(kind, kind)
    return (
        f"{text} ({', '.join(offer.categories)})" if offer.categories and len(offer.categories) == 1 else text
    )


def preview(
    campaign_id: str,
    request: CampaignRequest,
    planned_at: datetime,
    as_of: datetime,
    audience: Audience,
    *,
    eligible: int,
    compliant: int,
    members: Sequence[PlannedMember],
    fairness: CheckResult,
    rules: Mapping[str, Counter],
    budget_available: float,
    budget_paused: bool,
    limited_by: Limit,
) -> CampaignPreview:
    proposals = [m.proposal for m in members]
    lines: dict[tuple[str, str], list[float]] = {}
    for p in proposals:
        kind = describe_offer(p.offer.model_copy(update={"categories": ()}))
        line = lines.setdefault((kind, p.channel.value), [0, 0.0, 0.0])
        line[0] += 1
        line[1] += p.estimated_cost
        line[2] += p.value.expected_value
    seen: set[str] = set()
    samples: list[SampleMessage] = []
    for m in members:  # one sample per variant, in the order chosen: the best value per dollar first
        if m.variant in seen or len(samples) >= SAMPLES:
            continue
        seen.add(m.variant)
        p = m.proposal
        samples.append(
            SampleMessage(
                customer_id=p.customer_id,
                channel=p.channel.value,
                offer=describe_offer(p.offer),
                send_at=p.send_at,
                subject=p.message.subject,
                body=p.message.text,
            )
        )
    return CampaignPreview(
        campaign_id=campaign_id,
        use_case=request.use_case.value,
        segment=request.segment,
        planned_at=planned_at,
        profiles_as_of=as_of,
        budget_requested=request.budget,
        budget_available=round(budget_available, 2),
        budget_paused=budget_paused,
        limit=request.limit,
        segment_members=audience.segment_size,
        holdout=audience.holdout,
        stale=audience.stale,
        audience=len(audience),
        eligible=eligible,
        compliant=compliant,
        members=len(proposals),
        limited_by=limited_by,
        expected_incremental_margin=round(
            sum(
                p.value.uplift / p.value.propensity * p.value.expected_margin
                for p in proposals
                if p.value.propensity > 0
            ),
            2,
        ),
        expected_cost=round(sum(p.value.cost for p in proposals), 2),
        expected_value=round(sum(p.value.expected_value for p in proposals), 2),
        budget_committed=round(sum(p.estimated_cost for p in proposals), 2),
        offers=[
            OfferLine(
                offer=kind,
                channel=channel,
                members=int(n),
                budget_committed=round(cost, 2),
                expected_value=round(value, 2),
            )
            for (kind, channel), (n, cost, value) in sorted(lines.items(), key=lambda item: -item[1][0])
        ],
        samples=samples,
        rule_outcomes=sorted(
            (
                RuleOutcome(rule_id=rule, **{str(s): n for s, n in counts.items()})
                for rule, counts in rules.items()
            ),
            key=lambda r: -(r.block + r.review + r.warn),
        ),
        fair=not any(v.severity is Severity.BLOCK for v in fairness.violations),
        fairness=[v.message for v in fairness.violations],
        variants=len({m.variant for m in members if not m.flagged}),
        flagged=sum(m.flagged for m in members),
    )
