"""Planning a campaign: who, with what, for how much — checked, before anything is recorded.

1. The audience: the segment's members in the profile frame, less the holdout and stale profiles.
2. Every member x candidate scored in one call of the vectorised scorer, on the message response
   fitted from the retailer's history as the agents' scoring is; each member keeps a few eligible
   candidates, best first.
3. Each member's best *compliant* action: proposals are built for everyone's current candidate
   and checked all at once (`check_batch`), their copy judged once per distinct copy
   (`tools.campaigns.screen`); a member whose proposal is blocked falls back to their next
   candidate. Members the guard must read on their own are flagged.
4. Members chosen greedily by value per dollar until the budget (or the member limit) is used.
5. Fairness of discount depth across the chosen campaign (`check_fairness`).

The result is a `CampaignPlan`: the proposals with their checks, and a preview for people.
Planning writes nothing but holdout arms (stored once, never changed).
"""

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import structlog

from policies.context import RuleContext
from policies.engine import check_batch, check_fairness
from policies.judgement import JudgementFinding
from policies.model import Policy
from policies.proposal import OfferProposal
from policies.violation import CheckResult, Severity
from policies.vocabulary import UseCase
from tools.campaigns.allocation import Allocation, Limit, allocate
from tools.campaigns.audience import select_audience
from tools.campaigns.contact_facts import read_contact_facts
from tools.campaigns.market import rival_discounts
from tools.campaigns.planned import PlannedMember
from tools.campaigns.ports import CopyWriter
from tools.campaigns.preview import CampaignPreview, preview
from tools.campaigns.proposals import ProposalFactory, anchor_categories
from tools.campaigns.request import EVERY_MEMBER, CampaignRequest, campaign_request
from tools.campaigns.scoring import score_audience
from tools.campaigns.screen import JudgementScreen
from tools.campaigns.variants import keys, written_name
from tools.nba import LearnedLift, ResponseRates, fit_response
from tools.profiles import ProfileService
from tools.progress import Progress, Silent
from tools.storage import Database

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CampaignDeps:
    """What planning reads from; the composition root builds it (`loyalty.ops`)."""

    db: Database
    policy: Policy
    profiles: ProfileService
    writer: CopyWriter
    contact_lookback: timedelta = timedelta(days=14)  # as the rules server reads contacts
    ignore_window: timedelta = timedelta(days=3)
    learned: LearnedLift | None = None
    # The message response the agents score with (`tools.nba.response_fit`); None: fitted from the
    # contact history before the plan's moment, as the offers server fits it for every decision.
    rates: ResponseRates | None = None


@dataclass(frozen=True)
class CampaignPlan:
    campaign_id: str
    request: CampaignRequest
    planned_at: datetime  # aware UTC
    members: tuple[PlannedMember, ...]
    fairness: CheckResult
    watermark: int  # the newest contact id when planned: the send-time re-check's reference
    preview: CampaignPreview

    @property
    def fair(self) -> bool:
        return not any(v.severity is Severity.BLOCK for v in self.fairness.violations)

    @property
    def proposals(self) -> list[OfferProposal]:
        return [m.proposal for m in self.members]


@dataclass
class _Checked:
    """The rule and judgement outcomes of every proposal checked while planning."""

    rules: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def count(self, check: CheckResult, findings: tuple[JudgementFinding, ...]) -> None:
        for violation in check.violations:
            self.rules[str(violation.rule_id)][str(violation.severity)] += 1
        for finding in findings:
            self.rules[str(finding.judgement_id)]["block"] += 1


async def plan_campaign(
    deps: CampaignDeps,
    use_case: UseCase | str,
    segment: str,
    budget: float,
    limit: int | None = None,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> CampaignPlan:
    """Plan (never execute) a campaign; see the module doc. Raises `InvalidInput` / `NotFound` for a
    request that cannot be planned (unknown segment, a use case that is not a campaign)."""
    request = campaign_request(use_case=use_case, segment=segment, budget=budget, limit=limit)
    progress = progress or Silent()
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    progress.stage("profiles", total=1)
    frame = await deps.profiles.frame(moment)
    progress.advance()
    audience = await select_audience(
        deps.db, frame, request.segment, EVERY_MEMBER, request.use_case, now=moment
    )
    progress.stage("contact records", total=len(audience))
    ids = frame.history.members.customer_id[audience.rows]
    facts = await read_contact_facts(
        deps.db,
        ids.tolist(),
        request.use_case,
        deps.policy,
        now=moment,
        lookback=deps.contact_lookback,
        ignore_window=deps.ignore_window,
    )
    progress.advance(len(audience))
    progress.stage("scoring", total=len(audience))
    anchors = anchor_categories(frame, audience.rows)
    rivals = None
    if request.use_case is UseCase.COMPETITIVE_RESPONSE:
        live = await rival_discounts(deps.db, moment)
        rivals = np.array([live.get(c, 0.0) if c else 0.0 for c in anchors])
    rates = deps.rates if deps.rates is not None else await fit_response(deps.db, moment)
    scores = score_audience(
        frame,
        audience.rows,
        facts,
        request.use_case,
        deps.policy,
        rival_discount_pct=rivals,
        learned=deps.learned,
        rates=rates,
    )
    progress.advance(len(audience))
    factory = ProposalFactory(
        frame, audience.rows, anchors, facts, scores, request.use_case, deps.policy, moment, deps.writer
    )
    checked = _Checked()
    compliant = best_compliant(factory, scores.ranked, deps.policy, checked, progress)
    progress.stage("choosing members", total=len(compliant))
    positions = np.array(sorted(compliant), dtype=np.int64)
    chosen_members = [compliant[int(i)] for i in positions]
    available = min(request.budget, facts.budget_remaining)
    allocation = (
        Allocation(np.array([], dtype=np.int64), Limit.PAUSED)
        if facts.budget_paused
        else allocate(
            np.array([m.proposal.value.expected_value for m in chosen_members]),
            np.array([m.proposal.estimated_cost for m in chosen_members]),
            np.array([m.proposal.customer_id for m in chosen_members], dtype=np.int64),
            budget=available,
            limit=request.limit,
        )
    )
    members = tuple(chosen_members[int(i)] for i in allocation.chosen)
    progress.advance(len(compliant))
    progress.stage("fairness", total=len(members))
    fairness = check_fairness([m.proposal for m in members], [m.context for m in members], deps.policy)
    progress.advance(len(members))
    campaign_id = uuid.uuid4().hex[:24]  # short enough to prefix the trace ids (36 chars) of its reviews
    plan = CampaignPlan(
        campaign_id=campaign_id,
        request=request,
        planned_at=moment,
        members=members,
        fairness=fairness,
        watermark=facts.watermark,
        preview=preview(
            campaign_id,
            request,
            moment,
            frame.as_of,
            audience,
            eligible=int((scores.ranked[:, 0] >= 0).sum()),
            compliant=len(compliant),
            members=members,
            fairness=fairness,
            rules=checked.rules,
            budget_available=available,
            budget_paused=facts.budget_paused,
            limited_by=allocation.limited_by,
        ),
    )
    log.info(
        "campaign.planned",
        campaign_id=plan.campaign_id,
        use_case=request.use_case.value,
        segment=request.segment,
        audience=len(audience),
        members=len(members),
        fair=plan.fair,
        cost=plan.preview.budget_committed,
    )
    return plan


def best_compliant(
    factory: ProposalFactory,
    ranked: np.ndarray,
    policy: Policy,
    checked: _Checked | None = None,
    progress: Progress | None = None,
) -> dict[int, PlannedMember]:
    """Each member's best candidate that passes every blocking rule and the judgement of its copy,
    trying their `ranked` candidates in order (−1: no more)."""
    checked = checked or _Checked()
    progress = progress or Silent()
    compliant: dict[int, PlannedMember] = {}
    pending = np.flatnonzero(ranked[:, 0] >= 0)
    contexts: dict[int, RuleContext] = {}
    screen = JudgementScreen()
    first_names = factory.frame.history.members.first_name
    progress.stage("building and checking proposals", total=len(pending))
    for rank in range(ranked.shape[1]):
        if not len(pending):
            break
        proposals = [factory.proposal(int(i), int(ranked[i, rank])) for i in pending]
        for i in pending.tolist():
            if i not in contexts:
                contexts[i] = factory.context(i)
        batch = [contexts[i] for i in pending.tolist()]
        results = check_batch(proposals, batch, policy)
        implausible = screen.implausible_values(proposals)
        retry = []
        for k, i in enumerate(pending.tolist()):
            proposal, result = proposals[k], results[k]
            name = first_names[int(factory.rows[i])]
            copy, variant = keys(proposal, name, factory.anchors[i])
            findings = screen.copy(copy, proposal)
            checked.count(result, findings)
            if result.blocking or findings:
                if rank + 1 < ranked.shape[1] and ranked[i, rank + 1] >= 0:
                    retry.append(i)
                continue
            flags = tuple(str(v.rule_id) for v in result.violations)
            flags += ("name",) if screen.name_needs_reading(written_name(name), proposal) else ()
            flags += ("value",) if implausible[k] else ()
            trace = factory.traces[i] if factory.traces is not None else None
            compliant[i] = PlannedMember(proposal, contexts[i], result, variant, flags, trace)
        progress.advance(len(pending) - len(retry))
        pending = np.array(retry, dtype=np.int64)
    return compliant
