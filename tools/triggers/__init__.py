"""Triggers: rules (as data) that turn behaviour and the calendar into queued decisions about
members, the durable queue workers claim them from, and the request each becomes.

- `rules`: the rule file (`default_triggers.toml`) and its models;
- `evaluate`, `schedule`, `enqueue`: which members each due rule fires for, queued once;
- `queue`: claiming, completing and failing queued triggers under member leases;
- `requests`: what a claimed trigger becomes for the orchestrator, and whether it was decided.
"""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.triggers.evaluate import ExpectedPurchase, Firing, ReplenishmentSource, replenishment_due
    from tools.triggers.queue import (
        ClaimedTrigger,
        claim,
        complete,
        due_members,
        due_of_kind,
        fail,
        other_live_triggers,
        queue_counts,
        renew,
        skip_pending,
    )
    from tools.triggers.replenishment import expected_from_profiles
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
    "AlwaysOn",
    "BrowseIntent",
    "CartAbandoned",
    "ClaimedTrigger",
    "CompetitorPromotion",
    "DEFAULT_TRIGGERS_PATH",
    "ExpectedPurchase",
    "Firing",
    "PostPurchase",
    "ReplenishmentDue",
    "ReplenishmentSource",
    "RhythmLapse",
    "RuleRun",
    "TriggerReport",
    "TriggerRule",
    "TriggerRules",
    "already_sent",
    "claim",
    "complete",
    "due_members",
    "due_of_kind",
    "other_live_triggers",
    "expected_from_profiles",
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

__getattr__ = lazy_exports(__name__)
