"""Triggers: rules (as data) that turn behaviour and the calendar into queued decisions about
members, and the durable queue workers claim them from."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.triggers.queue import ClaimedTrigger, claim, complete, due_members, fail
    from tools.triggers.replenishment import expected_from_profiles
    from tools.triggers.rules import (
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
    from tools.triggers.schedule import RuleRun, run_due_triggers

__all__ = [
    "BrowseIntent",
    "CartAbandoned",
    "ClaimedTrigger",
    "CompetitorPromotion",
    "PostPurchase",
    "ReplenishmentDue",
    "RhythmLapse",
    "RuleRun",
    "TriggerRule",
    "TriggerRules",
    "claim",
    "complete",
    "due_members",
    "expected_from_profiles",
    "fail",
    "load_trigger_rules",
    "run_due_triggers",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "queue": (
            "ClaimedTrigger",
            "claim",
            "complete",
            "due_members",
            "fail",
        ),
        "replenishment": ("expected_from_profiles",),
        "rules": (
            "BrowseIntent",
            "CartAbandoned",
            "CompetitorPromotion",
            "PostPurchase",
            "ReplenishmentDue",
            "RhythmLapse",
            "TriggerRule",
            "TriggerRules",
            "load_trigger_rules",
        ),
        "schedule": (
            "RuleRun",
            "run_due_triggers",
        ),
    },
)
