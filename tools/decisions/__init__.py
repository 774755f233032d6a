"""What was decided, and by whom: the guard's verdicts and the review queue (`approvals`), every
agent step (`log`), the holdout arms decisions are measured against (`holdout`), and why a
decision came to nothing (`nothing_causes`)."""

from tools.decisions.approvals import VerdictRecord, decide_review, pending_reviews, record_verdict
from tools.decisions.holdout import (
    DEFAULT_CONTROL_SHARE,
    Arm,
    HoldoutSummary,
    arm_for,
    assign_holdout,
    ensure_arms,
    first_triggers,
)
from tools.decisions.log import LogRow, SqlDecisionLog, trace, write_entries
from tools.decisions.nothing_causes import NothingCause, cause_of, cause_of_rules

__all__ = [
    "DEFAULT_CONTROL_SHARE",
    "Arm",
    "HoldoutSummary",
    "LogRow",
    "NothingCause",
    "SqlDecisionLog",
    "VerdictRecord",
    "arm_for",
    "assign_holdout",
    "cause_of",
    "cause_of_rules",
    "decide_review",
    "ensure_arms",
    "first_triggers",
    "pending_reviews",
    "record_verdict",
    "trace",
    "write_entries",
]
