"""The always-on pass, decided set-based (`tools.campaigns.cohort`) instead of one agent run each.

Its due triggers are the cohort. Members with a trigger of another kind pending or claimed keep
their always-on trigger for the agents too: the orchestrator arbitrates between their decisions,
and the triggered one takes precedence. The rest are planned together; the guard agent audits one
member of every offer-and-message variant and every member a rule or the copy's judgement flags,
the others inherit its verdict bound to their own content; sends go through the outbox's batch
door (approvals, budgets reserved under the members' locks, and a re-check that refuses a member
contacted since the plan, without consent any more, or in their quiet hours now). Every member's
decision is logged under their trigger's trace as an agent's is: the scoring with its candidates
and choice probabilities, and the orchestrator's final answer. Members the plan cannot vouch for
(`CohortPlan.deferred`) keep their trigger pending, for an agent run; so does the whole pass while
a target policy is served through the scoring tool (`LOYALTY_DECISION_POLICY`), which it follows.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from agents.team import Team
from loyalty.ops.adapters import GuardReviewer, template_copy
from loyalty.wiring import Product
from policies.vocabulary import UseCase
from tools.campaigns import CampaignDeps, audit_and_queue, plan_cohort
from tools.decisions import LogRow, write_entries
from tools.nba import fit_response, learned_lift
from tools.storage import TriggerKind
from tools.time import utcnow
from tools.triggers import due_of_kind, other_live_triggers, skip_pending, trigger_trace

log = structlog.get_logger(__name__)

SCORING_TOOL = "offers__score_candidate_actions"  # as a specialist's call is logged
ORCHESTRATOR = "orchestrator"


@dataclass
class AlwaysOnReport:
    considered: int = 0
    left_to_agents: int = 0  # another trigger pending, or a member the plan cannot vouch for
    outcomes: Counter[str] = field(default_factory=Counter)  # sent, nothing, rejected, review, refused
    nothing_causes: Counter[str] = field(default_factory=Counter)
    guard_reviews: int = 0

    @property
    def decided(self) -> int:
        return sum(self.outcomes.values())


async def decide_always_on(product: Product, team: Team, now: datetime) -> AlwaysOnReport:
    report = AlwaysOnReport()
    due = await due_of_kind(product.db, TriggerKind.ALWAYS_ON.value, now)
    if not due:
        return report
    if product.deps.decision_policy:  # a target policy served through the scoring tool: the agents follow it
        report.considered = report.left_to_agents = len(due)
        return report
    busy = await other_live_triggers(product.db, TriggerKind.ALWAYS_ON.value, [c for _, c, _ in due])
    deps = product.deps
    campaign = CampaignDeps(
        product.db,
        product.policy,
        product.profiles,
        template_copy,
        contact_lookback=deps.contact_lookback,
        ignore_window=deps.ignore_window,
        learned=await deps.lift.get() if deps.lift is not None else await learned_lift(product.db),
        rates=await deps.response.get() if deps.response is not None else await fit_response(product.db, now),
    )
    reviewer = GuardReviewer(team.guard)
    report.considered = len(due)
    report.left_to_agents = sum(c in busy for _, c, _ in due)
    for use_case in UseCase:
        mine = [(i, c) for i, c, u in due if u == use_case.value and c not in busy]
        if not mine:
            continue
        trigger_of = {c: i for i, c in mine}
        plan = await plan_cohort(
            campaign,
            use_case,
            [c for _, c in mine],
            [trigger_trace(i) for i, _ in mine],
            now=now,
            exploration_share=deps.exploration_share,
        )
        audit = await audit_and_queue(
            product.db,
            plan.members,
            reviewer,
            campaign_id=f"always-on-{use_case.value}",
            watermark=plan.watermark,
            policy_version=product.policy.version,
            now=now,
        )
        rows: list[LogRow] = []
        sent: list[int] = []
        skipped: list[int] = []
        at = utcnow()
        for decision in plan.decisions:
            outcome = audit.outcomes.get(decision.customer_id, "nothing")
            answer: dict[str, Any] = {
                "decision": outcome,
                "use_case": use_case.value,
                "customer_id": decision.customer_id,
                "detail": "decided set-based by the always-on pass",
            }
            if outcome == "nothing" and decision.cause is not None:
                answer["cause"] = decision.cause.value
                report.nothing_causes[decision.cause.value] += 1
            report.outcomes[outcome] += 1
            rows.append(_scoring_row(decision.trace_id, decision.scoring, at))
            rows.append(_answer_row(decision.trace_id, answer, at))
            (sent if outcome == "sent" else skipped).append(trigger_of[decision.customer_id])
        await write_entries(product.db, rows)
        await skip_pending(product.db, sent, now=now, status="done")
        await skip_pending(product.db, skipped, now=now)
        report.left_to_agents += len(plan.deferred)
        report.guard_reviews += audit.reviews
        log.info(
            "worker.always_on_decided",
            use_case=use_case.value,
            considered=len(mine),
            deferred=len(plan.deferred),
            guard_reviews=audit.reviews,
            outcomes=dict(Counter(audit.outcomes.values())),
        )
    return report


def _scoring_row(trace_id: str, scoring: dict[str, Any], at: datetime) -> LogRow:
    payload = {"id": "set-based", "name": SCORING_TOOL, "is_error": False, "content": json.dumps(scoring)}
    return (trace_id, 0, "always_on", "tool_result", payload, at)


def _answer_row(trace_id: str, answer: dict[str, Any], at: datetime) -> LogRow:
    payload = {"termination": "completed", "detail": answer["detail"], "output": json.dumps(answer)}
    return (trace_id, 0, ORCHESTRATOR, "run_end", payload, at)
