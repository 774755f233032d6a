"""What was decided, and by whom: the guard's verdicts and the review queue (`approvals`), every
agent step (`log`), and the holdout arms decisions are measured against (`holdout`)."""

from tools.decisions.approvals import VerdictRecord, decide_review, pending_reviews, record_verdict
from tools.decisions.holdout import (
    DEFAULT_CONTROL_SHARE,
    Arm,
    HoldoutSummary,
    arm_for,
    assign_holdout,
    ensure_arms,
)
from tools.decisions.log import SqlDecisionLog, trace

__all__ = [
    "DEFAULT_CONTROL_SHARE",
    "Arm",
    "HoldoutSummary",
    "SqlDecisionLog",
    "VerdictRecord",
    "arm_for",
    "assign_holdout",
    "decide_review",
    "ensure_arms",
    "pending_reviews",
    "record_verdict",
    "trace",
]
