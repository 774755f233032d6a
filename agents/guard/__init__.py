"""The guard agent: audits every proposal before anything can reach a member (DESIGN §4.2).

guard = Guard(toolbox, LocalModel({GUARD_ROLE: GuardPolicy()}), log)
decision = await guard.review_proposal(proposal)
if decision.approved:
    ...  # channels__send_approved_proposal(decision.proposal, decision.approval_id)
"""

from agents.guard.agent import GUARD_ROLE, GUARD_TOOLS, GuardConfig, guard_agent
from agents.guard.decision import GuardDecision, GuardReason
from agents.guard.policy import GuardPolicy
from agents.guard.review import Guard

__all__ = [
    "GUARD_ROLE",
    "GUARD_TOOLS",
    "Guard",
    "GuardConfig",
    "GuardDecision",
    "GuardPolicy",
    "GuardReason",
    "guard_agent",
]
