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

__all__ = [
    "ProfileFacts",
    "ProfileFactsSource",
    "SkuCost",
    "expected_order",
    "facts_from_profile",
    "rule_context",
    "sku_costs_of",
]
