"""Rule sets for tests: one shipped default rule, optionally with parameters changed."""

from typing import Any

from tools.triggers import TriggerRules, load_trigger_rules

DEFAULTS = load_trigger_rules()


def only(name: str, **changes: Any) -> TriggerRules:
    rule = next(r for r in DEFAULTS.rules if r.name == name)
    return TriggerRules(rules=(rule.model_copy(update=changes),))
