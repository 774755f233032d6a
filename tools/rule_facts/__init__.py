"""The facts the rules engine judges a proposal against, filled from storage and the profile."""

from tools.rule_facts.context import (
    ProfileFacts,
    ProfileFactsSource,
    SkuCost,
    expected_order,
    facts_from_profile,
    rule_context,
    sku_costs_of,
)
from tools.rule_facts.send_time import SEND_TIME_RULES, send_time_violations

__all__ = [
    "SEND_TIME_RULES",
    "ProfileFacts",
    "ProfileFactsSource",
    "SkuCost",
    "expected_order",
    "facts_from_profile",
    "rule_context",
    "send_time_violations",
    "sku_costs_of",
]
