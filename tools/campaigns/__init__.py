"""Campaigns: members and actions chosen under a budget, audited, then queued (DESIGN §5, §7).

    plan = await plan_campaign(deps, "reactivation", "dormant_recoverable", 5_000, limit=200, now=now)
    plan.preview          # what a person confirms
    result = await execute_campaign(plan, db, reviewer, policy_version=policy.version, now=now)

The copywriter and the guard come in through ports (`CopyWriter`, `Reviewer`), adapted from the
agent layer by the composition root (`loyalty.ops.adapters`). Budgets live in `tools.budgets`.
"""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.campaigns.cohort import CohortDecision, CohortPlan, plan_cohort
    from tools.campaigns.execute import Audit, CampaignResult, audit_and_queue, execute_campaign
    from tools.campaigns.plan import CampaignDeps, CampaignPlan, plan_campaign
    from tools.campaigns.ports import CopyRequest, CopyWriter, Review, Reviewer
    from tools.campaigns.preview import CampaignPreview, describe_offer
    from tools.campaigns.request import CAMPAIGN_USE_CASES, EVERY_MEMBER, CampaignRequest
    from tools.campaigns.scoring import frame_batch
    from tools.campaigns.verdict_log import (
        RejectionReport,
        reason_code,
        recent_rejections,
        recorded_proposal,
        verdicts_for_trace,
    )

__all__ = [
    "Audit",
    "CohortDecision",
    "CohortPlan",
    "audit_and_queue",
    "plan_cohort",
    "CAMPAIGN_USE_CASES",
    "CampaignDeps",
    "CampaignPlan",
    "CampaignPreview",
    "CampaignRequest",
    "CampaignResult",
    "CopyRequest",
    "CopyWriter",
    "EVERY_MEMBER",
    "RejectionReport",
    "Review",
    "Reviewer",
    "describe_offer",
    "execute_campaign",
    "plan_campaign",
    "reason_code",
    "recent_rejections",
    "recorded_proposal",
    "verdicts_for_trace",
    "frame_batch",
]

__getattr__ = lazy_exports(__name__)
