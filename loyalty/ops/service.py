"""The ops functions: one typed set behind both chat front doors and the campaign command.

Each public coroutine is an operation an ops person (or Claude, on their behalf) can ask for; its
signature and docstring are its tool schema (`loyalty.ops.operations`). Errors a person can act on
are `LoyaltyError`s with a message saying what to do.
"""

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationError

from agents.loop import run_agent
from agents.reading import json_object_in
from agents.team import Team
from loyalty.ops.adapters import GuardReviewer, template_copy
from loyalty.ops.results import (
    Cancelled,
    DeadLetterItem,
    DeadLetterList,
    DecisionExplanation,
    MemberOffer,
    ReviewDecision,
    ReviewQueue,
    SegmentView,
    SpecialistAnswer,
    Step,
)
from loyalty.ops.sending import send_reviewed
from loyalty.wiring import Product
from policies.judgement import judge
from policies.proposal import OfferProposal
from policies.vocabulary import UseCase
from tools.budgets import UseCaseBudget, set_paused
from tools.campaigns import (
    CAMPAIGN_USE_CASES,
    EVERY_MEMBER,
    CampaignDeps,
    CampaignPlan,
    CampaignPreview,
    CampaignResult,
    RejectionReport,
    execute_campaign,
    plan_campaign,
    reason_code,
    recent_rejections,
    recorded_proposal,
    verdicts_for_trace,
)
from tools.decisions.approvals import decide_review, pending_reviews
from tools.decisions.log import trace
from tools.errors import InvalidInput, SendRefused
from tools.outbox.deliver import dead_letters
from tools.profiles import MemberFilter
from tools.progress import Progress, Silent

Segment = Annotated[
    str,
    Field(
        min_length=1,
        max_length=80,
        description=f"a segment id (see show_segment), or '{EVERY_MEMBER}' for every member",
    ),
]
SHOWN_PROPOSALS = 5  # a campaign variant's trace holds every member who inherited its review
SUMMARY_CHARS = 200


class OpsService:
    def __init__(
        self,
        product: Product,
        team: Team,
        *,
        clock: Callable[[], datetime],
        operator: str = "ops",
        progress: Progress | None = None,
    ) -> None:
        self._product, self._team, self._clock, self._operator = product, team, clock, operator
        self.progress: Progress = progress or Silent()  # where campaign work reports; a CLI swaps in its bars
        self._pending: CampaignPlan | None = None

    @property
    def pending(self) -> CampaignPlan | None:
        """The campaign planned and waiting for confirmation, if any."""
        return self._pending

    async def plan_campaign(
        self,
        use_case: Annotated[UseCase, Field(description="reactivation, upsell or competitive_response")],
        segment: Segment,
        budget: Annotated[float, Field(gt=0, description="money the campaign may give away")],
        limit: Annotated[int | None, Field(ge=1, description="at most this many members")] = None,
    ) -> CampaignPreview:
        """Plan a campaign for a segment under a budget and preview it: members chosen by value per
        dollar, expected incremental margin, cost, sample messages, rule outcomes and fairness.
        Nothing is recorded or sent until the campaign is confirmed."""
        deps = CampaignDeps(self._product.db, self._product.policy, self._product.profiles, template_copy)
        self._pending = await plan_campaign(
            deps, use_case, segment, budget, limit, now=self._clock(), progress=self.progress
        )
        return self._pending.preview

    async def confirm_campaign(
        self,
        campaign_id: Annotated[
            str | None, Field(description="the campaign_id of the preview being confirmed")
        ] = None,
    ) -> CampaignResult:
        """Execute the campaign planned last, once the person has seen its preview and said yes:
        the guard audits it, approved messages are queued for delivery."""
        plan = self._pending
        if plan is None:
            raise InvalidInput("there is no planned campaign to confirm: plan one first")
        if campaign_id is not None and campaign_id != plan.campaign_id:
            raise InvalidInput(
                f"campaign {campaign_id} is not the one waiting for confirmation "
                f"({plan.campaign_id}); plan it again"
            )
        self._pending = None  # whatever happens next, this plan is spent: a retry needs a fresh plan
        return await execute_campaign(
            plan,
            self._product.db,
            GuardReviewer(self._team.guard),
            policy_version=self._product.policy.version,
            now=self._clock(),
            progress=self.progress,
        )

    async def cancel_campaign(self) -> Cancelled:
        """Drop the planned campaign without executing it."""
        plan, self._pending = self._pending, None
        if plan is None:
            return Cancelled(campaign_id=None, message="there was no planned campaign")
        return Cancelled(
            campaign_id=plan.campaign_id, message="the planned campaign was dropped; nothing was sent"
        )

    async def offer_for_member(
        self,
        member: Annotated[
            int | str, Field(description="member id, or external id (id:12 / ext:12 when ambiguous)")
        ],
        use_case: Annotated[
            UseCase | None,
            Field(description="ask one specialist; default: every campaign use case, best proposal wins"),
        ] = None,
    ) -> MemberOffer:
        """What we would offer a member now, and why: the specialists decide as they would for a
        trigger, but nothing is reviewed, recorded as a verdict or sent (a dry run)."""
        customer_id = await self._product.profiles.resolve(member)
        asked = [use_case] if use_case is not None else list(CAMPAIGN_USE_CASES)
        answers: list[SpecialistAnswer] = []
        proposals: dict[str, dict[str, Any]] = {}
        for case in asked:
            trace_id = uuid.uuid4().hex
            trigger = json.dumps({"customer_id": customer_id, "use_case": case.value, "context": {}})
            result = await run_agent(
                self._team.specialists[case], trigger, log=self._team.log, trace_id=trace_id
            )
            answer = json_object_in(result.output) or {}
            proposal = answer.get("proposal") if answer.get("decision") == "propose" else None
            if isinstance(proposal, dict):
                proposals[trace_id] = answer
                value = (proposal.get("value") or {}).get("expected_value")
                answers.append(
                    SpecialistAnswer(
                        use_case=case.value,
                        trace_id=trace_id,
                        decision="propose",
                        expected_value=value if isinstance(value, int | float) else None,
                    )
                )
            else:
                reason = (
                    answer.get("reason") or f"no proposal ({result.termination.value}): {result.output[:200]}"
                )
                answers.append(
                    SpecialistAnswer(
                        use_case=case.value, trace_id=trace_id, decision="nothing", reason=str(reason)
                    )
                )
        proposed = [a for a in answers if a.decision == "propose"]
        best = max(proposed, key=lambda a: a.expected_value or 0.0) if proposed else None
        chosen = proposals[best.trace_id] if best else {}
        proposal = chosen.get("proposal")
        return MemberOffer(
            customer_id=customer_id,
            decided_at=self._clock(),
            best=best,
            proposal=proposal,
            rationale=proposal.get("rationale") if proposal else None,
            needs_review=bool(chosen.get("needs_review")),
            judgement=_judgement(proposal) if proposal else [],
            answers=answers,
        )

    async def explain_decision(
        self,
        trace_id: Annotated[str, Field(min_length=4, max_length=64, description="the decision's trace id")],
    ) -> DecisionExplanation:
        """Explain a past decision from the decision log: who decided what, with which tools and
        results, and the verdicts recorded under it."""
        entries = await trace(self._product.db, trace_id.strip())
        verdicts = await verdicts_for_trace(self._product.db, trace_id.strip())
        ends = [e for e in entries if e["kind"] == "run_end"]
        outer = [e for e in ends if e["agent"] == "orchestrator"] or ends
        return DecisionExplanation(
            trace_id=trace_id.strip(),
            agents=list(dict.fromkeys(e["agent"] for e in entries)),
            outcome=str((outer[-1]["payload"] or {}).get("output", ""))
            if outer
            else "the run did not finish",
            steps=[step for e in entries if (step := _step(e)) is not None],
            proposals=[
                {
                    "proposal_id": v.proposal_id,
                    "customer_id": v.customer_id,
                    "use_case": v.use_case,
                    "channel": v.channel,
                    "status": v.status,
                    "verdict": v.verdict,
                    "guard_model": v.guard_model,
                    "reasons": [": ".join(reason_code(r)) for r in v.reasons][:8],
                    "offer": v.content.get("offer"),
                    "message": v.content.get("message"),
                }
                for v in verdicts[:SHOWN_PROPOSALS]
            ],
            more_proposals=max(len(verdicts) - SHOWN_PROPOSALS, 0),
            models=list(
                dict.fromkeys(
                    str((e["payload"] or {}).get("model")) for e in entries if e["kind"] == "model_response"
                )
            ),
            degraded=any((e["payload"] or {}).get("degraded") for e in ends),
        )

    async def show_segment(
        self, segment: Annotated[str, Field(min_length=1, max_length=80, description="a segment id")]
    ) -> SegmentView:
        """A segment's size, share, churn risk, value, channels and top categories, with the members
        at highest churn risk."""
        profiles, now = self._product.profiles, self._clock()
        summary = await profiles.segment_summary(segment, now)
        page = await profiles.find_members(
            MemberFilter(segments=[segment], sort="churn_risk", descending=True, page_size=5), now
        )
        return SegmentView(summary=summary, examples=page.members)

    async def guard_rejections(
        self,
        limit: Annotated[int, Field(ge=1, le=5_000, description="how many recent rejections to read")] = 200,
    ) -> RejectionReport:
        """The guard's recent rejections, counted by the rule or judgement that caused them."""
        return await recent_rejections(self._product.db, limit=limit)

    async def review_queue(self) -> ReviewQueue:
        """Proposals waiting for a person to approve or reject them (the human review queue)."""
        return ReviewQueue(items=await pending_reviews(self._product.db))

    async def decide_review(
        self,
        review_id: Annotated[int, Field(ge=1, description="the review item's id")],
        approve: Annotated[bool, Field(description="true to approve, false to reject")],
    ) -> ReviewDecision:
        """Approve or reject a proposal in the human review queue, as the ops person. An approved
        message is queued for delivery at once, if the outbox still accepts it (caps, consent,
        budget as they are now)."""
        db, now = self._product.db, self._clock()
        record = await decide_review(
            db,
            review_id,
            approve=approve,
            by=self._operator,
            now=now,
            approval_ttl=self._product.deps.approval_ttl,
        )
        decision = ReviewDecision(review_id=review_id, approved=approve, proposal_id=record.proposal_id)
        if record.approval_id is None:
            return decision
        proposal = await recorded_proposal(db, record.proposal_id)
        try:
            receipt = await send_reviewed(self._product, proposal, record.approval_id, now=now)
        except SendRefused as refusal:
            return decision.model_copy(update={"refused": str(refusal)})
        return decision.model_copy(update={"contact_id": receipt.contact_id})

    async def dead_letters(
        self,
        limit: Annotated[int, Field(ge=1, le=500, description="how many, newest first")] = 50,
    ) -> DeadLetterList:
        """Messages that could not be delivered on any consented channel (the dead-letter list),
        newest first, with the attempts made and why each channel failed."""
        letters = await dead_letters(self._product.db, limit=limit)
        return DeadLetterList(
            items=[
                DeadLetterItem(
                    contact_id=d.contact_id,
                    customer_id=d.customer_id,
                    channel=d.channel,
                    use_case=d.use_case,
                    attempts=d.attempts,
                    reason=d.reason,
                    scheduled_at=d.scheduled_at,
                )
                for d in letters
            ]
        )

    async def pause_use_case(
        self, use_case: Annotated[UseCase, Field(description="the use case to pause")]
    ) -> UseCaseBudget:
        """Pause a use case: its budget stops paying and nothing more is sent for it."""
        return await set_paused(self._product.db, use_case, True, now=self._clock())

    async def resume_use_case(
        self, use_case: Annotated[UseCase, Field(description="the use case to resume")]
    ) -> UseCaseBudget:
        """Resume a paused use case."""
        return await set_paused(self._product.db, use_case, False, now=self._clock())


def _judgement(proposal: dict[str, Any]) -> list[str]:
    try:
        parsed = OfferProposal.model_validate(proposal)
    except ValidationError as error:
        return [f"guard.unparseable_proposal: {error.error_count()} problem(s) in the proposal"]
    return [f"{f.judgement_id}: {f.message}" for f in judge(parsed)]


def _step(entry: dict[str, Any]) -> Step | None:
    payload, kind = entry["payload"] or {}, entry["kind"]
    if kind == "run_start":
        text = f"started on {payload.get('model')}"
    elif kind == "tool_call":
        text = f"called {payload.get('name')}"
    elif kind == "tool_result":
        outcome = "failed" if payload.get("is_error") else "returned"
        text = f"{payload.get('name')} {outcome}: {json.dumps(payload.get('content'), default=str)}"
    elif kind == "run_end":
        text = f"finished ({payload.get('termination')}): {payload.get('output')}"
    else:
        return None  # model requests and responses add nothing a person reads
    return Step(agent=entry["agent"], kind=kind, summary=text[:SUMMARY_CHARS])
