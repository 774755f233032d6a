"""Campaigns: members and actions chosen under a budget, audited, then queued (DESIGN §5, §7).

    plan = await plan_campaign(deps, "reactivation", "dormant_recoverable", 5_000, limit=200, now=now)
    plan.preview          # what a person confirms
    result = await execute_campaign(plan, db, reviewer, policy_version=policy.version, now=now)

The copywriter and the guard come in through ports (`CopyWriter`, `Reviewer`), adapted from the
agent layer by the composition root (`loyalty.ops.adapters`).
"""

from tools.campaigns.execute import CampaignResult, execute_campaign
from tools.campaigns.plan import CampaignDeps, CampaignPlan, plan_campaign
from tools.campaigns.ports import CopyRequest, CopyWriter, Review, Reviewer
from tools.campaigns.preview import CampaignPreview
from tools.campaigns.request import CampaignRequest
from tools.campaigns.verdict_log import RejectionReport, recent_rejections

__all__ = [
    "CampaignDeps",
    "CampaignPlan",
    "CampaignPreview",
    "CampaignRequest",
    "CampaignResult",
    "CopyRequest",
    "CopyWriter",
    "RejectionReport",
    "Review",
    "Reviewer",
    "execute_campaign",
    "plan_campaign",
    "recent_rejections",
]
