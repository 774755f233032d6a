"""Executing a planned campaign: the guard's judgement, recorded verdicts, queued sends.

1. An unfair plan, or one already executed, is refused before anything is recorded.
2. The guard agent reviews one member of every offer-and-message variant, and every flagged
   member on their own, recording each verdict through the rules server (which re-checks the
   rules against storage as it is now).
3. The other members of a variant inherit its review: approved when the guard approved the
   representative as it stood, otherwise rejected with the guard's reasons. Each inherited verdict
   is bound to the member's own content (`tools.campaigns.verdicts`).
4. Every approval is queued through `tools.outbox.send_approved_many`, the set-based form
   of the only door to a member: the approval must match the content, the budget is reserved
   under the members' locks, and a re-check refuses members who were contacted, withdrew consent,
   or would now be messaged in their quiet hours, after the plan was made.
   Nothing is queued twice: approvals are single-use, and a second execution is refused.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio
import structlog
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policies.proposal import OfferProposal
from policies.vocabulary import Channel, Verdict
from tools.campaigns.plan import CampaignPlan
from tools.campaigns.planned import PlannedMember
from tools.campaigns.ports import Review, Reviewer
from tools.campaigns.verdicts import Inherited, record_inherited
from tools.delivery import outside_quiet_hours
from tools.errors import InvalidInput
from tools.members import LIVE_STATUSES
from tools.outbox import SendRefused
from tools.outbox.accept_many import DEFAULT_CHUNK, BatchItem, RecheckMany, send_approved_many
from tools.progress import Progress, Silent
from tools.storage import ChannelConsent, Contact, Customer, Database, Proposal
from tools.time import to_storage

log = structlog.get_logger(__name__)

DEFAULT_REVIEW_CONCURRENCY = 8  # guard reviews in flight (as `GuardConfig.campaign_concurrency`)
DEFAULT_SEND_CHUNK = DEFAULT_CHUNK  # sends queued per transaction


class CampaignResult(BaseModel):
    campaign_id: str
    executed_at: datetime
    members: int
    guard_reviews: int  # guard agent runs: one per variant plus one per flagged member
    variants: int
    flagged: int
    approved: int  # members holding an approval after the audit
    in_review: int  # waiting for a person in the review queue
    review_ids: list[int]
    rejected: int
    rejected_by: dict[str, int]  # reason code -> members
    queued: int  # messages in the outbox
    refused: int  # approved, but the outbox refused them at send time
    refused_by: dict[str, int]
    budget_reserved: float


async def execute_campaign(
    plan: CampaignPlan,
    db: Database,
    reviewer: Reviewer,
    *,
    policy_version: str,
    now: datetime,
    approval_ttl: timedelta = timedelta(hours=24),
    review_concurrency: int = DEFAULT_REVIEW_CONCURRENCY,
    send_chunk: int = DEFAULT_SEND_CHUNK,
    progress: Progress | None = None,
) -> CampaignResult:
    progress = progress or Silent()
    if not plan.fair:
        raise InvalidInput(
            "the campaign is unfair and cannot be executed: "
            + "; ".join(plan.preview.fairness)
            + " (nothing was recorded or sent)"
        )
    if await _executed_before(db, plan.campaign_id):
        raise InvalidInput(f"campaign {plan.campaign_id} was already executed; plan it again for a new one")
    audit = await audit_and_queue(
        db,
        plan.members,
        reviewer,
        campaign_id=plan.campaign_id,
        watermark=plan.watermark,
        policy_version=policy_version,
        now=now,
        approval_ttl=approval_ttl,
        review_concurrency=review_concurrency,
        send_chunk=send_chunk,
        progress=progress,
    )
    result = CampaignResult(
        campaign_id=plan.campaign_id,
        executed_at=now,
        members=len(plan.members),
        guard_reviews=audit.reviews,
        variants=audit.variants,
        flagged=sum(m.flagged for m in plan.members),
        approved=audit.approved,
        in_review=len(audit.review_ids),
        review_ids=sorted(audit.review_ids),
        rejected=sum(audit.rejected_by.values()),
        rejected_by=dict(audit.rejected_by),
        queued=len(audit.queued),
        refused=sum(audit.refused_by.values()),
        refused_by=dict(audit.refused_by),
        budget_reserved=round(sum(p.estimated_cost for p in audit.queued), 2),
    )
    log.info("campaign.executed", **result.model_dump(exclude={"review_ids", "executed_at"}))
    return result


@dataclass(frozen=True)
class Audit:
    """What the guard's audit and the outbox made of planned members."""

    outcomes: dict[int, str]  # member -> sent, rejected, review or refused
    reviews: int  # guard agent runs
    variants: int
    approved: int
    review_ids: list[int]
    rejected_by: Counter[str]
    refused_by: Counter[str]
    queued: list[OfferProposal]


async def audit_and_queue(
    db: Database,
    members: Sequence[PlannedMember],
    reviewer: Reviewer,
    *,
    campaign_id: str,
    watermark: int,
    policy_version: str,
    now: datetime,
    approval_ttl: timedelta = timedelta(hours=24),
    review_concurrency: int = DEFAULT_REVIEW_CONCURRENCY,
    send_chunk: int = DEFAULT_SEND_CHUNK,
    progress: Progress | None = None,
) -> Audit:
    """Steps 2-4 of the module doc for members planned set-based (a campaign's, or the always-on
    pass's), in the order they were chosen; `watermark`: the newest contact id they were planned on."""
    progress = progress or Silent()
    representatives, siblings = _split(tuple(members))
    to_review = [*representatives.values(), *(m for m in members if m.flagged)]
    progress.stage("guard reviews", total=len(to_review))
    reviews = await _review_all(campaign_id, to_review, reviewer, review_concurrency, progress)

    progress.stage("recording verdicts", total=sum(len(s) for s in siblings.values()))
    inherited = [
        _inherit(m, reviews[representatives[variant].proposal.customer_id])
        for variant, grouped in siblings.items()
        for m in grouped
    ]
    records = await record_inherited(
        db,
        inherited,
        policy_version=policy_version,
        guard_model=reviewer.model_name,
        now=now,
        approval_ttl=approval_ttl,
    )
    progress.advance(len(inherited))

    outcomes: dict[int, str] = {}
    sendable: list[tuple[OfferProposal, str]] = []
    rejected: Counter[str] = Counter()
    review_ids: list[int] = []
    for member in to_review:
        customer = member.proposal.customer_id
        review = reviews[customer]
        if review.approval_id is not None and review.proposal is not None:
            sendable.append((review.proposal, review.approval_id))
        elif review.review_id is not None:
            review_ids.append(review.review_id)
            outcomes[customer] = "review"
        else:
            rejected[_first_code(review)] += 1
            outcomes[customer] = "rejected"
    for item, record in zip(inherited, records, strict=True):
        if record.approval_id is not None:
            sendable.append((item.proposal, record.approval_id))
        else:
            rejected[item.reasons[0]["rule_id"]] += 1
            outcomes[item.proposal.customer_id] = "rejected"

    # In the order chosen, best value per dollar first: if the budget runs short (other senders
    # spend it too), what goes out is still the best of the campaign.
    chosen_at = {m.proposal.customer_id: index for index, m in enumerate(members)}
    sendable.sort(key=lambda item: chosen_at[item[0].customer_id])
    progress.stage("queueing sends", total=len(sendable))
    queued, refused = await _send_all(db, sendable, watermark, now, send_chunk, progress)
    for proposal, _ in sendable:
        outcomes[proposal.customer_id] = "refused"
    for proposal in queued:
        outcomes[proposal.customer_id] = "sent"
    return Audit(
        outcomes=outcomes,
        reviews=len(to_review),
        variants=len(representatives),
        approved=len(sendable),
        review_ids=sorted(review_ids),
        rejected_by=rejected,
        refused_by=refused,
        queued=queued,
    )


def _split(
    members: tuple[PlannedMember, ...],
) -> tuple[dict[str, PlannedMember], dict[str, list[PlannedMember]]]:
    """Per variant: the member the guard reads (the first chosen), and the others, who inherit."""
    representatives: dict[str, PlannedMember] = {}
    siblings: dict[str, list[PlannedMember]] = defaultdict(list)
    for member in members:
        if member.flagged:
            continue
        if member.variant in representatives:
            siblings[member.variant].append(member)
        else:
            representatives[member.variant] = member
    return representatives, siblings


async def _review_all(
    campaign_id: str, members: list[PlannedMember], reviewer: Reviewer, concurrency: int, progress: Progress
) -> dict[int, Review]:
    """Each member's review, by member id (a plan holds one proposal per member)."""
    reviews: dict[int, Review] = {}
    limiter = anyio.CapacityLimiter(concurrency)

    async def review(index: int, member: PlannedMember) -> None:
        async with limiter:
            # A member's own trace, or one numbered in the campaign: finds its reviews (and a second execution).
            trace_id = member.trace_id or f"{campaign_id}-{index:06d}"
            reviews[member.proposal.customer_id] = await reviewer(member.proposal, trace_id=trace_id)
        progress.advance()

    async with anyio.create_task_group() as group:
        for index, member in enumerate(members):
            group.start_soon(review, index, member)
    return reviews


def _inherit(member: PlannedMember, review: Review) -> Inherited:
    # Only an approval of the representative exactly as planned carries over: a revision changed
    # its content, and a review item or a rejection says the variant is not fit to send as is.
    if review.verdict is Verdict.APPROVE and review.approval_id is not None:
        reasons = [
            {
                "rule_id": "guard.variant_approved",
                "message": f"Same offer and copy as the member the guard approved in trace {review.trace_id}.",
            }
        ]
        return Inherited(member.proposal, Verdict.APPROVE, reasons, review.trace_id, member.trace_id)
    why = "; ".join(f"{code}: {message}" for code, message in zip(review.codes, review.messages, strict=True))
    outcome = "queued for a person" if review.review_id is not None else review.verdict.value
    reasons = [
        {
            "rule_id": _first_code(review),
            "message": f"Inherited from the variant's review ({outcome}) in trace {review.trace_id}: {why}"[
                :2_000
            ],
        }
    ]
    return Inherited(member.proposal, Verdict.REJECT, reasons, review.trace_id, member.trace_id)


def _first_code(review: Review) -> str:
    if review.verdict is Verdict.REVISE:
        return "guard.variant_revised"
    if review.review_id is not None:
        return "guard.variant_in_review"
    return next((c for c in review.codes if c != "guard.approved"), "guard.rejected")


async def _send_all(
    db: Database,
    sendable: list[tuple[OfferProposal, str]],
    watermark: int,
    now: datetime,
    chunk_size: int,
    progress: Progress,
) -> tuple[list[OfferProposal], Counter[str]]:
    items = [BatchItem(proposal, approval_id) for proposal, approval_id in sendable]
    result = await send_approved_many(
        db,
        items,
        now=now,
        recheck=_since_plan(watermark, now),
        chunk_size=chunk_size,
        on_chunk=progress.advance,
    )
    queued = [items[i].proposal for i in result.queued]
    refused = Counter(o.code for o in result.outcomes if isinstance(o, SendRefused))
    return queued, refused


def _since_plan(watermark: int, now: datetime) -> RecheckMany:
    """The send-time re-check: the plan checked caps, duplicates, consent and quiet hours against
    the contacts up to `watermark` and the members as they were; a member contacted since, whose
    consent on the channel is gone, or for whom the message would now land in their quiet hours,
    is refused rather than judged on stale facts."""
    moment = to_storage(now)

    async def recheck(session: AsyncSession, proposals: Sequence[OfferProposal]) -> list[list[str]]:
        # Three statements for the whole chunk, run under its members' locks.
        ids = [p.customer_id for p in proposals]
        consents = {
            (customer_id, channel): (granted, opted_out_at)
            for customer_id, channel, granted, opted_out_at in await session.execute(
                select(
                    ChannelConsent.customer_id,
                    ChannelConsent.channel,
                    ChannelConsent.granted,
                    ChannelConsent.opted_out_at,
                ).where(ChannelConsent.customer_id.in_(ids))
            )
        }
        contacted = set(
            (
                await session.scalars(
                    select(Contact.customer_id)
                    .where(
                        Contact.customer_id.in_(ids),
                        Contact.id > watermark,
                        Contact.status.in_(LIVE_STATUSES),
                    )
                    .distinct()
                )
            ).all()
        )
        quiet = {
            customer_id: (zone, start, end)
            for customer_id, zone, start, end in await session.execute(
                select(
                    Customer.id, Customer.time_zone, Customer.quiet_start_hour, Customer.quiet_end_hour
                ).where(Customer.id.in_(ids))
            )
        }
        answers = []
        for proposal in proposals:
            channel = proposal.channel.value
            problems = []
            if proposal.customer_id in contacted:
                problems.append(
                    "contacted since the campaign was planned; caps and duplicates need a new plan"
                )
            granted, opted_out_at = consents.get((proposal.customer_id, channel), (False, None))
            if not granted or opted_out_at is not None:
                problems.append(f"no consent on {channel} any more")
            # Queued at its send time, or now if that has passed: the moment that must be allowed.
            at = max(to_storage(proposal.send_at), moment)
            zone, start, end = quiet[proposal.customer_id]
            if proposal.channel is not Channel.IN_STORE and outside_quiet_hours(at, zone, start, end) != at:
                problems.append(
                    f"{at:%Y-%m-%d %H:%M} UTC falls in the member's quiet hours ({start}:00-{end}:00 {zone})"
                )
            answers.append(problems)
        return answers

    return recheck


async def _executed_before(db: Database, campaign_id: str) -> bool:
    async with db.session() as session:
        found = await session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.trace_id.like(f"{campaign_id}-%"))
        )
    return bool(found)
