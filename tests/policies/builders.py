"""A compliant proposal and context under the default policy, and ways to bend them.

Tests start from the compliant pair and change only what the rule under test looks at, so a
violation can only come from that change.
"""

from collections.abc import Mapping
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from typing import Any

from policies.context import RecentContact, RuleContext
from policies.model import Policy
from policies.proposal import Offer, OfferProposal, offer_fingerprint
from policies.rule_ids import RuleId
from policies.violation import CheckResult, Violation

# Tuesday 10 March 2026, 15:00 UTC: 11:00 in New York (EDT since 8 March), 15:00 in London.
SEND_AT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)

_PROPOSAL: dict[str, Any] = {
    "customer_id": 1042,
    "use_case": "reactivation",
    "channel": "email",
    "send_at": SEND_AT,
    "valid_from": SEND_AT,
    "valid_until": SEND_AT + timedelta(days=7),
    "offer": {"type": "percent_off", "discount_pct": 10.0, "skus": ["SKU-1"], "template_code": "WB10"},
    "message": {"tone": "warm", "subject": "We miss you", "body": "Here is 10% off your favourite snacks."},
    "sequence_step": 1,
    "rationale": "Lapsed snack buyer; a small discount on the favourite product has the best value.",
    "value": {
        "propensity": 0.2,
        "uplift": 0.08,
        "expected_margin": 28.0,
        "cost": 0.8,
        "fatigue_penalty": 0.1,
        "expected_value": 1.34,
    },
    "estimated_cost": 4.0,  # 10% of the SKU's 40.00 shelf price
}

_CONTEXT: dict[str, Any] = {
    "customer_id": 1042,
    "now": SEND_AT - timedelta(minutes=5),
    "tier": "silver",
    "segments": ["lapsed"],
    "time_zone": "America/New_York",
    "consents": {"email": True, "sms": True, "push": True},
    "opted_out": [],
    "recent_contacts": [],
    "consecutive_ignored": 0,
    "profile_stale": False,
    "data_age_hours": 6.0,
    "budget_remaining": 1_000.0,
    "skus": {
        "SKU-1": {
            "price": 40.0,
            "unit_cost": 24.0,
            "available_units": 50,
            "full_price": False,
            "category": "snacks",
        },
    },
    "expected_basket_value": 80.0,
    "expected_basket_margin": 28.0,
    "postcode_group": "N1",
    "demographic_group": "25-34",
}

SMS_BODY = "Your favourite snacks are back, 10% off this week. Reply STOP to opt out"


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Nested dicts merge key by key; a key set to None is removed, so a default can be unset."""
    merged = deepcopy(base)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def proposal_data(**changes: Any) -> dict[str, Any]:
    return _merge(_PROPOSAL, changes)


def make_proposal(**changes: Any) -> OfferProposal:
    return OfferProposal.model_validate(proposal_data(**changes))


def make_sms(**changes: Any) -> OfferProposal:
    message = {"subject": None, "body": SMS_BODY, **changes.pop("message", {})}
    return make_proposal(channel="sms", message=message, **changes)


def make_context(**changes: Any) -> RuleContext:
    return RuleContext.model_validate(_merge(_CONTEXT, changes))


def contact(
    channel: str, hours_before: float, *, offer: Offer | None = None, use_case: str = "reactivation"
) -> dict[str, Any]:
    """A recent contact `hours_before` the standard send time (negative: scheduled after it)."""
    other = offer or Offer(type="none")
    return {
        "channel": channel,
        "sent_at": SEND_AT - timedelta(hours=hours_before),
        "offer_fingerprint": offer_fingerprint(other),
        "use_case": use_case,
    }


def contacts(*entries: dict[str, Any]) -> tuple[RecentContact, ...]:
    return tuple(RecentContact.model_validate(entry) for entry in entries)


def rule_ids(result: CheckResult) -> set[RuleId]:
    return {violation.rule_id for violation in result.violations}


def violation_of(result: CheckResult, rule_id: RuleId) -> Violation:
    matches = [violation for violation in result.violations if violation.rule_id == rule_id]
    assert len(matches) == 1, f"expected one {rule_id} violation, got {result.violations}"
    return matches[0]


def customised(policy: Policy, path: str, value: Any) -> Policy:
    """A copy of `policy` with the setting at dotted `path` replaced, validated like a file."""
    data = policy.model_dump()
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[leaf] = value
    return Policy.model_validate(data)
