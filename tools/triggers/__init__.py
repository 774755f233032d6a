"""Triggers: rules (as data) that turn behaviour and the calendar into queued decisions about
members, the durable queue workers claim them from, and the request each becomes.

- `rules`: the rule file (`default_triggers.toml`) and its models;
- `evaluate`, `schedule`, `enqueue`: which members each due rule fires for, queued once;
- `queue`: claiming, completing and failing queued triggers under member leases;
- `requests`: what a claimed trigger becomes for the orchestrator, and whether it was decided.

`replenishment.expected_from_profiles` is imported from its module: it brings the profile models
(scikit-learn), which the rest of this package does not need.
"""

from tools.triggers.evaluate import ExpectedPurchase, Firing, ReplenishmentSource, replenishment_due
from tools.triggers.queue import (
    ClaimedTrigger,
    claim,
    complete,
    due_members,
    due_of_kind,
    fail,
    queue_counts,
    renew,
    skip_pending,
)
from tools.triggers.requests import already_sent, trigger_request, trigger_trace
from tools.triggers.rules import (
    DEFAULT_TRIGGERS_PATH,
    AlwaysOn,
    BrowseIntent,
    CartAbandoned,
    CompetitorPromotion,
    PostPurchase,
    ReplenishmentDue,
    RhythmLapse,
    TriggerRule,
    TriggerRules,
    load_trigger_rules,
)
from tools.triggers.schedule import RuleRun, TriggerReport, run_due_triggers

__all__ = [
    "DEFAULT_TRIGGERS_PATH",
    "AlwaysOn",
    "BrowseIntent",
    "CartAbandoned",
    "CompetitorPromotion",
    "PostPurchase",
    "ReplenishmentDue",
    "RhythmLapse",
    "TriggerRule",
    "Firing",
    "ClaimedTrigger",
    "ExpectedPurchase",
    "ReplenishmentSource",
    "RuleRun",
    "TriggerReport",
    "TriggerRules",
    "already_sent",
    "claim",
    "complete",
    "due_members",
    "due_of_kind",
    "fail",
    "load_trigger_rules",
    "queue_counts",
    "renew",
    "replenishment_due",
    "run_due_triggers",
    "skip_pending",
    "trigger_request",
    "trigger_trace",
]
